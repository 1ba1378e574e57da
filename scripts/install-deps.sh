#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs every Debian package that building, testing, benchmarking and
# the demo need. Idempotent: when everything is present it only checks.
# Run as root (or with sudo available) on Debian 12.
set -euo pipefail

PACKAGES=(
    # build
    build-essential cmake pkg-config clang clang-format
    libclang-rt-14-dev llvm
    # libraries
    libssl-dev libfuzzy-dev libmagic-dev libmagic-mgc libarchive-dev
    libpsl-dev libidn2-dev libpcre2-dev libyara-dev
    libyaml-dev libcmocka-dev libcurl4-openssl-dev libhiredis-dev libpq-dev
    libsqlite3-dev libzbar-dev libpng-dev libjpeg-dev
    # tests, demo and benchmarks
    python3 jq zstd zip unzip p7zip-full file ca-certificates time qrencode
    gcab spamassassin spamc spamd
    libgmime-3.0-dev
)

# The regex scanner (libhs): Intel's Hyperscan where Debian builds it
# (amd64). Debian 12's Vectorscan 5.4.9, its fork for other CPUs, misses
# matches that depend on where the text lies in memory, so on amd64 it is
# replaced (the two packages conflict).
remove=()
if [ "$(dpkg --print-architecture)" = amd64 ]; then
    PACKAGES+=(libhyperscan-dev)
    for p in libvectorscan-dev libvectorscan5; do
        if dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q 'install ok installed'; then
            remove+=("$p-")
        fi
    done
else
    PACKAGES+=(libvectorscan-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
        grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
# the corpus script needs npm; a machine may have it from elsewhere
command -v npm >/dev/null || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || {
        echo "install-deps: run as root to install: ${missing[*]}" >&2
        exit 1
    }
    SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# a fresh machine has no package lists yet; refresh them when they are
# missing or older than a day
lists=/var/lib/apt/lists
if [ -z "$(find "$lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
    $SUDO apt-get update -qq
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" "${remove[@]}" >/dev/null

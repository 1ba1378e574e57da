#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make bench`: fetches the corpus when missing and runs every benchmark
# script of this folder in turn. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bench/fetch-corpus.sh
for b in bench/*.sh; do
    case "$b" in
    bench/fetch-corpus.sh | bench/run-all.sh) continue ;;
    esac
    echo "== $b"
    "$b"
done

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Attachments benchmark: throughput of the attachments analyzer in MB/s
# per core over generated mails with large attachments (1-20 MB, mixed
# kinds, some archives), next to `sha256sum` over the same decoded bytes
# in the same run as the physical reference, and the ratio of the two.
# A per-stage table shows where the time goes.
#
#   bench/attachments.sh [N_MAILS] [SEED]
#
# Builds a release library in build-bench-attach and the driver
# bench/attachments_driver.c against it; the mails are generated into
# bench/out/attachments (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
n_mails=${1:-20}
seed=${2:-1}
build=build-bench-attach
set_dir=bench/out/attachments

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMS_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target mailscope_core >/dev/null
fuzzy_inc=$(dirname "$(find /usr/include -name fuzzy.h | head -1)")
cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -I"$fuzzy_inc" \
    bench/attachments_driver.c "$build/libmailscope_core.a" \
    $(pkg-config --libs libcrypto libmagic libarchive libpsl libidn2 libhs \
        libpcre2-8 yara yaml-0.1 sqlite3) -lfuzzy -lpthread -lm \
    -o "$build/attachments_driver"

if [ ! -f "$set_dir/.n$n_mails.s$seed" ]; then
    rm -rf "$set_dir"
    python3 bench/gen_attachment_mails.py "$set_dir" "$n_mails" "$seed"
    touch "$set_dir/.n$n_mails.s$seed"
fi
# warm the page cache so both sides read from memory
cat "$set_dir"/mails/*.eml "$set_dir"/payloads/*.bin >/dev/null

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "set: $n_mails mails, $(du -sm "$set_dir/payloads" | cut -f1) MB of attachments"
out=$("$build/attachments_driver" conf/yara "$set_dir"/mails/*.eml)
echo "$out"

bytes=$(cat "$set_dir"/payloads/*.bin | wc -c)
start=$(date +%s.%N)
sha256sum "$set_dir"/payloads/*.bin >/dev/null
end=$(date +%s.%N)
python3 - "$bytes" "$start" "$end" "$out" <<'PY'
import sys
n, start, end, out = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
ref = n / 1e6 / (end - start)
ours = next(float(l.split()[-1]) for l in out.splitlines()
            if l.startswith("whole analysis"))
print(f"sha256sum (reference)    {end - start:9.3f} {ref:9.1f}")
print(f"ratio analysis / sha256sum: {ours / ref:.2f}")
PY

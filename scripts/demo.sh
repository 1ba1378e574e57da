#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The demo of `make demo`: runs the main job on the sample mails in
# samples/ and prints one JSON document per mail, then a summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/mailscope}
if "$bin" help analyze >/dev/null 2>&1; then
    exec "$bin" analyze --ordered --stats --include '*.eml' samples/
fi
shopt -s nullglob
mails=(samples/*.eml)
[ ${#mails[@]} -gt 0 ] || { echo "demo: no sample mails in samples/" >&2; exit 1; }
exec "$bin" parse --jsonl --stats "${mails[@]}"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The parse benchmark: how fast `mailscope parse --jsonl` turns a list of
# mail files into JSON, next to two peers doing comparable parse-only work
# on the same files and the same single core:
#   - GMime 3 (../shared/bench/gmime_walk.c): parse, walk the tree, decode
#     every header and every leaf's transfer encoding;
#   - Python's email package (bench/peers/python_email_walk.py): the same
#     walk with BytesParser(policy=email.policy.default);
#   - the floor (bench/peers/read_floor.c): reading the files into memory
#     and nothing else, the I/O cap no file-reading parser can beat.
# The peers and the floor are compiled here into bench/out/ (git-ignored).
#
#   bench/parse.sh [LIST]        LIST: one mail path a line
#                                (default bench/corpus/sa/all.list,
#                                fetched by bench/fetch-corpus.sh if missing)
# Environment:
#   MAILSCOPE  the binary to measure (default build/mailscope)
#   CORE       the CPU every run is pinned to (default 0)
#   RUNS       runs per tool; the table shows the fastest (default 3)
#   PYTHON     the interpreter for the Python peer (default python3)
#   SKIP       space-separated tools to leave out: mailscope gmime python floor
#
# Seconds are wall-clock over the whole process (start-up included) for
# every tool, so mailscope's figure covers its option parsing, list
# reading and output writing (to /dev/null) too; the peers' own loop time
# is shown beside it. The page cache is warmed first, so all tools read
# from memory. Peak RSS comes from /usr/bin/time -f %M (Debian package
# "time"). The table is printed and also saved to bench/out/parse-latest.md.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
top=$(pwd)

list=${1:-bench/corpus/sa/all.list}
mailscope=${MAILSCOPE:-build/mailscope}
core=${CORE:-0}
runs=${RUNS:-3}
python=${PYTHON:-python3}
skip=" ${SKIP:-} "
out=bench/out
mkdir -p "$out"

die() {
    echo "parse.sh: $*" >&2
    exit 2
}

if [ ! -s "$list" ]; then
    if [ "$list" = bench/corpus/sa/all.list ]; then
        bench/fetch-corpus.sh || die "could not fetch the corpus"
    else
        die "$list: no such list"
    fi
fi
command -v taskset >/dev/null || die "taskset (util-linux) is needed"
timer=/usr/bin/time
[ -x "$timer" ] || {
    echo "parse.sh: $timer missing (Debian package 'time'): no peak RSS" >&2
    timer=""
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- the list and the page cache -------------------------------------------
# read every file once so every tool below reads from memory; the byte
# count comes from the same pass
n_mails=$(grep -c . "$list")
n_bytes=$(xargs -d '\n' -a "$list" cat | wc -c)

# --- building the peers ----------------------------------------------------
# Rebuilds a peer binary when it is missing or older than its source.
# Arguments: binary, source, then extra compiler arguments.
build_peer() {
    local bin=$1 src=$2
    shift 2
    if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
        # shellcheck disable=SC2068 # the flags must split into words
        cc -O2 -o "$bin" "$src" $@ || return 1
    fi
}

# --- one measured run ------------------------------------------------------
# Runs a command pinned to $core under /usr/bin/time with its stdout in
# $tmp/stdout and stderr in $tmp/stderr; sets run_wall (seconds), run_rss
# (KiB, or "n/a") and run_rc (the command's exit status).
measure() {
    local t0 t1
    t0=$(date +%s.%N)
    if [ -n "$timer" ]; then
        taskset -c "$core" "$timer" -f %M -o "$tmp/rss" "$@" \
            >"$tmp/stdout" 2>"$tmp/stderr"
        run_rc=$?
        run_rss=$(tail -n 1 "$tmp/rss")
        # /usr/bin/time writes "Command exited with non-zero status N"
        # before the figure; a killed command gives no figure at all
        case "$run_rss" in '' | *[!0-9]*) run_rss=n/a ;; esac
    else
        taskset -c "$core" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
        run_rc=$?
        run_rss=n/a
    fi
    t1=$(date +%s.%N)
    run_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

# Pulls key=value out of a peer's summary line: $1 the line, $2 the key.
field() {
    printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# The table rows, one line each: tool|mails|wall|loop|rss|note
rows=()

# Runs one tool $runs times, keeps the fastest run and adds its row.
# Arguments: tool name, then the command. A tool whose run fails (no
# summary line, or a crash) gets a row saying so instead of figures.
bench_tool() {
    local name=$1
    shift
    local best_wall="" best_rss="" best_loop="" mails="" note="" i line loop
    for ((i = 1; i <= runs; i++)); do
        measure "$@"
        line=""
        if [ "$name" = mailscope ]; then
            # exit 1 means some input could not be read, still a full run;
            # anything else (usage error, crash, signal) is a failed run
            if [ "$run_rc" -le 1 ]; then
                # one summary line per process: several when xargs batches
                line=$(grep -a 'mailscope parse:' "$tmp/stderr" | awk '
                    { for (i = 1; i < NF; i++) {
                          if ($(i + 1) == "mails,") m += $i
                          if ($(i + 1) == "failed,") f += $i
                          if ($i == "in") s += $(i + 1) } }
                    END { if (NR) printf "mails=%d failed=%d loop_s=%.3f", m, f, s }')
            fi
            if [ -z "$line" ]; then
                note="FAILED (exit $run_rc): $(tail -n 1 "$tmp/stderr" | cut -c1-120)"
                break
            fi
            mails=$(field "$line" mails)
            local failed
            failed=$(field "$line" failed)
            [ "${failed:-0}" != 0 ] && note="$failed failed"
            loop=$(field "$line" loop_s)
        else
            [ "$run_rc" = 0 ] && line=$(grep -a 'mails=' "$tmp/stdout" | tail -n 1)
            if [ -z "$line" ]; then
                note="FAILED (exit $run_rc): $(tail -n 1 "$tmp/stderr" | cut -c1-120)"
                break
            fi
            mails=$(field "$line" mails)
            local errors
            errors=$(field "$line" errors)
            [ "${errors:-0}" != 0 ] && note="$errors errors"
            loop=$(field "$line" loop_s)
        fi
        if [ -z "$best_wall" ] || awk -v a="$run_wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
            best_wall=$run_wall
            best_rss=$run_rss
            best_loop=$loop
        fi
        echo "parse.sh: $name run $i/$runs: ${run_wall}s wall" >&2
    done
    if [ -z "$best_wall" ]; then
        rows+=("$name|-|-|-|-|$note")
        return
    fi
    rows+=("$name|$mails|$best_wall|${best_loop:--}|$best_rss|$note")
}

echo "parse.sh: $n_mails mails, $n_bytes bytes from $list; core $core, best of $runs" >&2

if [[ "$skip" != *" mailscope "* ]]; then
    if [ ! -x "$mailscope" ]; then
        rows+=("mailscope|-|-|-|-|FAILED: $mailscope not built (run make)")
    elif "$mailscope" parse --help 2>&1 | grep -q -- '--list'; then
        bench_tool mailscope "$mailscope" parse --jsonl --stats --list "$list"
    else
        # no --list: hand the paths over in big batches
        bench_tool mailscope xargs -d '\n' -n 2000 -a "$list" \
            "$mailscope" parse --jsonl --stats
    fi
fi
if [[ "$skip" != *" gmime "* ]]; then
    if build_peer "$out/gmime_walk" "$top/../shared/bench/gmime_walk.c" \
        "$(pkg-config --cflags --libs gmime-3.0)"; then
        bench_tool gmime "$out/gmime_walk" "$list"
    else
        rows+=("gmime|-|-|-|-|FAILED: could not build gmime_walk")
    fi
fi
if [[ "$skip" != *" python "* ]]; then
    bench_tool python "$python" bench/peers/python_email_walk.py "$list"
fi
if [[ "$skip" != *" floor "* ]]; then
    if build_peer "$out/read_floor" bench/peers/read_floor.c; then
        bench_tool floor "$out/read_floor" "$list"
    else
        rows+=("floor|-|-|-|-|FAILED: could not build read_floor")
    fi
fi

# --- the table -------------------------------------------------------------
versions="gmime $(pkg-config --modversion gmime-3.0 2>/dev/null || echo '?'), \
$("$python" -c 'import platform; print("python", platform.python_version())' 2>/dev/null)"
{
    echo "parse benchmark, $(date -u +%Y-%m-%dT%H:%MZ), mailscope $(git rev-parse --short HEAD 2>/dev/null)," \
        "$versions; $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), nproc $(nproc), pinned to core $core"
    echo "list $list: $n_mails mails, $(awk -v b="$n_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB; fastest of $runs runs"
    echo
    printf '%s\n' "${rows[@]}" | awk -F'|' -v bytes="$n_bytes" '
        BEGIN {
            print "| tool | mails | seconds (wall) | own loop s | mails/s | MB/s | peak RSS MiB | note |"
            print "|---|---:|---:|---:|---:|---:|---:|---|"
        }
        {
            if ($3 == "-") {
                printf "| %s | - | - | - | - | - | - | %s |\n", $1, $6
                next
            }
            mps = $2 / $3
            rate[$1] = mps
            rss = ($5 == "n/a") ? "n/a" : sprintf("%.1f", $5 / 1024)
            printf "| %s | %d | %.3f | %s | %.0f | %.1f | %s | %s |\n",
                $1, $2, $3, $4, mps, bytes / $3 / 1e6, rss, $6
        }
        END {
            print ""
            if (("mailscope" in rate) && ("gmime" in rate))
                printf "mailscope / GMime (mails/s): %.2f\n", rate["mailscope"] / rate["gmime"]
            else
                print "mailscope / GMime (mails/s): n/a"
            if (("mailscope" in rate) && ("python" in rate))
                printf "mailscope / Python email (mails/s): %.1f\n", rate["mailscope"] / rate["python"]
        }'
} | tee "$out/parse-latest.md"

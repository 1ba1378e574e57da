#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole test suite, as `make test` and CI run it:
#   1. the normal build (warnings are errors) and its tests
#   2. the same tests in an AddressSanitizer + UndefinedBehaviorSanitizer
#      build (clang)
#   3. a short libFuzzer run of every fuzz target (clang)
#   4. the clang-format check of every C file
# Ends with the line "N passed, N failed" and exits non-zero on any failure.
# FUZZ_SECONDS sets the length of each fuzz run (default 4).
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc 2>/dev/null || echo 2)
FUZZ_SECONDS=${FUZZ_SECONDS:-4}
# the compiled spam rules the runs cache go to a folder of their own, not
# the user's ~/.cache
XDG_CACHE_HOME=$(mktemp -d)
export XDG_CACHE_HOME
trap 'rm -rf "$XDG_CACHE_HOME"' EXIT
passed=0
failed=0
failures=()

# count_result NAME RC: adds one step's result to the totals
count_result() {
    if [ "$2" -eq 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures+=("$1")
    fi
}

# run_suite BUILD_DIR LABEL: runs the unit tests and golden cases of a build
run_suite() {
    local dir=$1 label=$2
    local t
    for t in "$dir"/tests/test_*; do
        [ -x "$t" ] || continue
        local out rc
        out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
        rc=$?
        local ok nok
        ok=$(grep -c '^ok ' <<<"$out")
        nok=$(grep -c '^not ok ' <<<"$out")
        passed=$((passed + ok))
        failed=$((failed + nok))
        if [ "$rc" -ne 0 ] || [ "$nok" -ne 0 ]; then
            echo "$out" | grep -E '^not ok|ERROR|error|runtime error|Sanitizer' | head -20
            if [ "$nok" -eq 0 ]; then
                failed=$((failed + 1))
            fi
            failures+=("$label $(basename "$t")")
            echo "FAIL [$label] $(basename "$t") (exit $rc)"
        else
            echo "ok   [$label] $(basename "$t"): $ok tests"
        fi
    done
    if [ -f tests/golden.py ]; then
        local out rc
        out=$(python3 tests/golden.py --bin "$dir/mailscope" 2>&1)
        rc=$?
        grep -v '^ok ' <<<"$out" | tail -40
        local line
        line=$(grep -E '^golden: [0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -1)
        if [ -n "$line" ]; then
            local p f
            p=$(sed -E 's/^golden: ([0-9]+) passed.*/\1/' <<<"$line")
            f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
            passed=$((passed + p))
            failed=$((failed + f))
            echo "[$label] $line"
            [ "$f" -eq 0 ] || failures+=("$label golden cases")
        else
            count_result "$label golden runner" 1
        fi
        [ "$rc" -eq 0 ] || [ -n "$line" ] || count_result "$label golden exit" "$rc"
    fi
    for t in tests/integration/*.sh; do
        [ -x "$t" ] || continue
        local rc
        MAILSCOPE="$dir/mailscope" "$t" >"/tmp/ms-integ.$$" 2>&1
        rc=$?
        if [ "$rc" -eq 0 ]; then
            echo "ok   [$label] $(basename "$t")"
        else
            tail -20 "/tmp/ms-integ.$$"
            echo "FAIL [$label] $(basename "$t") (exit $rc)"
        fi
        count_result "$label $(basename "$t")" "$rc"
    done
    rm -f "/tmp/ms-integ.$$"
}

# build DIR CMAKE_ARGS...: configures and builds, counting a failure
build() {
    local dir=$1
    shift
    echo "== build $dir"
    mkdir -p "$dir"
    if cmake -S . -B "$dir" -DMS_WERROR=ON "$@" >"$dir/build.log" 2>&1 &&
        cmake --build "$dir" -j "$JOBS" >>"$dir/build.log" 2>&1; then
        count_result "build $dir" 0
        return 0
    fi
    grep -E "error|Error|warning" "$dir/build.log" | head -30
    count_result "build $dir" 1
    return 1
}

mkdir -p build
if build build -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
    run_suite build normal
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:suppressions=$PWD/tests/asan.supp
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if CC=clang build build-asan -DCMAKE_BUILD_TYPE=Debug -DMS_SANITIZE=ON; then
    run_suite build-asan asan
fi

if CC=clang build build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMS_FUZZ=ON; then
    for f in build-fuzz/fuzz/fuzz_*; do
        [ -x "$f" ] || continue
        name=$(basename "$f")
        work=$(mktemp -d)
        seeds=tests/fuzz/corpus/${name#fuzz_}
        [ -d "$seeds" ] || seeds=tests/fuzz/corpus/$name
        args=("$work")
        [ -d "$seeds" ] && args+=("$seeds")
        # the whole-mail target starts from the golden mails
        if [ "$name" = fuzz_parse ]; then
            mkdir -p "$work/golden"
            for m in tests/cases/*/mail.eml; do
                cp "$m" "$work/golden/$(basename "$(dirname "$m")")"
            done
            args+=("$work/golden")
        fi
        if "$f" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="$work/" "${args[@]}" >"$work/log" 2>&1; then
            echo "ok   [fuzz] $name ($(grep -oE '#[0-9]+' "$work/log" | tail -1) runs)"
            count_result "fuzz $name" 0
        else
            grep -A25 -E 'ERROR|timeout|leak' "$work/log" | head -40
            mkdir -p tests/fuzz/artifacts
            cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* \
                tests/fuzz/artifacts/ 2>/dev/null
            echo "FAIL [fuzz] $name (inputs kept in tests/fuzz/artifacts/)"
            count_result "fuzz $name" 1
        fi
        rm -rf "$work"
    done
fi

echo "== format"
files=$(git ls-files '*.c' '*.h')
if [ -n "$files" ] && clang-format --dry-run -Werror $files >/tmp/ms-format.$$ 2>&1; then
    count_result format 0
else
    head -20 /tmp/ms-format.$$
    count_result format 1
fi
rm -f /tmp/ms-format.$$

if [ ${#failures[@]} -gt 0 ]; then
    echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# Builds the container reader's libFuzzer target with clang (the separate
# project in tests/fuzz/project), seeds a corpus with real containers made by
# flowgate-cli (every codec, unencrypted and passphrase-encrypted, several
# sizes), and fuzzes for a bounded time. Fails on any crash, sanitizer
# report, hang or out-of-memory; the reproducer is kept under
# BUILD_DIR/artifacts (run it again with: BUILD_DIR/fuzz_container FILE).
#
# usage: run_fuzz.sh [--cli PATH] [--build-dir DIR] [--seconds N] [--jobs N] [--build-only]
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CLI=""
BUILD_DIR="$ROOT/build/fuzz"
SECONDS_TO_RUN=60
JOBS=${FLOWGATE_JOBS:-2}
BUILD_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --cli) CLI=$2; shift 2 ;;
    --build-dir) BUILD_DIR=$2; shift 2 ;;
    --seconds) SECONDS_TO_RUN=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --build-only) BUILD_ONLY=1; shift ;;
    *) echo "run_fuzz.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   - $*"; }
fail_now() {
  failed=$((failed + 1))
  echo "FAIL - $*"
  echo "$passed passed, $failed failed"
  exit 1
}

# --- build -------------------------------------------------------------------------------
CLANG=""
for c in clang++-14 clang++; do
  if command -v "$c" >/dev/null 2>&1; then CLANG=$(command -v "$c"); break; fi
done
[ -n "$CLANG" ] || fail_now "no clang++ found: install clang and libclang-rt-14-dev (scripts/deps.sh does)"

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  mkdir -p "$BUILD_DIR"
  cmake -S "$HERE/project" -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_CXX_COMPILER="$CLANG" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DFLOWGATE_SOURCE_DIR="$ROOT" >"$BUILD_DIR/configure.log" 2>&1 \
    || { cat "$BUILD_DIR/configure.log"; fail_now "configuring the fuzz target with $CLANG"; }
fi
cmake --build "$BUILD_DIR" -j "$JOBS" || fail_now "building the fuzz target"
FUZZER="$BUILD_DIR/fuzz_container"
[ -x "$FUZZER" ] || fail_now "no fuzz target at $FUZZER"
pass "fuzz target built with $CLANG"
if [ "$BUILD_ONLY" = 1 ]; then
  exit 0
fi

# --- seeds: real containers ---------------------------------------------------------------
[ -n "$CLI" ] || fail_now "give --cli /path/to/flowgate-cli (it makes the seed containers)"
CLI=$(readlink -f "$CLI")
[ -x "$CLI" ] || fail_now "$CLI is not an executable"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/flowgate-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/in" "$WORK/seeds" "$WORK/corpus"
# The fuzz target knows this passphrase (fuzz_container.cpp, kPassphrase).
echo "flowgate fuzz passphrase" >"$WORK/pass.txt"
: >"$WORK/in/empty"
printf 'x' >"$WORK/in/one"
# No `... | head` here: with pipefail, a writer that head leaves behind dies of
# SIGPIPE now and then, and set -e ends the script without a word.
seq -s ' ' 1 400 >"$WORK/in/text"
head -c 3000 /dev/urandom >"$WORK/in/random"
seq 1 2000 >"$WORK/numbers"
{ head -c 4096 /dev/zero; head -c 4000 "$WORK/numbers"; head -c 2000 /dev/urandom; } >"$WORK/in/chunks" # 3 chunks of 4 KiB
n=0
make_seeds() { # make_seeds NAME pack-options...
  local name=$1
  shift
  mkdir -p "$WORK/packed/$name"
  "$CLI" pack -q --chunk-size 4K -o "$WORK/packed/$name" "$@" "$WORK"/in/* >/dev/null 2>"$WORK/pack.err" \
    || { cat "$WORK/pack.err"; fail_now "flowgate-cli pack $* (making seeds)"; }
  for f in "$WORK/packed/$name"/*.fgc; do
    cp "$f" "$WORK/seeds/$name-$(basename "$f")"
    n=$((n + 1))
  done
}
for codec in zstd:1 lz4 gzip:1 xz:0 none; do
  make_seeds "${codec%%:*}-plain" --codec "$codec" --cipher none
done
make_seeds zstd-chacha --codec zstd:1 --cipher chacha20 --passphrase-file "$WORK/pass.txt"
make_seeds lz4-aes --codec lz4 --cipher aes256gcm --passphrase-file "$WORK/pass.txt"
make_seeds xz-chacha --codec xz:0 --cipher chacha20 --passphrase-file "$WORK/pass.txt"
pass "$n seed containers made by flowgate-cli"

# The seeds must verify through the target as they are (a sanity check of the
# target's keys and of the seeds): run them once, no mutation.
FLOWGATE_FUZZ_SEEDS_MUST_VERIFY=1 "$FUZZER" -runs=0 "$WORK/seeds" >"$WORK/seedrun.log" 2>&1 \
  || { tail -n 40 "$WORK/seedrun.log"; fail_now "the fuzz target fails on the unmodified seeds"; }
pass "every seed verifies through the fuzz target"

# --- fuzz -------------------------------------------------------------------------------------
ARTIFACTS="$BUILD_DIR/artifacts"
mkdir -p "$ARTIFACTS"
status=0
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=0} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
"$FUZZER" "$WORK/corpus" "$WORK/seeds" \
  -max_total_time="$SECONDS_TO_RUN" -timeout=30 -rss_limit_mb=4096 -max_len=16384 \
  -print_final_stats=1 -artifact_prefix="$ARTIFACTS/" >"$WORK/fuzz.log" 2>&1 || status=$?
grep -E '^#[0-9]+ +(INITED|DONE)|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$WORK/fuzz.log" || true
if [ "$status" -ne 0 ]; then
  tail -n 80 "$WORK/fuzz.log"
  echo "reproducer(s):"
  ls -l "$ARTIFACTS"
  fail_now "the fuzzer found a problem (exit $status); run $FUZZER ARTIFACT to reproduce"
fi
units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/fuzz.log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$WORK/fuzz.log")
[ -n "$units" ] && [ "$units" -gt 0 ] || fail_now "the fuzzer ran no inputs"
pass "fuzzed for ${SECONDS_TO_RUN} s: $units inputs, $rate exec/s, corpus $(ls "$WORK/corpus" | wc -l) new units, no crash, hang or leak"

echo "$passed passed, $failed failed"

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# kill -9 of flowgate-cli in the middle of a pack and of a restore: afterwards
# no file sits under a final name (only the hidden ".NAME.*.part" temporary
# may remain), and running the command again succeeds and verifies.
#
# usage: kill9.sh /path/to/flowgate-cli
set -euo pipefail
# shellcheck source=tests/cli/testlib.sh
source "$(dirname "$0")/testlib.sh"

CLI=${1:?usage: kill9.sh /path/to/flowgate-cli}
[ -x "$CLI" ] || { echo "FAIL: $CLI is not an executable"; exit 1; }
CLI=$(readlink -f "$CLI")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/flowgate-kill9.XXXXXX")
CHILD=""
cleanup() {
  if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
    kill -9 "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

finish() {
  summary
  exit $?
}

# The size of the newest file matching a glob, or 0.
part_size() { # part_size DIR PATTERN
  local f size=0
  for f in "$1"/$2; do
    [ -e "$f" ] && size=$(stat -c %s "$f")
  done
  echo "$size"
}
part_bigger_than() { [ "$(part_size "$1" "$2")" -gt "$3" ]; }
still_running() { kill -0 "$1" 2>/dev/null; }

cd "$WORK"
echo "correct horse battery staple" > pass.txt

# 1.5 GiB, sparse, with a 1 MiB random block every 64 MiB: cheap to make,
# and with one CPU token and xz it takes tens of seconds to pack.
truncate -s 1536M big.bin
for i in $(seq 0 23); do
  head -c 1M /dev/urandom | dd of=big.bin bs=1M seek=$((i * 64)) conv=notrunc status=none
done
input_sum=$(sha256sum big.bin | cut -d' ' -f1)
mkdir out

# --- kill -9 mid-pack ------------------------------------------------------------------
"$CLI" pack -q --passphrase-file pass.txt --cpu-tokens 1 --codec xz:1 -o out big.bin >pack1.out 2>pack1.err &
CHILD=$!
# Progress has started once the temporary output holds more than the header:
# at least one chunk was compressed, encrypted and written.
if ! wait_for "a chunk written to out/.big.bin.fgc.*.part" 120 part_bigger_than out '.big.bin.fgc.*.part' 4096; then
  fail "pack started writing its temporary output"
  cat pack1.err
  finish
fi
if ! still_running "$CHILD"; then
  fail "pack was still running when killed (it finished too fast for this test; make it slower)"
  finish
fi
kill -9 "$CHILD"
status=0
wait "$CHILD" || status=$?
CHILD=""
check "pack died of SIGKILL (status $status)" test "$status" -eq 137
check "no out/big.bin.fgc under its final name after kill -9" test ! -e out/big.bin.fgc
others=$(cd out && find . -mindepth 1 ! -name '.big.bin.fgc.*.part' | sort)
check "only the hidden .big.bin.fgc.*.part may remain in out/ (found: ${others:-nothing else})" test -z "$others"
check "the input is untouched after kill -9" test "$(sha256sum big.bin | cut -d' ' -f1)" = "$input_sum"

# verify and restore ignore the leftover temporary.
status=0
"$CLI" verify -q --passphrase-file pass.txt out >verify0.out 2>verify0.err || status=$?
check "verify of the folder finds no container (exit 3, not 4: the .part is not read; got $status)" test "$status" -eq 3

# --- pack again: it succeeds (faster codec, the same input and output folder) -------
# and removes the killed run's temporary: unlocked (its owner is dead) and
# unchanged for more than 5 s (here: made older, not waited for).
leftover=$(cd out && find . -name '.big.bin.fgc.*.part' | sed 's|^\./||')
check "kill -9 left one temporary (found: ${leftover:-none})" test "$(printf '%s\n' "$leftover" | grep -c .)" -eq 1
touch -d '1 minute ago' "out/$leftover"
status=0
"$CLI" pack -q --passphrase-file pass.txt --codec zstd:1 -o out big.bin >pack2.out 2>pack2.err || status=$?
check "pack again exits 0 (got $status)" test "$status" -eq 0
[ "$status" -eq 0 ] || cat pack2.err
check "pack again wrote out/big.bin.fgc" test -f out/big.bin.fgc
check "pack again removed the killed run's temporary" test ! -e "out/$leftover"
check "and said so" contains pack2.err "removed $WORK/out/$leftover, a temporary file left behind by an interrupted run"
check "pack reports the input's SHA-256" grep -q "^$input_sum " pack2.out
status=0
"$CLI" verify -q --passphrase-file pass.txt out/big.bin.fgc >verify.out 2>verify.err || status=$?
check "the new container verifies (got $status)" test "$status" -eq 0
[ "$status" -eq 0 ] || cat verify.err
check "verify reports the input's SHA-256" grep -q "^$input_sum " verify.out

# --- kill -9 mid-restore ------------------------------------------------------------
mkdir restored
"$CLI" restore -q --passphrase-file pass.txt --cpu-tokens 1 -o restored out/big.bin.fgc >restore1.out 2>restore1.err &
CHILD=$!
if ! wait_for "restored/.big.bin.*.part" 120 part_bigger_than restored '.big.bin.*.part' -1; then
  fail "restore started writing its temporary output"
  cat restore1.err
  finish
fi
if ! still_running "$CHILD"; then
  fail "restore was still running when killed (it finished too fast for this test)"
  finish
fi
kill -9 "$CHILD"
status=0
wait "$CHILD" || status=$?
CHILD=""
check "restore died of SIGKILL (status $status)" test "$status" -eq 137
check "no restored/big.bin under its final name after kill -9" test ! -e restored/big.bin
others=$(cd restored && find . -mindepth 1 ! -name '.big.bin.*.part' | sort)
check "only the hidden .big.bin.*.part may remain in restored/ (found: ${others:-nothing else})" test -z "$others"
rm -f restored/.big.bin.*.part

finish

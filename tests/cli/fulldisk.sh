#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# A full disk: an 8 MiB tmpfs as the output folder. Packing (and restoring)
# 20 MiB into it fails with exit code 5 and a message that says the disk is
# full and names the file; nothing is left in the folder, no .part and no
# output under a final name; the input is untouched; a file that fits and
# came first is packed all the same.
#
# Needs root (mount -t tmpfs). Without it the test fails: it does not skip.
#
# usage: fulldisk.sh /path/to/flowgate-cli
set -euo pipefail
# shellcheck source=tests/cli/testlib.sh
source "$(dirname "$0")/testlib.sh"

CLI=${1:?usage: fulldisk.sh /path/to/flowgate-cli}
[ -x "$CLI" ] || { echo "FAIL: $CLI is not an executable"; exit 1; }
CLI=$(readlink -f "$CLI")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/flowgate-fulldisk.XXXXXX")
MNT="$WORK/small"
mkdir "$MNT"
cleanup() {
  if mountpoint -q "$MNT"; then
    umount "$MNT" || umount -l "$MNT" || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! mount -t tmpfs -o size=8m,mode=0755 tmpfs "$MNT" 2>"$WORK/mount.err"; then
  echo "FAIL: this test needs to mount a small tmpfs (run it as root, or in a container allowed to mount):"
  cat "$WORK/mount.err"
  echo "0 passed, 1 failed"
  exit 1
fi

cd "$WORK"
echo "correct horse battery staple" > pass.txt
head -c 20M /dev/urandom > big.bin
printf 'small enough to fit\n' > a-small.txt
touch -d '2001-09-09 01:46:40' big.bin
before=$(sha256sum big.bin | cut -d' ' -f1)
before_stat=$(stat -c '%s %Y %a' big.bin)

# --- pack 20 MiB into 8 MiB ------------------------------------------------------------
status=0
"$CLI" pack -q --cipher none -o "$MNT" big.bin >pack.out 2>pack.err || status=$?
check "pack onto a full disk exits 5 (got $status)" test "$status" -eq 5
check "the message says the disk is full" contains pack.err "disk is full"
check "the message names the output file" contains pack.err "$MNT/big.bin.fgc"
check "the message names the input file" contains pack.err "big.bin"
check "nothing is left in the full folder (no .fgc, no .part)" empty_dir "$MNT"
check "the input is untouched (content)" test "$(sha256sum big.bin | cut -d' ' -f1)" = "$before"
check "the input is untouched (size, mtime, mode)" test "$(stat -c '%s %Y %a' big.bin)" = "$before_stat"
[ "$failed" -eq 0 ] || cat pack.err

# The same, encrypted, with a small file first that fits: it is packed and
# verifies; the big one fails as before. One file at a time, in order.
status=0
"$CLI" pack -q --passphrase-file pass.txt --files-in-flight 1 -o "$MNT" a-small.txt big.bin >pack2.out 2>pack2.err || status=$?
check "pack of a small and a big file exits 5 (got $status)" test "$status" -eq 5
check "the small file was packed" test -f "$MNT/a-small.txt.fgc"
check "the big one is not there" test ! -e "$MNT/big.bin.fgc"
check "no .part is left" test -z "$(find "$MNT" -name '*.part' -print -quit)"
check "the message names the big file" contains pack2.err "big.bin.fgc"
status=0
"$CLI" verify -q --passphrase-file pass.txt "$MNT/a-small.txt.fgc" >/dev/null 2>verify.err || status=$?
check "the small file's container verifies (got $status)" test "$status" -eq 0
rm -f "$MNT"/*.fgc

# --- restore 20 MiB into 8 MiB ---------------------------------------------------------
mkdir packed
"$CLI" pack -q --cipher none --codec zstd:1 -o packed big.bin >/dev/null 2>&1
status=0
"$CLI" restore -q -o "$MNT" packed/big.bin.fgc >restore.out 2>restore.err || status=$?
check "restore onto a full disk exits 5 (got $status)" test "$status" -eq 5
check "the message says the disk is full" contains restore.err "disk is full"
check "the message names the output file" contains restore.err "$MNT/big.bin"
check "nothing is left in the full folder after restore" empty_dir "$MNT"
[ "$failed" -eq 0 ] || cat restore.err

summary

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# A read error in the middle of a file, from a fault-injecting file system
# (tests/support/faultyfs: FUSE, reads fail with EIO from a given offset on,
# as at a bad sector). Packing such a file exits 3 with a message that names
# the file, the offset and the cause; nothing is left under a final name and
# no .part; the other file of the run is packed and verifies. Restoring a
# container whose read fails half-way fails the same way and leaves nothing.
#
# Needs root (or a user allowed to mount FUSE). Without it the test fails: it
# does not skip.
#
# usage: readerror.sh /path/to/flowgate-cli /path/to/faultyfs
set -euo pipefail
# shellcheck source=tests/cli/testlib.sh
source "$(dirname "$0")/testlib.sh"

CLI=${1:?usage: readerror.sh /path/to/flowgate-cli /path/to/faultyfs}
FAULTYFS=${2:?usage: readerror.sh /path/to/flowgate-cli /path/to/faultyfs}
CLI=$(readlink -f "$CLI")
FAULTYFS=$(readlink -f "$FAULTYFS")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/flowgate-readerror.XXXXXX")
MNT="$WORK/bad"
mkdir "$MNT"
FPID=""
unmount() {
  # Also a dead mount (the file system gone): mountpoint(1) fails on those.
  fusermount3 -uz "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
  if [ -n "$FPID" ]; then
    kill "$FPID" 2>/dev/null || true
    wait "$FPID" 2>/dev/null || true
    FPID=""
  fi
}
cleanup() {
  unmount
  rm -rf "$WORK"
}
trap cleanup EXIT

# mount_faulty BACKING NAME OFFSET: serves BACKING as $MNT/NAME, failing from
# OFFSET. The file system runs in the foreground of a child of this script, so
# the cleanup always ends it.
mount_faulty() {
  unmount
  "$FAULTYFS" "$1" "$2" "$3" "$MNT" -f -o ro 2>"$WORK/mount.err" &
  FPID=$!
  local tries=0
  until [ -e "$MNT/$2" ]; do
    tries=$((tries + 1))
    if ! kill -0 "$FPID" 2>/dev/null || [ "$tries" -gt 500 ]; then
      echo "FAIL: this test needs to mount a FUSE file system (run it as root, with /dev/fuse):"
      cat "$WORK/mount.err"
      echo "$passed passed, $((failed + 1)) failed"
      exit 1
    fi
    sleep 0.02
  done
}

cd "$WORK"
head -c 20M /dev/urandom > disk.bin
printf 'a good file\n' > good.txt
fail_at=$((12 * 1024 * 1024 + 4096)) # in the seventh of its 2 MiB chunks: six read fine first

# --- pack: the read fails at 12 MiB + 4 KiB ---------------------------------------------
mount_faulty disk.bin data.bin "$fail_at"
check "the faulty file reads up to the bad spot" \
  test "$(head -c "$fail_at" "$MNT/data.bin" | sha256sum | cut -d' ' -f1)" = "$(head -c "$fail_at" disk.bin | sha256sum | cut -d' ' -f1)"
mkdir out
status=0
"$CLI" pack -q --cipher none --files-in-flight 1 -o out "$MNT/data.bin" good.txt >pack.out 2>pack.err || status=$?
check "pack exits 3, an input error (got $status)" test "$status" -eq 3
check "the message names the file" contains pack.err "$MNT/data.bin"
check "the message names the cause" contains pack.err "Input/output error"
check "the message gives the offset of the failed read" contains pack.err "byte $fail_at"
check "no container of the unreadable file" test ! -e out/data.bin.fgc
check "no .part is left" test -z "$(find out -name '*.part' -print -quit)"
check "the other file was packed" test -f out/good.txt.fgc
status=0
"$CLI" verify -q out/good.txt.fgc >/dev/null 2>verify.err || status=$?
check "the other file's container verifies (got $status)" test "$status" -eq 0
[ "$failed" -eq 0 ] || cat pack.err

# --- restore: the container's read fails half-way --------------------------------------
"$CLI" pack -q --cipher none --codec none -o . disk.bin >/dev/null 2>&1
size=$(stat -c %s disk.bin.fgc)
mount_faulty disk.bin.fgc disk.bin.fgc $((size / 2))
mkdir restored
status=0
"$CLI" restore -q -o restored "$MNT/disk.bin.fgc" >restore.out 2>restore.err || status=$?
check "restore exits 3, an input error (got $status)" test "$status" -eq 3
check "the message names the container" contains restore.err "$MNT/disk.bin.fgc"
check "the message names the cause" contains restore.err "Input/output error"
check "nothing is left in the output folder (no file, no .part)" empty_dir restored
[ "$failed" -eq 0 ] || cat restore.err
status=0
"$CLI" verify -q "$MNT/disk.bin.fgc" >verify2.out 2>verify2.err || status=$?
check "verify exits 3 as well (got $status)" test "$status" -eq 3

summary

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# flowgate-cli as a person at a terminal sees it: on a terminal it shows a
# progress line (bytes done of the total, speed, tokens, ETA) for pack,
# restore and verify, and -q hides it together with the resource summary
# lines; Ctrl-C (SIGINT) or SIGTERM in the middle of a run cancels it with
# exit code 6, says so, and leaves no temporary and no output behind; a second
# Ctrl-C while the cancellation waits quits at once (exit 130).
#
# The terminal is a pseudo-terminal from script(1). Every run here uses one
# CPU token, so it lasts long enough for progress updates on any machine; the
# restore that is interrupted reads its container through a slow FUSE file
# system (tests/support/faultyfs with a delay per read), so it is certainly
# still running when the signal comes. The pack that gets two Ctrl-Cs reads
# its input through one that stops answering in the middle of the file, so the
# run cannot end before the second one.
#
# usage: interactive.sh /path/to/flowgate-cli /path/to/faultyfs
set -euo pipefail
# shellcheck source=tests/cli/testlib.sh
source "$(dirname "$0")/testlib.sh"

CLI=$(readlink -f "${1:?usage: interactive.sh /path/to/flowgate-cli /path/to/faultyfs}")
FAULTYFS=$(readlink -f "${2:?usage: interactive.sh /path/to/flowgate-cli /path/to/faultyfs}")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/flowgate-interactive.XXXXXX")
MNT="$WORK/slow"
STUCK="$WORK/stuck"
CHILD=""
FPID=""
SPID=""
cleanup() {
  if [ -n "$CHILD" ]; then kill -9 "$CHILD" 2>/dev/null || true; fi
  fusermount3 -uz "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
  if [ -n "$FPID" ]; then kill "$FPID" 2>/dev/null || true; wait "$FPID" 2>/dev/null || true; fi
  # A read of the stalling file system may still wait: kill it, then unmount.
  if [ -n "$SPID" ]; then kill -9 "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; fi
  fusermount3 -uz "$STUCK" 2>/dev/null || umount -l "$STUCK" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

has_part() { [ -n "$(find "$1" -name '*.part' -print -quit)" ]; }
# running PID: the process runs (an exited one that was not waited for is a zombie).
running() {
  local state
  state=$(ps -o stat= -p "$1") || return 1
  [[ $state != Z* ]]
}
ended() { ! running "$1"; }
# on_terminal LOG COMMAND...: runs COMMAND on a pseudo-terminal, its output in LOG.
on_terminal() {
  local log=$1
  shift
  local cmd
  printf -v cmd '%q ' "$@"
  SHELL=/bin/bash script -qefc "$cmd" "$log" >/dev/null
}

cd "$WORK"
# 32 MiB of base64 text: xz:1 on one CPU token takes seconds to pack it and
# about a second to unpack it, long enough for progress updates (every 200 ms).
head -c 24M /dev/urandom | base64 -w 0 > big.bin
mkdir packed restored

# --- the progress line on a terminal -----------------------------------------------
on_terminal pack.log "$CLI" pack --cipher none --codec xz:1 --cpu-tokens 1 -o packed big.bin
check "pack on a terminal shows progress (bytes of the total)" contains pack.log " of 32.0 MiB"
check "with speed and ETA" grep -qE 'MB/s .*ETA [0-9]+ s' pack.log
check "and the resource summary" contains pack.log "Resources:"
check "the container was written" test -s packed/big.bin.fgc
one=(--cpu-tokens 1 --per-file-workers 1)
on_terminal verify.log "$CLI" verify "${one[@]}" packed/big.bin.fgc
check "verify on a terminal counts the container's bytes read" grep -qE ' [1-9][0-9.]* [KM]iB of ' verify.log
on_terminal restore.log "$CLI" restore "${one[@]}" -o restored packed/big.bin.fgc
check "restore on a terminal shows progress" grep -qE ' of [0-9.]+ MiB' restore.log
check "the restored file is the original" cmp -s restored/big.bin big.bin
on_terminal quiet.log "$CLI" verify -q "${one[@]}" packed/big.bin.fgc
check "-q shows no progress" lacks quiet.log "ETA"
check "-q shows no resource summary" lacks quiet.log "Resources:"
check "-q still reports the result" contains quiet.log "OK"

# --- Ctrl-C in the middle of a pack ------------------------------------------------
mkdir out
"$CLI" pack -q --cipher none --codec xz:6 --cpu-tokens 1 -o out big.bin >int.out 2>int.err &
CHILD=$!
if wait_for "the temporary output of the pack" 60 has_part out; then
  kill -INT "$CHILD"
  status=0
  wait "$CHILD" || status=$?
  CHILD=""
  check "SIGINT cancels the pack with exit 6 (got $status)" test "$status" -eq 6
  check "it says it is cancelling" contains int.err "interrupted: cancelling"
  check "nothing is left behind (no .part, no container)" empty_dir out
else
  fail "pack started writing its temporary output"
fi

# --- Ctrl-C twice: the second quits at once --------------------------------------
# The input is served by a file system whose reads stop answering from 8 MiB
# on: the cancellation after the first Ctrl-C waits for that read, so the
# process is certainly still there for the second.
mkdir "$STUCK" out3
FAULTYFS_STALL_FROM=$((8 << 20)) "$FAULTYFS" big.bin big.bin $(($(stat -c %s big.bin) + 1)) "$STUCK" -f -o ro 2>stuck.err &
SPID=$!
if ! wait_for "the stalling file system" 10 test -e "$STUCK/big.bin"; then
  cat stuck.err
  fail "mounted the stalling file system (needs root and /dev/fuse)"
fi
"$CLI" pack -q --cipher none --codec lz4 "${one[@]}" -o out3 "$STUCK/big.bin" >int2.out 2>int2.err &
CHILD=$!
if wait_for "the temporary output of the pack" 60 has_part out3; then
  kill -INT "$CHILD"
  if wait_for "the message after the first Ctrl-C" 30 contains int2.err "Ctrl-C again quits at once"; then
    check "after the first Ctrl-C the run waits for the stalled read" running "$CHILD"
    kill -INT "$CHILD"
    if wait_for "the pack to end after the second Ctrl-C" 30 ended "$CHILD"; then
      status=0
      wait "$CHILD" || status=$?
      CHILD=""
      check "the second Ctrl-C quits at once, as killed by SIGINT (exit 130, got $status)" test "$status" -eq 130
      check "no output under its final name" test ! -e out3/big.bin.fgc
    else
      fail "the second Ctrl-C ended the run"
      kill -9 "$CHILD" 2>/dev/null || true
      wait "$CHILD" 2>/dev/null || true
      CHILD=""
    fi
  else
    cat int2.err
    fail "the first Ctrl-C was taken"
  fi
else
  fail "pack started writing its temporary output"
fi

# --- SIGTERM in the middle of a restore --------------------------------------------
# The container, served by a file system that takes 20 ms for every read.
mkdir "$MNT" out2
size=$(stat -c %s packed/big.bin.fgc)
FAULTYFS_DELAY_MS=20 "$FAULTYFS" packed/big.bin.fgc big.bin.fgc $((size + 1)) "$MNT" -f -o ro 2>mount.err &
FPID=$!
if ! wait_for "the slow file system" 10 test -e "$MNT/big.bin.fgc"; then
  cat mount.err
  fail "mounted the slow file system (needs root and /dev/fuse)"
fi
"$CLI" restore -q -o out2 "${one[@]}" "$MNT/big.bin.fgc" >term.out 2>term.err &
CHILD=$!
if wait_for "the temporary output of the restore" 60 has_part out2; then
  kill -TERM "$CHILD"
  status=0
  wait "$CHILD" || status=$?
  CHILD=""
  check "SIGTERM cancels the restore with exit 6 (got $status)" test "$status" -eq 6
  check "nothing is left behind after the restore (no .part, no file)" empty_dir out2
else
  fail "restore started writing its temporary output"
fi

summary

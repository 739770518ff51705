#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# flowgate-cli with the OS keychain, as a user meets it: the first pack creates
# the master key (and says to back it up), restore uses it, `key export`
# writes a 0600 back-up with a warning; without a Secret Service, and with the
# keychain entry gone, restoring a keychain container fails with exit 3 and a
# message that names the file and the cause, while an unencrypted container of
# the same run is restored (and never asks the keychain); `key import` of the
# back-up makes the container readable again.
#
# Runs against a real gnome-keyring in a private D-Bus session: inside
# scripts/with-keyring.sh (scripts/test.sh does that for the "keychain" label).
# Outside it the test fails rather than touch the user's own keychain.
#
# usage: keychain_cli.sh /path/to/flowgate-cli
set -euo pipefail
# shellcheck source=tests/cli/testlib.sh
source "$(dirname "$0")/testlib.sh"

CLI=$(readlink -f "${1:?usage: keychain_cli.sh /path/to/flowgate-cli}")
if [ -z "${FLOWGATE_KEYRING:-}" ]; then
  echo "FAIL: run this test inside scripts/with-keyring.sh (a private keyring), not against your own keychain"
  exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/flowgate-keychain.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

same() { cmp -s "$1" "$2"; }
no_bus() { DBUS_SESSION_BUS_ADDRESS=disabled: "$@"; }
forget_key() { secret-tool clear user master-key server Flowgate; }

cd "$WORK"
forget_key || true # a fresh start, whatever ran in this keyring before
printf 'keep this secret\n' > secret.txt
printf 'nothing to hide\n' > plain.txt
mkdir packed

status=0
"$CLI" pack -q -o packed secret.txt >pack.out 2>pack.err || status=$?
check "pack with the keychain exits 0 (got $status)" test "$status" -eq 0
check "the first pack says a master key was created, and to back it up" contains pack.err "flowgate-cli key export FILE"
"$CLI" pack -q --cipher none -o packed plain.txt >/dev/null 2>&1

mkdir out1
status=0
"$CLI" restore -q -o out1 packed/secret.txt.fgc >/dev/null 2>restore1.err || status=$?
check "restore with the keychain exits 0 (got $status)" test "$status" -eq 0
check "the restored file is the original" same out1/secret.txt secret.txt

status=0
"$CLI" key export backup.key >export.out 2>export.err || status=$?
check "key export exits 0 (got $status)" test "$status" -eq 0
check "the back-up has mode 0600" test "$(stat -c %a backup.key)" = 600
check "key export warns that the file decrypts everything" grep -qF "it decrypts every container" export.out export.err

# --- no Secret Service ---------------------------------------------------------------
mkdir out2
status=0
no_bus "$CLI" restore -q -o out2 packed/secret.txt.fgc packed/plain.txt.fgc >/dev/null 2>restore2.err || status=$?
check "restore without a Secret Service exits 3 (got $status)" test "$status" -eq 3
check "the message names the keychain container" contains restore2.err "packed/secret.txt.fgc"
check "the message says the keychain could not give the key" contains restore2.err "keychain could not give"
check "the message gives the cause: no keychain service" contains restore2.err "No keychain service"
check "no passphrase is suggested for a keychain container" lacks restore2.err "(--passphrase-file FILE)"
check "nothing of the keychain container was written" test ! -e out2/secret.txt
check "the unencrypted container of the same run was restored" same out2/plain.txt plain.txt
[ "$failed" -eq 0 ] || cat restore2.err

status=0
no_bus "$CLI" verify -q packed/plain.txt.fgc >/dev/null 2>verify.err || status=$?
check "verify of an unencrypted container needs no keychain (got $status)" test "$status" -eq 0
check "and does not mention it" lacks verify.err "keychain"

# --- the keychain entry is gone --------------------------------------------------------
forget_key
mkdir out3
status=0
"$CLI" restore -q -o out3 packed/secret.txt.fgc >/dev/null 2>restore3.err || status=$?
check "restore with the entry gone exits 3 (got $status)" test "$status" -eq 3
check "the message names the container" contains restore3.err "packed/secret.txt.fgc"
check "the message gives the cause: no master key in the keychain" contains restore3.err "There is no Flowgate master key"
check "nothing was written" test ! -e out3/secret.txt
[ "$failed" -eq 0 ] || cat restore3.err

status=0
"$CLI" key import backup.key >import.out 2>import.err || status=$?
check "key import of the back-up exits 0 (got $status)" test "$status" -eq 0
status=0
"$CLI" restore -q -o out3 packed/secret.txt.fgc >/dev/null 2>restore4.err || status=$?
check "after the import the container restores (got $status)" test "$status" -eq 0
check "to the original" same out3/secret.txt secret.txt

summary

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# Runs a command inside a private D-Bus session with a real, unlocked
# gnome-keyring answering as the Secret Service, in a throw-away home:
#
#   scripts/with-keyring.sh ctest -L keychain --output-on-failure
#
# HOME, XDG_DATA_HOME (where the keyring file goes), XDG_CONFIG_HOME,
# XDG_CACHE_HOME and XDG_RUNTIME_DIR point into a fresh temporary directory,
# removed afterwards, so the user's real keyring is never touched. The login
# keyring is created with an empty password and unlocked: the password must
# come as `echo ""` (a newline); `printf ""` (zero bytes) creates no login
# keyring and every write then fails. FLOWGATE_KEYRING=1 tells the tests
# that a Secret Service is provided. Exit status: the command's.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon dbus-send; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "with-keyring.sh: '$tool' not found (apt-get install dbus gnome-keyring)" >&2
    exit 127
  fi
done

sandbox=$(mktemp -d "${TMPDIR:-/tmp}/flowgate-keyring.XXXXXX")
cleanup() { rm -rf "$sandbox"; }
trap cleanup EXIT
chmod 0700 "$sandbox"
mkdir -p -m 0700 "$sandbox/home" "$sandbox/home/.local/share" "$sandbox/home/.config" \
  "$sandbox/home/.cache" "$sandbox/run"

export HOME="$sandbox/home"
export XDG_DATA_HOME="$HOME/.local/share"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_CACHE_HOME="$HOME/.cache"
export XDG_RUNTIME_DIR="$sandbox/run"
export FLOWGATE_KEYRING=1
# The bus comes from dbus-run-session; drop any inherited one (or "disabled:").
unset DBUS_SESSION_BUS_ADDRESS

status=0
dbus-run-session -- bash -c '
  set -u
  echo "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  # Wait until the daemon owns the Secret Service name, so the first request
  # does not D-Bus-activate a second, locked daemon.
  for _ in $(seq 1 100); do
    reply=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
              org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null || true)
    if [[ "$reply" == *"boolean true"* ]]; then
      exec "$@"
    fi
    sleep 0.05
  done
  echo "with-keyring.sh: gnome-keyring-daemon did not take org.freedesktop.secrets" >&2
  exit 70
' with-keyring "$@" || status=$?
exit "$status"

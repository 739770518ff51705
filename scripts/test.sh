#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# Installs what is missing, builds, and runs every Flowgate test:
#   1. the dev build: unit, GUI (offscreen) and CLI tests;
#   2. the keychain tests inside a private D-Bus session with a real,
#      unlocked gnome-keyring (scripts/with-keyring.sh);
#   3. the core suites again under AddressSanitizer + UBSan and under
#      ThreadSanitizer.
# Set FLOWGATE_SKIP_SANITIZERS=1 to run only steps 1 and 2 (a quick local loop).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

bash scripts/deps.sh

JOBS=${FLOWGATE_JOBS:-2}
export QT_QPA_PLATFORM=offscreen
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
chmod 0700 "$XDG_RUNTIME_DIR"
# Tests never talk to the user's session bus; the keychain step makes its own.
export DBUS_SESSION_BUS_ADDRESS=disabled:

step() { printf '\n==> %s\n' "$*"; }

step "Configure and build (dev)"
cmake --preset dev
cmake --build --preset dev -j "$JOBS"

step "Tests (dev): unit, GUI and CLI"
ctest --preset dev -LE keychain -j 1

step "Keychain tests against a real Secret Service"
if [[ "$(ctest --test-dir build/dev -N -L keychain)" == *"Total Tests: 0"* ]]; then
  echo "(no keychain tests registered yet)"
else
  bash scripts/with-keyring.sh ctest --test-dir "$ROOT/build/dev" -L keychain --output-on-failure
fi

if [ "${FLOWGATE_SKIP_SANITIZERS:-0}" != "1" ]; then
  step "Core suites under AddressSanitizer + UndefinedBehaviorSanitizer"
  cmake --preset asan
  cmake --build --preset asan -j "$JOBS"
  ctest --preset asan -L core -LE keychain

  step "Core suites under ThreadSanitizer"
  cmake --preset tsan
  cmake --build --preset tsan -j "$JOBS"
  ctest --preset tsan -L core -LE keychain
fi

step "All tests passed"

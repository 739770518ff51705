#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# Installs what is missing, builds, and starts Flowgate: the desktop app when
# a display is available, otherwise the headless governor demo. Extra
# arguments go to the program (e.g. scripts/run.sh --demo).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev -j "${FLOWGATE_JOBS:-2}"

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  echo "Starting the Flowgate desktop app."
  exec build/dev/src/app/flowgate "$@"
fi
echo "No display found (DISPLAY and WAYLAND_DISPLAY are unset): running the headless governor demo instead."
echo "(Ctrl+C cancels it cleanly; on a desktop, scripts/run.sh opens the window.)"
exec build/dev/src/cli/flowgate-cli governor-demo --metrics-csv "${FLOWGATE_DEMO_CSV:-flowgate-demo-metrics.csv}" "$@"

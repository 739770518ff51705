#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# Installs what is missing, builds, and starts Flowgate. Until the desktop app
# lands, that is the governor demo: a synthetic workload through the resource
# governor, printing its metrics. Extra arguments go to the demo.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev -j "${FLOWGATE_JOBS:-2}"

BIN=build/dev/src/cli/flowgate-cli
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found (DISPLAY and WAYLAND_DISPLAY are unset): running the headless governor demo."
fi
echo "Starting the governor demo (Ctrl+C cancels it cleanly)."
exec "$BIN" governor-demo --metrics-csv "${FLOWGATE_DEMO_CSV:-flowgate-demo-metrics.csv}" "$@"

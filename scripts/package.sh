#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# Builds the Flowgate Debian package:
#
#   scripts/package.sh            -> build/release/packages/flowgate_<version>_<arch>.deb
#
# Installs what is missing (scripts/deps.sh), configures and builds the
# release preset, runs cpack and prints the path of the .deb on the last
# line. Install it with
#
#   sudo apt-get install ./build/release/packages/flowgate_<version>_amd64.deb
#
# FLOWGATE_BUILD_DIR builds in another directory (default build/release);
# FLOWGATE_JOBS sets the parallel jobs (default 2). The package is checked in
# a fresh Debian 12 root by the "packaging" tests:
#   FLOWGATE_DEB=<the .deb> ctest --test-dir build/release -L packaging
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh

build=${FLOWGATE_BUILD_DIR:-build/release}
jobs=${FLOWGATE_JOBS:-2}

cmake --preset release -B "$build"
cmake --build "$build" -j "$jobs"

rm -f "$build"/packages/flowgate_*.deb
(cd "$build" && cpack -G DEB)

shopt -s nullglob
debs=("$build"/packages/flowgate_*.deb)
if [ ${#debs[@]} -eq 0 ]; then
  echo "package.sh: cpack wrote no flowgate_*.deb under $build/packages" >&2
  exit 1
fi
echo
for deb in "${debs[@]}"; do
  dpkg-deb --info "$deb" | sed -n 's/^ \(Package\|Version\|Architecture\|Installed-Size\|Depends\|Recommends\):/  \1:/p'
done
for deb in "${debs[@]}"; do
  realpath "$deb"
done

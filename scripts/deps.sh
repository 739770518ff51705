#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# Installs every Debian 12 package Flowgate needs to build, test, run and
# package itself. Idempotent: when everything is present it does nothing.
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build pkg-config file dpkg-dev clang-format clang-tidy
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-tools-dev qt6-l10n-tools
  qt6-tools-dev-tools qt6-svg-dev qtkeychain-qt6-dev
  libssl-dev libzstd-dev liblz4-dev zlib1g-dev liblzma-dev libbenchmark-dev
  zstd lz4 xz-utils gzip bc time xxd fuse3 libfuse3-dev
  clang libclang-rt-14-dev
  xvfb xauth dbus gnome-keyring libsecret-1-0 libsecret-tools imagemagick fonts-dejavu-core qt6-translations-l10n
  desktop-file-utils appstream librsvg2-bin debootstrap
)

missing=()
for p in "${PACKAGES[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != *"install ok installed"* ]]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "deps.sh: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

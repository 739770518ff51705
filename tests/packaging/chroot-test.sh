#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# Installs the Flowgate .deb into a fresh Debian 12 root and runs it there:
#
#   chroot-test.sh SOURCE_DIR BUILD_DIR
#
# 1. The package: $FLOWGATE_DEB when set (e.g. the one scripts/package.sh
#    printed), otherwise `cpack -G DEB` in BUILD_DIR (which must be built).
# 2. A pristine Debian 12 root made once by `debootstrap --variant=minbase
#    bookworm` from the mirror this machine's apt uses (or
#    $FLOWGATE_DEBIAN_MIRROR), kept in the cache directory
#    ($FLOWGATE_PACKAGING_CACHE, default SOURCE_DIR/build/packaging-cache)
#    together with the .debs apt downloads, so later runs copy it instead of
#    bootstrapping and download nothing new.
# 3. A copy of that root per run, with /proc, /sys, /dev, /dev/pts and a
#    private /dev/shm mounted; tests/packaging/inside-chroot.sh runs in it
#    (install, --version, pack/restore round trip, --screenshot under Xvfb,
#    the MIME type, removal). Everything is unmounted and deleted on exit.
#
# Needs root (chroot, mount) and debootstrap. The screenshots are kept in
# BUILD_DIR/packaging-test/ for a look. Prints how long each part took.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 SOURCE_DIR BUILD_DIR" >&2
  exit 2
fi
src=$(realpath "$1")
build=$(realpath "$2")
here=$(dirname "$(realpath "$0")")
suite=bookworm
t0=$SECONDS
phase() { printf '\n==> [%3ds] %s\n' "$((SECONDS - t0))" "$*"; }
die() { echo "chroot-test.sh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot and mount)"
for tool in debootstrap chroot mount umount flock dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (scripts/deps.sh installs debootstrap)"
done

cache=${FLOWGATE_PACKAGING_CACHE:-$src/build/packaging-cache}
mkdir -p "$cache/apt-archives" "$cache/runs"
cache=$(realpath "$cache")
outdir="$build/packaging-test"
mkdir -p "$outdir"

# --- mounts: every mount this script makes is under a run root, and nothing
# is deleted while anything is still mounted below it.
mounts_under() {
  awk -v p="$1" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo
}
unmount_all() {
  local dir=$1
  if [ -n "$(mounts_under "$dir")" ]; then
    umount -R "$dir" 2>/dev/null || true
  fi
  # Whatever is still busy is detached lazily.
  mounts_under "$dir" | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  [ -z "$(mounts_under "$dir")" ]
}
safe_remove() {
  local dir=$1
  [ -e "$dir" ] || return 0
  if ! unmount_all "$dir"; then
    echo "chroot-test.sh: NOT deleting $dir: still mounted:" >&2
    mounts_under "$dir" >&2
    return 1
  fi
  rm -rf --one-file-system "$dir"
}
mount_system() { # root
  local root=$1
  mount --bind "$root" "$root"          # one mount to take everything down with
  mount --make-private "$root"
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"
  mount --bind /dev "$root/dev"
  mount --bind /dev/pts "$root/dev/pts"
  mount -t tmpfs -o mode=1777,size=256m tmpfs "$root/dev/shm"
}
in_root() { # root command...
  local root=$1
  shift
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb \
    LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
    FLOWGATE_PKGTEST_RECOMMENDS="${FLOWGATE_PKGTEST_RECOMMENDS:-0}" "$@"
}

# --- 1. the package -----------------------------------------------------------
phase "the package"
if [ -n "${FLOWGATE_DEB:-}" ]; then
  deb=$(realpath -m "$FLOWGATE_DEB")
  [ -f "$deb" ] || die "FLOWGATE_DEB=$FLOWGATE_DEB: no such file (from $(pwd); give an absolute path)"
else
  [ -f "$build/CPackConfig.cmake" ] || die "$build has no CPackConfig.cmake (configure and build it first)"
  (cd "$build" && cpack -G DEB >"$outdir/cpack.log" 2>&1) || { cat "$outdir/cpack.log" >&2; die "cpack failed"; }
  deb=$(ls -t "$build"/packages/flowgate_*.deb)
  deb=${deb%%$'\n'*} # the newest (no `| head` under pipefail: see tests/fuzz/run_fuzz.sh)
fi
[ -f "$deb" ] || die "no package at '$deb'"
version=$(dpkg-deb -f "$deb" Version)
echo "$deb ($(du -k "$deb" | cut -f1) KiB, version $version)"
dpkg-deb -f "$deb" Depends Recommends Suggests

# --- 2. the pristine root -------------------------------------------------------
# Debian mirrors from this machine's apt sources: one "URI SUITE" line each.
host_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } print $i, $(i + 1) }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
         { types = uris = suites = ""; enabled = "yes"
           for (k = 1; k <= NF; k++) {
             if ($k ~ /^[ \t]*#/) continue
             key = tolower($k); sub(/:.*/, "", key)
             val = $k; sub(/^[^:]*:[ \t]*/, "", val)
             if (key == "types") types = val
             else if (key == "uris") uris = val
             else if (key == "suites") suites = val
             else if (key == "enabled") enabled = tolower(val)
           }
           if (enabled == "no" || (" " types " ") !~ / deb /) next
           nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
           for (a = 1; a <= nu; a++) for (b = 1; b <= ns; b++) if (u[a] != "" && s[b] != "") print u[a], s[b] }' "$f"
  done
}
sources=$(host_sources | awk -v s="$suite" '$2 == s || $2 == s "-updates" || $2 == s "-security"' | sort -u)
mirror=${FLOWGATE_DEBIAN_MIRROR:-$(printf '%s\n' "$sources" | awk -v s="$suite" '$2 == s && m == "" { m = $1 } END { if (m != "") print m }')}
[ -n "$mirror" ] || die "no Debian $suite mirror in /etc/apt/sources.list*; set FLOWGATE_DEBIAN_MIRROR"
[ -n "$sources" ] || sources="$mirror $suite"

pristine="$cache/$suite-minbase"
stamp="$pristine/.flowgate-pristine"
exec 9>"$cache/.lock"
flock 9
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$mirror" ]; then
  phase "debootstrap --variant=minbase $suite from $mirror (once; cached in $pristine)"
  safe_remove "$pristine"
  fresh="$cache/runs/debootstrap.$$"
  safe_remove "$fresh"
  trap 'safe_remove "$fresh"' EXIT
  debootstrap --variant=minbase "$suite" "$fresh" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 30 "$cache/debootstrap.log" >&2; die "debootstrap failed (log: $cache/debootstrap.log)"; }
  printf '%s\n' "$sources" | awk '{ print "deb", $1, $2, "main" }' >"$fresh/etc/apt/sources.list"
  # Services never start inside the root.
  printf '#!/bin/sh\nexit 101\n' >"$fresh/usr/sbin/policy-rc.d"
  chmod 0755 "$fresh/usr/sbin/policy-rc.d"
  mount_system "$fresh"
  in_root "$fresh" apt-get update -qq
  in_root "$fresh" apt-get clean
  unmount_all "$fresh" || die "cannot unmount $fresh"
  printf '%s\n' "$mirror" >"$fresh/.flowgate-pristine"
  mv "$fresh" "$pristine"
  trap - EXIT
else
  phase "pristine $suite root from the cache ($pristine)"
fi
flock -u 9
echo "sources:"; sed 's/^/  /' "$pristine/etc/apt/sources.list"

# --- 3. a fresh copy, the test inside it ---------------------------------------------
# Roots left by runs that were killed (older than the test's timeout) go first.
find "$cache/runs" -mindepth 1 -maxdepth 1 -type d -mmin +120 | while read -r stale; do
  echo "removing the stale root $stale"
  safe_remove "$stale" || true
done
root=$(mktemp -d "$cache/runs/root.XXXXXX")
cleanup() {
  local rc=$?
  # Keep the .debs apt fetched for the next run (hard links: unmounted
  # first, since links cannot cross the root's own bind mount).
  if unmount_all "$root" && [ -d "$root/var/cache/apt/archives" ]; then
    find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -ln -t "$cache/apt-archives" {} + 2>/dev/null ||
      find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -n -t "$cache/apt-archives" {} + || true
  fi
  safe_remove "$root" || rc=1
  echo "(cleaned up; $((SECONDS - t0)) s in all)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP   # so that a killed run still unmounts and cleans up
phase "copy the pristine root to $root"
cp -a "$pristine/." "$root/"
chmod 0755 "$root"
# Test-only speed-up: dpkg skips fsync() (the root is thrown away anyway).
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/test-unsafe-io"
rm -f "$root/.flowgate-pristine"
# Already-downloaded packages, hard-linked (same file system, no copy).
find "$cache/apt-archives" -maxdepth 1 -name '*.deb' -exec cp -l -t "$root/var/cache/apt/archives" {} + 2>/dev/null ||
  find "$cache/apt-archives" -maxdepth 1 -name '*.deb' -exec cp -t "$root/var/cache/apt/archives" {} +
mount_system "$root"
install -m 0644 "$deb" "$root/tmp/"
install -m 0755 "$here/inside-chroot.sh" "$root/tmp/inside-chroot.sh"

phase "inside the root: install, run, remove"
in_root "$root" /bin/bash /tmp/inside-chroot.sh "/tmp/$(basename "$deb")" "$version"
cp "$root/tmp/s.png" "$outdir/demo-screenshot.png"
cp "$root/tmp/restore.png" "$outdir/restore-screenshot.png"
cp "$root/tmp/app.log" "$outdir/app.log"
phase "PASS: installed, ran and removed cleanly in a fresh Debian 12 root in $((SECONDS - t0)) s"
echo "screenshots: $outdir/demo-screenshot.png, $outdir/restore-screenshot.png"

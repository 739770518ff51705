#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# Runs inside a fresh Debian 12 root (chroot-test.sh copies it to /tmp):
#
#   inside-chroot.sh DEB VERSION
#
# Installs DEB the way a user does, checks that the programs run from the
# installed files, then removes the package and checks nothing is left.
# FLOWGATE_PKGTEST_RECOMMENDS=1 installs the Recommends too; by default
# they are left out so that the Depends alone must be enough.
set -euo pipefail

deb=$1 version=$2
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 LANG=C.UTF-8
start=$SECONDS
step() { printf '\n--> [%3ds] %s\n' "$((SECONDS - start))" "$*"; }
die() { echo "FAIL: $*" >&2; exit 1; }

step "apt-get update"
apt-get update -qq

step "the package and its Recommends resolve (simulated install with recommends)"
apt-get install -s -q "$deb" >/tmp/simulate.log || { cat /tmp/simulate.log; die "apt cannot resolve $deb with its Recommends"; }
grep -E '^Inst (flowgate|gnome-keyring) ' /tmp/simulate.log

recommends=--no-install-recommends
[ "${FLOWGATE_PKGTEST_RECOMMENDS:-0}" = 1 ] && recommends=--install-recommends
step "apt-get install -y $recommends $deb"
apt-get install -y -q $recommends "$deb" >/tmp/install.log || { cat /tmp/install.log; die "apt-get install failed"; }
grep -E '^(Setting up flowgate|[0-9]+ upgraded)' /tmp/install.log
installed=$(dpkg-query -W -f='${Version}' flowgate)
[ "$installed" = "$version" ] || die "installed version $installed, expected $version"
dpkg-query -L flowgate | sort >/tmp/flowgate-files
echo "$(wc -l </tmp/flowgate-files) paths installed"

step "installed files"
for f in /usr/bin/flowgate /usr/bin/flowgate-cli \
         /usr/share/applications/io.github.flowgate.Flowgate.desktop \
         /usr/share/metainfo/io.github.flowgate.Flowgate.metainfo.xml \
         /usr/share/mime/packages/io.github.flowgate.Flowgate-fgc.xml \
         /usr/share/icons/hicolor/scalable/apps/io.github.flowgate.Flowgate.svg \
         /usr/share/icons/hicolor/{16x16,32x32,48x48,64x64,128x128,256x256}/apps/io.github.flowgate.Flowgate.png \
         /usr/share/man/man1/flowgate-cli.1.gz /usr/share/man/man1/flowgate.1.gz \
         /usr/share/doc/flowgate/copyright; do
  grep -qxF "$f" /tmp/flowgate-files || die "$f is not in the package"
  [ -s "$f" ] || die "$f is missing or empty"
done
echo "programs, desktop file, metainfo, MIME type, icons, man pages, copyright: present"
# The MIME trigger compiled the type into the system database.
[ -f /usr/share/mime/application/x-flowgate-container.xml ] ||
  echo "(shared-mime-info is not installed, so the MIME database was not updated yet)"

step "every library and Qt plugin the programs load resolves"
qtplugins=/usr/lib/x86_64-linux-gnu/qt6/plugins
for f in /usr/bin/flowgate /usr/bin/flowgate-cli "$qtplugins/platforms/libqxcb.so" \
         "$qtplugins/platforms/libqoffscreen.so" "$qtplugins/imageformats/libqsvg.so"; do
  [ -e "$f" ] || die "$f is missing"
  if grep -q 'not found' <<<"$(ldd "$f")"; then
    ldd "$f" | grep 'not found' >&2
    die "$f has unresolved libraries"
  fi
done
ls /usr/lib/x86_64-linux-gnu/libsecret-1.so.0 >/dev/null || die "libsecret-1.so.0 (dlopen()ed by QtKeychain) is missing"
echo "flowgate, flowgate-cli, xcb, offscreen, svg plugins, libsecret: ok"

step "flowgate-cli --version / flowgate --version"
out=$(flowgate-cli --version)
echo "$out"
[ "$out" = "flowgate-cli $version" ] || die "flowgate-cli --version printed '$out'"
out=$(QT_QPA_PLATFORM=offscreen flowgate --version 2>/dev/null)
echo "$out"
case "$out" in *"$version"*) ;; *) die "flowgate --version printed '$out'" ;; esac
man -w flowgate-cli >/dev/null 2>&1 || grep -q '^\.TH "FLOWGATE\\-CLI"' <<<"$(zcat /usr/share/man/man1/flowgate-cli.1.gz)" ||
  die "the flowgate-cli man page is not a man page"

step "pack / verify / restore round trip with --passphrase-file"
work=/tmp/roundtrip
rm -rf "$work"
mkdir -p "$work/in/sub/deeper"
head -c 3000000 /dev/urandom >"$work/in/random.bin"
seq 1 200000 >"$work/in/sub/numbers.txt"
cp /usr/share/doc/flowgate/copyright "$work/in/sub/deeper/copyright"
: >"$work/in/empty"
printf 'correct horse battery staple\n' >"$work/pass"
flowgate-cli pack -q --passphrase-file "$work/pass" -o "$work/packed" "$work/in" >/dev/null
n=$(find "$work/packed" -name '*.fgc' | wc -l)
[ "$n" -eq 4 ] || die "pack wrote $n containers, expected 4"
flowgate-cli verify -q --passphrase-file "$work/pass" "$work/packed" >/dev/null
flowgate-cli restore -q --passphrase-file "$work/pass" -o "$work/out" "$work/packed" >/dev/null
(cd "$work/in" && find . -type f) | while read -r f; do
  cmp "$work/in/$f" "$work/out/packed/in/$f" || die "$f differs after the round trip"
done
echo "4 files packed, verified, restored and identical (cmp)"
printf 'wrong\n' >"$work/wrong"
if flowgate-cli verify -q --passphrase-file "$work/wrong" "$work/packed" >/dev/null 2>&1; then
  die "verify accepted a wrong passphrase"
fi
echo "a wrong passphrase is refused"

step "test-only tools: xvfb, xauth, gio, desktop-file-utils"
apt-get install -y -q --no-install-recommends xvfb xauth libglib2.0-bin desktop-file-utils >/tmp/tools.log ||
  { cat /tmp/tools.log; die "cannot install the test tools"; }
grep -c '^Setting up' /tmp/tools.log | sed 's/$/ packages set up/'

step "the .fgc MIME type and its application"
[ -f /usr/share/mime/application/x-flowgate-container.xml ] || die "the MIME database does not know application/x-flowgate-container"
some_fgc=$(find "$work/packed" -name 'random.bin.fgc')
cp "$some_fgc" "$work/renamed-container"
for f in "$some_fgc" "$work/renamed-container"; do
  type=$(gio info -a standard::content-type "$f" | sed -n 's/.*standard::content-type: //p')
  echo "${f##*/}: $type"
  [ "$type" = application/x-flowgate-container ] || die "${f##*/} is seen as '$type'"
done
gio mime application/x-flowgate-container | tee /tmp/gio-mime.txt
grep -q 'io.github.flowgate.Flowgate.desktop' /tmp/gio-mime.txt || die "no application opens application/x-flowgate-container"

step "flowgate --demo --screenshot under Xvfb"
mkdir -p -m 0700 /tmp/runtime
export XDG_RUNTIME_DIR=/tmp/runtime
rm -f /tmp/s.png /tmp/restore.png
xvfb-run -a -s '-screen 0 1280x1024x24' flowgate --demo --screenshot /tmp/s.png --after 3 2>/tmp/app.log ||
  { cat /tmp/app.log; die "flowgate --demo --screenshot failed"; }
[ -s /tmp/s.png ] || die "no screenshot"
[ "$(head -c 8 /tmp/s.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || die "the screenshot is not a PNG"
if grep -E 'Could not (load|find) the Qt platform plugin|Cannot find font|QFontDatabase' /tmp/app.log; then
  die "the app ran without its platform plugin or fonts"
fi
echo "/tmp/s.png: $(stat -c %s /tmp/s.png) bytes"

step "a double-clicked container opens the app (flowgate FILE.fgc under Xvfb)"
xvfb-run -a -s '-screen 0 1280x1024x24' flowgate "$some_fgc" --screenshot /tmp/restore.png --after 1 2>>/tmp/app.log ||
  { cat /tmp/app.log; die "flowgate FILE.fgc failed"; }
[ -s /tmp/restore.png ] || die "no screenshot of the restore queue"
echo "/tmp/restore.png: $(stat -c %s /tmp/restore.png) bytes"

step "apt-get remove -y flowgate"
apt-get remove -y -q flowgate >/tmp/remove.log || { cat /tmp/remove.log; die "apt-get remove failed"; }
grep -E '^Removing flowgate' /tmp/remove.log
status=$(dpkg-query -W -f='${db:Status-Abbrev}' flowgate 2>/dev/null || true)
case "$status" in ""|un*) ;; *) die "dpkg still lists flowgate as '$status'" ;; esac
left=0
while read -r p; do
  [ -e "$p" ] || continue
  if [ -d "$p" ]; then
    # A directory may stay only when another package owns it too.
    dpkg-query -S "$p" >/dev/null 2>&1 && continue
    echo "left behind: directory $p" >&2
  else
    echo "left behind: $p" >&2
  fi
  left=$((left + 1))
done </tmp/flowgate-files
strays=$(find /usr /etc /var/lib/dpkg/info -iname '*flowgate*' 2>/dev/null || true)
if [ -n "$strays" ]; then
  echo "left behind: $strays" >&2
  left=$((left + 1))
fi
[ "$left" -eq 0 ] || die "$left path(s) left behind after apt-get remove"
echo "removed cleanly: none of the $(wc -l </tmp/flowgate-files) paths remain, no *flowgate* file under /usr or /etc"

step "done"

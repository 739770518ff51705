#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# Checks the desktop integration and the man pages without building a package:
#
#   validate.sh SOURCE_DIR BUILD_DIR VERSION
#
#  - the desktop file passes desktop-file-validate;
#  - the AppStream metainfo passes appstreamcli validate --no-net, and its
#    newest release is the CMake project version;
#  - the MIME type compiles with update-mime-database and, when gio is there,
#    a container is recognised by its name and, renamed, by its magic bytes;
#  - the PNG icons have the sizes their folders say;
#  - every option and command of every --help appears in the man pages.
set -euo pipefail

src=$1 build=$2 version=$3
app_id=io.github.flowgate.Flowgate
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
need() {
  command -v "$1" >/dev/null 2>&1 || { echo "validate.sh: '$1' not found (scripts/deps.sh installs it)" >&2; exit 1; }
}
need desktop-file-validate
need appstreamcli
need update-mime-database
need man

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- desktop file -----------------------------------------------------------
desktop="$src/packaging/$app_id.desktop"
if out=$(desktop-file-validate "$desktop" 2>&1) && [ -z "$out" ]; then
  pass "desktop-file-validate $app_id.desktop"
else
  fail "desktop-file-validate $app_id.desktop: $out"
fi
grep -qx 'Exec=flowgate %F' "$desktop" || fail "the desktop file must run 'flowgate %F'"
grep -qx 'MimeType=application/x-flowgate-container;' "$desktop" || fail "the desktop file must open application/x-flowgate-container"
grep -qx "Icon=$app_id" "$desktop" || fail "the desktop file's icon must be $app_id"

# --- AppStream metainfo -----------------------------------------------------
metainfo="$src/packaging/$app_id.metainfo.xml"
if out=$(appstreamcli validate --no-net "$metainfo" 2>&1); then
  pass "appstreamcli validate --no-net $app_id.metainfo.xml"
else
  fail "appstreamcli validate: $out"
fi
newest=$(grep -m 1 -o '<release [^>]*version="[^"]*"' "$metainfo" | sed -n '1s/.*version="\([^"]*\)".*/\1/p')
if [ "$newest" = "$version" ]; then
  pass "metainfo's newest release is $version"
else
  fail "metainfo's newest release is '$newest', the CMake project version is '$version': add a <release> entry"
fi
grep -q "<launchable type=\"desktop-id\">$app_id.desktop</launchable>" "$metainfo" || fail "metainfo must launch $app_id.desktop"
[ -f "$src/docs/images/main-window.png" ] || fail "the screenshot docs/images/main-window.png is missing"

# --- MIME type ----------------------------------------------------------------
mkdir -p "$tmp/share/mime/packages"
cp "$src/packaging/$app_id-fgc.xml" "$tmp/share/mime/packages/"
if out=$(update-mime-database "$tmp/share/mime" 2>&1) && [ -f "$tmp/share/mime/application/x-flowgate-container.xml" ]; then
  pass "update-mime-database accepts $app_id-fgc.xml"
else
  fail "update-mime-database: $out"
fi
if grep -q 'x-flowgate-container' "$tmp/share/mime/magic" 2>/dev/null \
   && [[ "$(od -An -tx1 "$tmp/share/mime/magic" | tr -d ' \n')" == *89464743* ]]; then
  pass "the magic bytes are compiled in"
else
  fail "no magic for application/x-flowgate-container"
fi
if command -v gio >/dev/null 2>&1; then
  # A container header as docs/FORMAT.md describes it; the rest does not matter here.
  printf '\211FGC\r\n\032\n\001\000' >"$tmp/sample.fgc"
  head -c 200 /dev/zero >>"$tmp/sample.fgc"
  cp "$tmp/sample.fgc" "$tmp/sample-renamed"
  for f in sample.fgc sample-renamed; do
    type=$(XDG_DATA_DIRS="$tmp/share:/usr/share" XDG_DATA_HOME="$tmp/none" gio info -a standard::content-type "$tmp/$f" |
           sed -n 's/.*standard::content-type: //p')
    if [ "$type" = application/x-flowgate-container ]; then
      pass "gio sees $f as application/x-flowgate-container"
    else
      fail "gio sees $f as '$type'"
    fi
  done
fi

# --- icons ----------------------------------------------------------------
before=$failures
for size in 16 32 48 64 128 256; do
  png="$build/packaging/icons/${size}x${size}/$app_id.png"
  if [ ! -s "$png" ]; then
    fail "missing icon $png"
    continue
  fi
  # PNG: width and height are the big-endian words at bytes 16 and 20.
  dims=$(od -An -tu1 -j16 -N8 "$png" | awk '{ print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8 }')
  [ "$dims" = "${size}x${size}" ] || fail "$png is $dims"
done
if [ "$failures" -eq "$before" ]; then pass "PNG icons 16..256 have their sizes"; fi

# --- man pages against --help -----------------------------------------------
# Every "--option" and "-o" named in the left column of a --help, and every
# command, must appear in the page (in roff, "-" is written "\-").
check_page() { # page program [command]
  local page=$1 program=$2 command=${3:-} help opts missing=0
  if [ -n "$command" ]; then
    help=$(QT_QPA_PLATFORM=offscreen "$program" "$command" --help)
  else
    help=$(QT_QPA_PLATFORM=offscreen "$program" --help)
  fi
  opts=$(printf '%s\n' "$help" | grep -E '^ +-' | sed -E 's/^ +//; s/  +.*//' | grep -oE -- '--?[A-Za-z0-9][A-Za-z0-9-]*' | sort -u)
  [ -n "$opts" ] || { fail "no options found in ${program##*/} $command --help"; return; }
  # A command's options must be in that command's own section.
  local text
  if [ -n "$command" ]; then
    local title=".SH \"FLOWGATE\\-CLI $(printf '%s' "${command//-/\\-}" | tr '[:lower:]' '[:upper:]')\""
    text=$(T=$title awk '$0 == ENVIRON["T"] { on = 1; next } /^\.SH / { on = 0 } on' "$page")
  else
    text=$(cat "$page")
  fi
  for o in $opts; do
    if ! grep -qF -- "\\fB${o//-/\\-}\\fR" <<<"$text"; then
      fail "${page##*/}: ${program##*/} ${command:+$command }$o is not in the man page"
      missing=1
    fi
  done
  if [ "$missing" -eq 0 ]; then pass "${page##*/} documents every option of '${program##*/} ${command:+$command }--help'"; fi
}
cli="$build/src/cli/flowgate-cli"
app="$build/src/app/flowgate"
cli_page="$build/packaging/man/flowgate-cli.1"
app_page="$build/packaging/man/flowgate.1"
built=1
for f in "$cli" "$app" "$cli_page" "$app_page"; do
  [ -e "$f" ] || { fail "$f is missing (build the project first)"; built=0; }
done
if [ "$built" -eq 1 ]; then
  export XDG_RUNTIME_DIR="$tmp/run"
  mkdir -m 0700 "$XDG_RUNTIME_DIR"
  check_page "$app_page" "$app"
  check_page "$cli_page" "$cli"
  commands=$("$cli" --help | awk '/^[A-Za-z][A-Za-z ]*:$/ { c = ($0 == "Commands:"); next } c && /^  [^ ]/ { print $1 }')
  [ -n "$commands" ] || fail "no commands found in flowgate-cli --help"
  for c in $commands; do
    grep -qF "\\fB${c//-/\\-}\\fR" "$cli_page" || fail "command $c is not in flowgate-cli.1"
    grep -qF ".SH \"FLOWGATE\\-CLI $(printf '%s' "${c//-/\\-}" | tr '[:lower:]' '[:upper:]')\"" "$cli_page" ||
      fail "command $c has no section in flowgate-cli.1"
    check_page "$cli_page" "$cli" "$c"
  done
  if grep -nE '^\\fBflowgate\\-cli ([a-z\\-]+) \1( |\\)' "$cli_page"; then
    fail "a command's synopsis in flowgate-cli.1 repeats the command name"
  fi
  # The pages render without groff warnings, and the installed copies are
  # the gzipped pages.
  for page in "$cli_page" "$app_page"; do
    warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null || true)
    [ -z "$warnings" ] || fail "${page##*/} renders with warnings: $warnings"
    gzip -dc "$page.gz" | cmp -s - "$page" || fail "$page.gz is not the gzipped $page"
  done
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "All packaging checks passed."

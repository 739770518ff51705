#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# Writes a roff man page generated from a program's own --help, so the page
# and the program cannot drift:
#
#   make-manpage.sh PROGRAM NAME VERSION SUMMARY OUTPUT [SEE-ALSO...]
#
#   PROGRAM  the built executable to run (e.g. build/src/cli/flowgate-cli)
#   NAME     the installed name shown in the page (e.g. flowgate-cli)
#   VERSION  the version shown in the page footer
#   SUMMARY  the one-line description for the NAME section
#   OUTPUT   the .1 file to write
#   SEE-ALSO related pages for the SEE ALSO section, e.g. flowgate(1)
#
# When the top-level help has a "Commands:" section, every command listed
# there is run with --help as well and gets a section of its own. The help
# text is the QCommandLineParser layout: "Usage:" line, description, then
# "Heading:" sections whose entries are either "  term   description" lists
# (options, arguments, commands, exit codes) or indented example lines.
# The date comes from SOURCE_DATE_EPOCH when set (reproducible builds).
set -eu

if [ $# -lt 5 ]; then
  echo "usage: $0 PROGRAM NAME VERSION SUMMARY OUTPUT [SEE-ALSO...]" >&2
  exit 2
fi
program=$1 name=$2 version=$3 summary=$4 output=$5
shift 5

export LC_ALL=C.UTF-8
# The desktop app needs a platform to print its help; no display is needed.
export QT_QPA_PLATFORM=offscreen

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -m 0700 "$tmp/run"
export XDG_RUNTIME_DIR="$tmp/run"

"$program" --help >"$tmp/top.txt"
[ -s "$tmp/top.txt" ] || { echo "$0: '$program --help' printed nothing" >&2; exit 1; }

# The commands: the first word of each entry of the "Commands:" section.
awk '/^[A-Za-z][A-Za-z ]*:$/ { in_cmds = ($0 == "Commands:"); next }
     in_cmds && /^  [^ ]/ { print $1 }' "$tmp/top.txt" >"$tmp/commands"
while read -r cmd; do
  "$program" "$cmd" --help >"$tmp/cmd-$cmd.txt"
  [ -s "$tmp/cmd-$cmd.txt" ] || { echo "$0: '$program $cmd --help' printed nothing" >&2; exit 1; }
done <"$tmp/commands"

if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
else
  date=$(date -u +%Y-%m-%d)
fi

# render FILE DISPLAYNAME LEVEL: LEVEL "top" makes headings .SH sections and
# the usage line the SYNOPSIS; LEVEL "sub" makes a command's section.
render() {
  awk -v prog="$2" -v level="$3" '
    function esc(s) {
      gsub(/\\/, "\\e", s)
      gsub(/-/, "\\-", s)
      gsub(/'\''/, "\\(aq", s)
      if (s ~ /^\./) s = "\\&" s
      return s
    }
    function quoted(s) { s = esc(s); gsub(/"/, "\\(dq", s); return "\"" s "\"" }
    function indent_of(s) { match(s, /^ */); return RLENGTH }
    # Bold option names, italic <ARG> placeholders: "-o, --output-dir <DIR>".
    function optterm(t,    n, parts, i, out, w, words, j) {
      n = split(t, parts, /, /)
      out = ""
      for (i = 1; i <= n; i++) {
        w = split(parts[i], words, / /)
        out = out (i > 1 ? ", " : "") "\\fB" esc(words[1]) "\\fR"
        for (j = 2; j <= w; j++) out = out " \\fI" esc(words[j]) "\\fR"
      }
      return out
    }
    function term(t) {
      if (t ~ /^-/) return optterm(t)
      if (section == "Arguments") return "\\fI" esc(t) "\\fR"
      return "\\fB" esc(t) "\\fR"
    }
    function flush_entry() {
      if (eterm == "") return
      print ".TP"
      print term(eterm)
      print esc(edesc)
      eterm = ""; edesc = ""
    }
    function end_verbatim() { if (verbatim) { print ".fi"; print ".RE"; verbatim = 0 } }
    function end_block() { flush_entry(); end_verbatim(); para = 0 }
    function heading(h,    title) {
      end_block()
      title = h
      if (level == "top") {
        title = toupper(title)
        if (title == "EXIT CODES") title = "EXIT STATUS"
        print ".SH " quoted(title)
      } else {
        print ".SS " quoted(title)
      }
    }
    NR == 1 && /^Usage: / {
      # Drop the program as it was run (a path, or the name) and, for a
      # command, the command name when the program printed it too.
      sub(/^Usage: [^ ]+/, "")
      if (level == "sub") {
        cmd = prog; sub(/^[^ ]+ /, "", cmd)
        if (index($0, " " cmd " ") == 1 || $0 == " " cmd) $0 = substr($0, length(cmd) + 2)
      }
      usage = prog $0
      if (level == "top") {
        print ".SH SYNOPSIS"
        print ".B " esc(prog)
        print esc(substr($0, 2))
        synopsis_done = 1
      } else {
        print ".PP"
        print "\\fB" esc(usage) "\\fR"
      }
      started_desc = 0
      next
    }
    /^[A-Za-z][A-Za-z ]*:$/ {
      section = substr($0, 1, length($0) - 1)
      kind = ""
      heading(section)
      next
    }
    /^[ \t]*$/ { end_block(); next }
    {
      if (section == "" && level == "top" && !started_desc) {
        print ".SH DESCRIPTION"
      }
      started_desc = 1
      ind = indent_of($0)
      # A section is a definition list when its first entry has a gap of
      # two or more spaces between the term and its description.
      if (section != "" && kind == "") {
        kind = ($0 ~ /^ +[^ ]+( [^ ]+)*  +[^ ]/) ? "list" : "text"
        term_indent = ind
      }
      if (kind == "list") {
        if (ind <= term_indent) {
          flush_entry()
          line = substr($0, ind + 1)
          if (match(line, /  +/)) {
            eterm = substr(line, 1, RSTART - 1)
            edesc = substr(line, RSTART + RLENGTH)
          } else {
            eterm = line; edesc = ""
          }
        } else {
          line = $0; sub(/^ +/, "", line)
          edesc = edesc (edesc == "" ? "" : " ") line
        }
        next
      }
      if (ind > 0) {
        if (!verbatim) { para = 0; print ".PP"; print ".RS 4"; print ".nf"; verbatim = 1 }
        print esc(substr($0, 3))
      } else {
        end_verbatim()
        if (!para) { print ".PP"; para = 1 }
        print esc($0)
      }
    }
    END { end_block() }
  ' "$1"
}

upper=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]' | sed 's/-/\\-/g')
{
  printf '.\\" Generated by packaging/make-manpage.sh from "%s --help"; do not edit.\n' "$name"
  printf '.TH "%s" "1" "%s" "Flowgate %s" "User Commands"\n' "$upper" "$date" "$version"
  printf '.SH NAME\n%s \\- %s\n' "$(printf '%s' "$name" | sed 's/-/\\-/g')" "$summary"
  render "$tmp/top.txt" "$name" top
  while read -r cmd; do
    printf '.SH "%s %s"\n' "$upper" "$(printf '%s' "$cmd" | tr '[:lower:]' '[:upper:]' | sed 's/-/\\-/g')"
    render "$tmp/cmd-$cmd.txt" "$name $cmd" sub
  done <"$tmp/commands"
  if [ $# -gt 0 ]; then
    printf '.SH "SEE ALSO"\n'
    n=$#
    for page in "$@"; do
      n=$((n - 1))
      sep=","
      [ "$n" -eq 0 ] && sep=""
      printf '.BR %s (%s)%s\n' "$(printf '%s' "${page%%(*}" | sed 's/-/\\-/g')" "$(printf '%s' "${page#*(}" | tr -d ')')" "$sep"
    done
  fi
  printf '.SH AUTHORS\nThe Flowgate authors.\n'
} >"$tmp/page.1"
mv "$tmp/page.1" "$output"

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
"""Fails unless every Qt Linguist translation file is complete.

Usage:
  check_translations.py [--lupdate LUPDATE --lupdate-project FILE] TS_OR_DIR...

Every message of every .ts file (a directory stands for its *.ts files) must

  * be finished: no type="unfinished", no empty translation or numerus form;
  * still exist in the sources: no type="vanished" or type="obsolete";
  * keep the placeholders of its source: each %1 ... %9 (also %L1 ...) and,
    for plural messages, %n must appear in the translation, and the
    translation must not add placeholders the source does not have;
  * keep a keyboard accelerator (&X) if the source has one, and keep the
    HTML tags of the source.

With --lupdate and --lupdate-project (the <target>_project.cmake file that
qt_add_translations() generates), the check first runs lupdate over the
current sources into temporary copies of the .ts files, so that a new tr()
string nobody translated yet, or a string that was removed from the sources,
fails the check even before anyone reruns the update target. The .ts files
themselves are never modified.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

PLACEHOLDER = re.compile(r"%L?([1-9])(?![0-9])")
NUMERUS = re.compile(r"%L?n")
# An accelerator: "&" followed by a character that is neither "&" nor a
# space; "&&" is a literal ampersand.
ACCEL = re.compile(r"(?<!&)&(?!&)(?=[^\s&])")
HTML_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")


def placeholders(text):
    return {"%" + m.group(1) for m in PLACEHOLDER.finditer(text or "")}


def has_accel(text):
    return bool(ACCEL.search((text or "").replace("&&", "")))


def html_tags(text):
    return sorted(m.group(0).lower() for m in HTML_TAG.finditer(text or ""))


def short(text, limit=70):
    text = (text or "").replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_file(path, display=None):
    """Returns (number of messages, list of problems) for one .ts file."""
    display = display or path
    problems = []
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        return 0, [f"{display}: cannot parse: {e}"]
    if root.tag != "TS":
        return 0, [f"{display}: not a Qt Linguist file (root element <{root.tag}>)"]
    count = 0
    for context in root.iter("context"):
        ctx = context.findtext("name") or "?"
        for message in context.iter("message"):
            count += 1
            source = message.findtext("source") or ""
            where = f"{display}: [{ctx}] \"{short(source)}\""
            tr = message.find("translation")
            if tr is None:
                problems.append(f"{where}: no <translation> element")
                continue
            kind = tr.get("type")
            if kind in ("vanished", "obsolete"):
                problems.append(f"{where}: {kind} (the source string is gone; rerun lupdate with -no-obsolete)")
                continue
            if kind == "unfinished":
                problems.append(f"{where}: unfinished")
                continue
            numerus = message.get("numerus") == "yes"
            if numerus:
                forms = [f.text or "" for f in tr.iter("numerusform")]
                if not forms or any(not f.strip() for f in forms):
                    problems.append(f"{where}: a plural form is empty")
                    continue
            else:
                forms = [tr.text or ""]
                if not forms[0].strip() and source.strip():
                    problems.append(f"{where}: empty translation")
                    continue
            want = placeholders(source)
            for form in forms:
                got = placeholders(form)
                if want - got:
                    problems.append(f"{where}: translation \"{short(form)}\" lacks {', '.join(sorted(want - got))}")
                if got - want:
                    problems.append(f"{where}: translation \"{short(form)}\" adds {', '.join(sorted(got - want))}")
                if numerus and NUMERUS.search(source) and len(forms) == 1 and not NUMERUS.search(form):
                    problems.append(f"{where}: translation \"{short(form)}\" lacks %n")
                if has_accel(source) and not has_accel(form):
                    problems.append(f"{where}: translation \"{short(form)}\" lost the keyboard accelerator (&)")
                if html_tags(source) != html_tags(form):
                    problems.append(f"{where}: translation \"{short(form)}\" does not keep the HTML tags of the source")
    return count, problems


def read_lupdate_project(path):
    """Reads the set(...) lines of a <target>_project.cmake file."""
    values = {}
    with open(path, encoding="utf-8") as f:
        for m in re.finditer(r'set\((\w+)\s+"((?:[^"\\]|\\.)*)"\)', f.read()):
            values[m.group(1)] = [v for v in m.group(2).replace('\\"', '"').split(";") if v]
    return values


def sync_copies(ts_files, lupdate, project_file, workdir):
    """Runs lupdate over the current sources into copies of ts_files."""
    project = read_lupdate_project(project_file)
    sources = project.get("lupdate_sources", [])
    if not sources:
        raise RuntimeError(f"{project_file}: no lupdate_sources")
    copies = []
    for i, ts in enumerate(ts_files):
        copy = os.path.join(workdir, f"{i}_{os.path.basename(ts)}")
        shutil.copyfile(ts, copy)
        copies.append(copy)
    project_json = os.path.join(workdir, "project.json")
    with open(project_json, "w", encoding="utf-8") as f:
        json.dump({
            "projectFile": (project.get("lupdate_project_file") or [""])[0],
            "includePaths": project.get("lupdate_include_paths", []),
            "sources": sources,
            "translations": copies,
        }, f, indent=2)
    # No -no-obsolete: a string that left the sources must show up as vanished.
    run = subprocess.run([lupdate, "-project", project_json, "-locations", "none", "-silent"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"lupdate failed ({run.returncode}):\n{run.stdout}")
    if run.stdout.strip():
        print(run.stdout.strip())
    return copies


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", help=".ts files or directories holding them")
    parser.add_argument("--lupdate", help="lupdate executable: compare against the current sources")
    parser.add_argument("--lupdate-project", help="the <target>_project.cmake file of qt_add_translations()")
    args = parser.parse_args()
    if bool(args.lupdate) != bool(args.lupdate_project):
        parser.error("--lupdate and --lupdate-project go together")

    ts_files = []
    for p in args.paths:
        if os.path.isdir(p):
            ts_files += sorted(os.path.join(p, n) for n in os.listdir(p) if n.endswith(".ts"))
        else:
            ts_files.append(p)
    if not ts_files:
        print("FAIL: no .ts files found in " + ", ".join(args.paths))
        return 1

    problems = []
    total = 0
    with tempfile.TemporaryDirectory(prefix="flowgate-i18n-") as workdir:
        checked = list(zip(ts_files, ts_files))
        if args.lupdate:
            for f in (args.lupdate, args.lupdate_project):
                if not os.path.exists(f):
                    print(f"FAIL: {f} does not exist")
                    return 1
            try:
                copies = sync_copies(ts_files, args.lupdate, args.lupdate_project, workdir)
            except (RuntimeError, OSError) as e:
                print(f"FAIL: {e}")
                return 1
            checked = list(zip(copies, ts_files))
        for path, display in checked:
            n, found = check_file(path, display)
            total += n
            problems += found

    for p in problems:
        print("FAIL: " + p)
    what = "against the current sources" if args.lupdate else "as committed"
    if problems:
        print(f"{len(problems)} problem(s) in {len(ts_files)} file(s), {total} message(s) checked {what}.")
        if args.lupdate:
            print("Rerun the <target>_lupdate target, translate what it added, then check again.")
        return 1
    print(f"OK: {total} message(s) in {len(ts_files)} file(s) are complete ({what}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# The worked example of docs/FORMAT.md is what flowgate-cli writes: runs the
# documented commands and compares the container, byte for byte, with the dump
# in the document, then the sizes and the header hash the text states.
#
#   format_example.sh FLOWGATE-CLI docs/FORMAT.md
set -euo pipefail
cli=$(realpath "$1") doc=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
doc_has() { grep -qF -- "$1" "$doc" || fail "docs/FORMAT.md no longer says: $1"; }

cd "$tmp"
# The commands as the document gives them.
doc_has "printf 'hello' > hi.txt"
doc_has "touch -d '2024-01-02 03:04:05.123456789 UTC' hi.txt; chmod 0644 hi.txt"
doc_has "flowgate-cli pack --cipher none --codec none hi.txt"
printf 'hello' > hi.txt
touch -d '2024-01-02 03:04:05.123456789 UTC' hi.txt; chmod 0644 hi.txt
"$cli" pack -q --cipher none --codec none hi.txt >/dev/null

awk '/^```$/ { block = !block; next } block && /^[0-9a-f]+: /' "$doc" > want.txt
[ -s want.txt ] || fail "no xxd dump found in docs/FORMAT.md"
xxd hi.txt.fgc > got.txt
diff -u want.txt got.txt || fail "hi.txt.fgc differs from the dump in docs/FORMAT.md (- document, + written)"
echo "ok: the dump matches the container"

size=$(stat -c %s hi.txt.fgc)
doc_has "gives the same $size bytes on any machine"
hash=$(head -c 97 hi.txt.fgc | sha256sum | cut -d' ' -f1)
doc_has "\`$hash\`"
echo "ok: size $size and header hash $hash are the ones documented"

# The encrypted variant's size (its salts are random, its size is not).
printf 'a passphrase\n' > pass.txt
mkdir enc
"$cli" pack -q --codec none --passphrase-file pass.txt -o enc hi.txt >/dev/null
size=$(stat -c %s enc/hi.txt.fgc)
doc_has "the same file gives a $size-byte"
echo "ok: the encrypted container's size ($size bytes) is the one documented"

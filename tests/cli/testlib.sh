# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# Helpers shared by the shell tests of tests/cli (sourced, not run):
#   check "what" COMMAND...   runs COMMAND: "ok   - what" or "FAIL - what"
#   pass / fail "what"        count and print one result
#   summary                   prints "N passed, M failed"; status 0 when none failed
#   contains FILE TEXT, lacks FILE TEXT, empty_dir DIR
#   wait_for "what" SECONDS COMMAND...   polls COMMAND every 20 ms until it holds

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() { # check "description" command...
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
summary() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
contains() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }
empty_dir() { [ -z "$(find "$1" -mindepth 1 -print -quit)" ]; }
wait_for() {
  local what=$1 limit=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "timed out after ${limit} s waiting for: $what"
      return 1
    fi
    sleep 0.02
  done
}

#!/bin/sh
# The command line itself: --version, --help, usage errors.
. "$(dirname "$0")/../lib/e2e.sh"

expect cli/version 0 "$ACMEC" --version
grep_in cli/version-text "$T_TMP/out" '^acmec [0-9][0-9.]*$'

expect cli/help 0 "$ACMEC" --help
grep_in cli/help-usage "$T_TMP/out" '^usage: acmec'
grep_in cli/help-exit-status "$T_TMP/out" 'Exit status'

expect cli/no-command 2 "$ACMEC"
grep_in cli/no-command-says "$T_TMP/err" 'no command given'

expect cli/unknown-command 2 "$ACMEC" frobnicate
grep_in cli/unknown-command-says "$T_TMP/err" "unknown command 'frobnicate'"

expect cli/bad-flag 2 "$ACMEC" --no-such-flag
finish

#!/bin/sh
# The manual pages are mdoc that mandoc accepts without a warning.
. "$(dirname "$0")/../lib/e2e.sh"

for page in man/acmec.1 man/acmec.conf.5; do
	expect "man/lint-$(basename "$page")" 0 mandoc -Tlint -Wwarning "$page"
done
finish

#!/bin/sh
# A short run of every libFuzzer harness (tests/fuzz/) from its seed corpus:
# the config loader, the http-01 request parser, the ACME response parsers,
# PEM chains/CSRs/keys and base64.  `make fuzz FUZZ_SECONDS=N` runs longer.
. "$(dirname "$0")/../lib/e2e.sh"

for f in config http01 acme pem b64 xml; do
	bin=$T_TOP/build/fuzz/fuzz_$f
	if [ ! -x "$bin" ]; then
		fail "fuzz/$f" "$bin is not built (make fuzz-build)"
		continue
	fi
	mkdir -p "$T_TMP/corpus-$f"
	if "$bin" -max_total_time=3 -print_final_stats=1 "$T_TMP/corpus-$f" \
	    "$T_TOP/tests/fuzz/corpus/$f" >"$T_TMP/fuzz-$f.log" 2>&1; then
		pass "fuzz/$f ($(sed -n 's/^stat::number_of_executed_units: *//p' "$T_TMP/fuzz-$f.log") runs)"
	else
		fail "fuzz/$f" "$(grep -E 'ERROR|SUMMARY|crash-' "$T_TMP/fuzz-$f.log" | head -5)"
	fi
done
finish

#!/bin/sh
# man/opsdeck.yaml.5 against the tables it documents: every key that
# `opsdeck check-config --keys` prints (the key table, config_keys.c) has an
# entry in FORMAT and every entry there is a key; every metric that
# `opsdeck check-config --metrics` prints (metrics.c) is in METRICS with the
# same unit and direction, and nothing else is.
. "$top_srcdir/tests/lib.sh"
tmpdir
plan 6
MAN=$top_srcdir/man/opsdeck.yaml.5

# lacks DESCRIPTION A B: ok when every line of A (a sorted list) is in B;
# else the lines B lacks are shown.
lacks() {
	_missing=$(comm -23 "$2" "$3")
	if [ -z "$_missing" ]; then ok "$1"; else not_ok "$1"; diag "$_missing"; fi
}

"$OPSDECK" check-config --keys >"$T/keys.out"; rc=$?
awk 'NR > 1 { print $1 }' "$T/keys.out" | LC_ALL=C sort >"$T/keys"
[ $rc -eq 0 ] && [ "$(wc -l <"$T/keys")" -ge 20 ]
check "check-config --keys prints the key table" [ $? -eq 0 ]
# A key's entry: ".TP" then ".B KEY" anywhere under .SH FORMAT.
awk '/^\.SH / { fmt = ($2 == "FORMAT") }
	fmt && prev == ".TP" && $1 == ".B" && NF == 2 { print $2 }
	{ prev = $0 }' "$MAN" | LC_ALL=C sort >"$T/man_keys"
lacks "every key of the table is documented in opsdeck.yaml(5)" "$T/keys" "$T/man_keys"
lacks "every key opsdeck.yaml(5) documents is in the table" "$T/man_keys" "$T/keys"

"$OPSDECK" check-config --metrics >"$T/metrics.out"; rc=$?
awk 'NR > 1 && $1 !~ /^devices\./ { print $1, $2, $3 }' "$T/metrics.out" |
	LC_ALL=C sort >"$T/metrics"
[ $rc -eq 0 ] && [ "$(wc -l <"$T/metrics")" -ge 10 ]
check "check-config --metrics prints the metric table" [ $? -eq 0 ]
# A metric's entry under .SH METRICS: ".TP", ".B PATH", "(UNIT, WORSE is worse) help".
awk '/^\.SH / { met = ($2 == "METRICS") }
	met && path != "" {
		unit = "-"; dir = "?"
		if (match($0, /^\([^)]* is worse\)/)) {
			s = substr($0, 2, RLENGTH - 11)	# "UNIT, higher" or "higher"
			n = split(s, f, ", ")
			if (n == 2) { unit = f[1]; dir = f[2] } else dir = f[1]
		}
		print path, unit, dir; path = ""
	}
	met && prev == ".TP" && $1 == ".B" && NF == 2 { path = $2 }
	{ prev = $0 }' "$MAN" | LC_ALL=C sort >"$T/man_metrics"
lacks "every metric is in opsdeck.yaml(5) with its unit and direction" "$T/metrics" "$T/man_metrics"
lacks "every metric opsdeck.yaml(5) lists is in the table, same unit and direction" \
	"$T/man_metrics" "$T/metrics"
done_testing

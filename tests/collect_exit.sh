#!/bin/sh
# `opsdeck collect` runs as asked whatever the hosts do, and every subcommand
# exits with the statuses of opsdeck(1), EXIT STATUS, that a service manager
# reads: 0 ran as asked, 1 some hosts never answered (bounded runs), 2 usage,
# 3 the cache is held by another writer, 4 configuration error. And the
# systemd unit in examples/ matches them.
. "$top_srcdir/tests/lib.sh"
tmpdir
plan 26

# Hosts that refuse every connection (nothing listens on port 1).
cat >"$T/refuse.yaml" <<Y
defaults:
  port: 1
  interval: 500ms
  timeout: 1s
  backoff_max: 500ms
  known_hosts: $T/known_hosts
groups:
  - name: gone
    hosts: [127.0.0.1, 127.0.0.2]
Y
cat >"$T/local.yaml" <<Y
groups:
  - name: here
    transport: local
    hosts: [here]
    probes: [linux]
    interval: 200ms
Y
printf 'groups:\n  - name: a\n    hosts: a[3-1]\n    intervl: 1s\n' >"$T/bad.yaml"
now_ms() { date +%s%3N; }

# --- collect runs as asked -------------------------------------------------
t0=$(now_ms)
"$OPSDECK" collect -c "$T/refuse.yaml" --cache "$T/c1.db" --duration 3s 2>"$T/err"; rc=$?
dt=$(( $(now_ms) - t0 ))
diag "every host refusing, --duration 3s: exit $rc after $dt ms"
check "every host refusing: collect --duration 3s runs its 3 s" [ "$dt" -ge 3000 ]
check "and exits 1: some hosts never answered" [ $rc -eq 1 ]
check "naming them and why" grep -q \
	"never answered: 127.0.0.1 (down: connection refused by 127.0.0.1 port 1)" "$T/err"

t0=$(now_ms)
"$OPSDECK" collect -c "$T/refuse.yaml" --cache "$T/c1.db" --cycles 2 2>"$T/err"; rc=$?
dt=$(( $(now_ms) - t0 ))
diag "every host refusing, --cycles 2 (interval 500ms, timeout 1s): exit $rc after $dt ms"
[ "$dt" -ge 2000 ] && [ "$dt" -lt 10000 ]
check "--cycles 2 runs two intervals and the timeout (${dt} ms)" [ $? -eq 0 ]
check "and exits 1" [ $rc -eq 1 ]

"$OPSDECK" collect -c "$T/refuse.yaml" --cache "$T/c1.db" 2>"$T/err" &
pid=$!
sleep 3
check "without a bound, collect runs on while every host refuses" kill -0 $pid
kill -TERM $pid
wait $pid; rc=$?
check "and SIGTERM ends it with 0 (ran as asked)" [ $rc -eq 0 ]

t0=$(now_ms)
"$OPSDECK" collect -c "$T/local.yaml" --cache "$T/c2.db" --cycles 2 2>"$T/err"; rc=$?
dt=$(( $(now_ms) - t0 ))
[ $rc -eq 0 ] && [ "$dt" -lt 5000 ]
check "a host that answers: --cycles 2 ends after its two cycles, exit 0 ($dt ms)" [ $? -eq 0 ]
"$OPSDECK" collect -c "$T/local.yaml" --cache "$T/c2.db" --duration 1s 2>"$T/err"
check "--duration with every host answering: exit 0" [ $? -eq 0 ]

# --- 3: the cache held by another writer ----------------------------------------
"$OPSDECK" collect -c "$T/local.yaml" --cache "$T/held.db" 2>/dev/null &
holder=$!
at_exit "kill $holder 2>/dev/null"
held() { grep -q "^$holder " "$T/held.db.lock" 2>/dev/null; }
wait_for 10 held
"$OPSDECK" collect -c "$T/local.yaml" --cache "$T/held.db" --cycles 1 2>"$T/err"; rc=$?
check "a second collect on a held cache exits 3" [ $rc -eq 3 ]
check "naming the pid that holds it" grep -q "in use by pid $holder (" "$T/err"
check "and suggesting --offline or --cache" grep -q -- "--offline.*--cache FILE" "$T/err"
diag "$(cat "$T/err")"
"$OPSDECK" snapshot -c "$T/local.yaml" --cache "$T/held.db" >/dev/null 2>"$T/err"
check "snapshot on a held cache exits 3 too" [ $? -eq 3 ]
kill -TERM $holder
wait $holder
check "the holder, stopped by SIGTERM, exits 0" [ $? -eq 0 ]

# --- 4: configuration errors, 2: usage, in every subcommand ------------------------
for sub in collect snapshot history alerts "budget report" check-config; do
	# shellcheck disable=SC2086
	if [ "$sub" = history ]; then
		"$OPSDECK" history -c "$T/bad.yaml" somehost >/dev/null 2>"$T/err"
	else
		"$OPSDECK" $sub -c "$T/bad.yaml" >/dev/null 2>"$T/err"
	fi
	rc=$?
	[ $rc -eq 4 ] && grep -q "^$T/bad.yaml:[0-9]*:[0-9]*: " "$T/err"
	check "$sub: a configuration error exits 4 (FILE:LINE:COL)" [ $? -eq 0 ]
done
bad_usage=0
for sub in collect snapshot history alerts "budget report" check-config; do
	# shellcheck disable=SC2086
	"$OPSDECK" $sub --no-such-option >/dev/null 2>&1
	rc=$?
	[ $rc -eq 2 ] || { bad_usage=1; diag "$sub --no-such-option: exit $rc"; }
done
check "every subcommand: an unknown option exits 2" [ $bad_usage -eq 0 ]
"$OPSDECK" collect --cycles 2 --duration 1s >/dev/null 2>&1
check "collect --cycles with --duration exits 2" [ $? -eq 2 ]

"$OPSDECK" collect --help >"$T/help"
check "collect --help states the exit statuses" \
	grep -q "^Exit status: 0 ran as asked; 1 some hosts never answered" "$T/help"

# --- the systemd unit ------------------------------------------------------------
U="$top_srcdir/examples/opsdeck-collect.service"
check "examples/opsdeck-collect.service restarts on failure" grep -qx "Restart=on-failure" "$U"
check "but not on usage (2) or configuration (4) errors" \
	grep -qx "RestartPreventExitStatus=2 4" "$U"
if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s|/usr/bin/opsdeck|$OPSDECK|g" "$U" >"$T/opsdeck-collect.service"
	systemd-analyze verify --man=no "$T/opsdeck-collect.service" >"$T/verify" 2>&1
	rc=$?
	[ $rc -eq 0 ] && [ ! -s "$T/verify" ]
	check "systemd-analyze verify accepts it, without a remark" [ $? -eq 0 ]
	[ -s "$T/verify" ] && diag "$(cat "$T/verify")"
else
	skip "systemd-analyze is not installed"
fi
done_testing

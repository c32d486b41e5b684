#!/bin/sh
# Start from cache: the console's first frame shows the last known state of
# every host, marked stale, before any host has answered; then the host's
# own report turns it up. An --offline console on a cache nobody writes shows
# the same hosts stale with their age.
. "$top_srcdir/tests/lib.sh"
tmpdir
. "$top_srcdir/tests/console_lib.sh"
plan 5

# warm1's report: the first one after $T/slow appears takes two seconds, so a
# console's first frame surely comes from the cache alone
cat >"$T/ctl.yaml" <<Y
schema: 1
controller: warm1
sector: energy
devices: []
Y
cat >"$T/c.yaml" <<Y
groups:
  - name: lab
    kind: testbed
    transport: local
    hosts: [warm1]
    probes: [linux, testbed]
    command: "if [ -e $T/slow ]; then rm -f $T/slow; sleep 2; fi; cat $T/ctl.yaml"
    interval: 500ms
Y
timeout 30 "$OPSDECK" snapshot -c "$T/c.yaml" --cache "$CACHE" >/dev/null 2>&1
check "a snapshot warmed the cache" [ $? -eq 0 ]
sleep 1.5	# older than two intervals: the cache's view of warm1 is now stale

# A collecting console; warm1's first report takes two seconds, so the first
# frame comes from the cache alone.
touch "$T/slow"
$TM new-session -d -s c -x 120 -y 30 \
    "env LANG=C.UTF-8 '$OPSDECK' console -c '$T/c.yaml' --cache '$CACHE' 2>>'$T/stderr.log'"
$TM set-option -t c remain-on-exit on >/dev/null
wait_for 10 screen_has "warm1"
if screen | grep -F "warm1" | grep -q "stale"; then
	ok "the first frame shows warm1 from the cache, marked stale"
else
	not_ok "the first frame shows warm1 from the cache, marked stale"; diag "$(screen | head -6)"
fi
wait_for 10 sh -c "$TM capture-pane -p -t c | grep -F warm1 | grep -q ' up '"
check "then warm1's own report marks it up" [ $? -eq 0 ]
keys q
wait_for 5 sh -c "[ \"\$($TM display-message -p -t c '#{pane_dead}')\" = 1 ]"
$TM kill-session -t c 2>/dev/null

sleep 1.5
console_start 120 30 -- -c "$T/c.yaml"
screen | grep -F "warm1" | grep -q "stale"
check "an offline console shows the cached host stale" [ $? -eq 0 ]
wait_screen "ago"
check "with the age of its data" [ $? -eq 0 ]
keys q
done_testing

#!/bin/sh
# The console starts on a cache, shows its five panes, the hosts, their states
# and the offline status line; `q` and SIGTERM restore the terminal.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 20

fill || { not_ok "console_fill"; exit 1; }
if console_start 120 40; then ok "console starts at 120x40"; else not_ok "console starts"; screen | sed 's/^/# /'; exit 1; fi
for p in Compute Devices Budgets Detail Alerts; do
	check "pane $p is titled" screen_has "$p"
done
check "hosts are listed with state words" sh -c "$TM capture-pane -p -t c | grep -q 'gpu004 .*● up' && $TM capture-pane -p -t c | grep -q 'cpu001 .*✖ down'"
check "group header with totals" screen_has "gpu-a100 (nodes)  up 6/6"
check "offline status line with the data's time" sh -c "$TM capture-pane -p -t c | tail -n 1 | grep -Eq 'offline, data from [0-9]{2}:[0-9]{2}:[0-9]{2} \\([0-9]+s ago\\)'"
check "alerts list hosts that are not up, with errors" screen_has "cpu001 is down: connection refused"
check "Devices and Budgets say what is missing" sh -c "$TM capture-pane -p -t c | grep -q 'no budget configured'"
check "terminal in the alternate screen while running" test "$(pane '#{alternate_on}')" = 1
keys q
if quit_ok; then ok "q quits with status 0 and restores the terminal"; else
	not_ok "q restores the terminal"
	diag "exit/alternate: $(cat "$T/exit" 2>/dev/null) $(pane '#{alternate_on}')"
	diag "$(cat "$T/stderr.log")"
	screen | tail -n 3 | sed 's/^/# /'
fi

console_start 100 30 >/dev/null
kill -TERM "$(console_pid)"
if quit_ok; then ok "SIGTERM ends it cleanly, terminal restored"; else
	not_ok "SIGTERM"
	diag "exit/alternate: $(cat "$T/exit" 2>/dev/null) $(pane '#{alternate_on}')"
	diag "$(cat "$T/stderr.log")"
fi

console_start 100 30 >/dev/null
keys C-c
if quit_ok; then ok "Ctrl-C (SIGINT) ends it cleanly"; else not_ok "Ctrl-C"; fi
console_start 100 30 >/dev/null
keys : q Enter
if quit_ok; then ok ":q quits"; else not_ok ":q quits"; fi

# thresholds from the configuration become alerts
cat > "$T/config.yaml" <<'YAML'
groups:
  - name: gpu-a100
    hosts: gpu[001-006]
  - name: cpu
    hosts: cpu[001-003]
thresholds:
  cpu.util_pct: {warn: 50, crit: 70}
  gpus.temp_c: {warn: 58, crit: 60}
YAML
# (this cache has no alert log: the console evaluates the collector's rules,
# on hosts that are up: a fresh fill, before its samples are two intervals old)
fill || { not_ok "console_fill"; exit 1; }
console_start 160 50 -- -c "$T/config.yaml"
keys h z	# the Alerts pane, zoomed: all 22 alerts in view
check "a crit threshold crossed is an alert" \
    wait_for 5 sh -c "$TM capture-pane -p -t c | grep -q 'CRIT .* gpu005 gpu005 cpu.util_pct [0-9.]* >= 70'"
check "a warn threshold on GPU temperature too, one per GPU" \
    sh -c "$TM capture-pane -p -t c | grep -q 'WARN .* gpu003/gpu0 gpu003 gpu0 gpus.0.temp_c 58 >= 58'"

# with its own collector (built-in default: the local machine), the data is
# live: the local host comes up and the sample time moves on
rm -f "$CACHE"*
$TM new-session -d -s live -x 120 -y 40 \
    "exec env LANG=C.UTF-8 '$OPSDECK' console --cache '$CACHE'"
$TM set-option -t live remain-on-exit on >/dev/null
live() { $TM capture-pane -p -t live; }
live_sample() { live | tail -n 1 | sed -n 's/.*last sample \([0-9:]*\).*/\1/p'; }
if wait_for 15 sh -c "$TM capture-pane -p -t live | grep -q '● up'"; then
	ok "live: the local host is up"
else
	not_ok "live: the local host is up"; live | tail -n 3 | sed 's/^/# /'
fi
s1=$(live_sample)
moved() { s2=$(live_sample); [ -n "$s2" ] && [ "$s2" != "$s1" ]; }
if [ -n "$s1" ] && wait_for 15 moved; then
	ok "live: new samples reach the screen ($s1, then $s2)"
else
	not_ok "live: new samples reach the screen"; live | tail -n 1 | sed 's/^/# /'
fi
$TM send-keys -t live q
done_testing

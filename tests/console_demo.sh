#!/bin/sh
# `opsdeck --demo` in tmux: two demos side by side take two ports; killing
# the tmux server (SIGHUP to the consoles), SIGTERM and SIGINT (C-c) each
# leave no simulator process and no directory behind; a port that is taken
# is named; a simulator that does not start says why.
. "$top_srcdir/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "no python3"
[ -x "$top_builddir/opsdeck-fleetsim" ] || skip_all "opsdeck-fleetsim not built"
. "$top_srcdir/tests/console_lib.sh"
plan 14

mkdir -p "$T/tmp"
DEMO_TMP=$T/tmp

# sims: how many processes run with a demo directory of this test in argv.
sims() {
	# (dem[o]: the pattern does not match grep's own argv)
	grep -la -- "$DEMO_TMP/opsdeck-dem[o]" /proc/[0-9]*/cmdline 2>/dev/null | wc -l
}
dirs() { find "$DEMO_TMP" -mindepth 1 -maxdepth 1 | wc -l; }
nothing_left() { [ "$(sims)" -eq 0 ] && [ "$(dirs)" -eq 0 ]; }
# demo NAME ARGS...: `opsdeck --demo ARGS` in tmux session NAME; its stderr
# and exit status in $T/NAME.err and $T/NAME.exit.
demo() {
	_s=$1; shift
	rm -f "$T/$_s.exit"
	$TM new-session -d -s "$_s" -x 160 -y 45 \
	    "env LANG=C.UTF-8 TMPDIR='$DEMO_TMP' '$OPSDECK' --demo $* 2>'$T/$_s.err'; \
	    echo \$? > '$T/$_s.exit'"
	$TM set-option -t "$_s" remain-on-exit on >/dev/null
}
# up_in DIR: every node of the demo in DIR is up in its cache.
up_in() {
	python3 - "$1/cache.db" "$1/nodes" <<'PY'
import sqlite3, sys
want = sum(1 for line in open(sys.argv[2]) if line.strip())
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=1)
up = c.execute("SELECT count(*) FROM hosts WHERE state = 1").fetchone()[0]
sys.exit(0 if up == want else 1)
PY
}
port_of() { awk '$1 == "port:" { print $2; exit }' "$1/config.yaml"; }
# console_pid NAME: the opsdeck process of session NAME (the pane's shell's child).
console_pid() {
	ps -o pid= --ppid "$($TM display-message -p -t "$1" '#{pane_pid}')" | tr -d ' ' | head -1
}

# 1. two demos side by side
demo d1 4
wait_for 60 sh -c "ls -d '$DEMO_TMP'/opsdeck-demo.* >/dev/null 2>&1"
D1=$(ls -d "$DEMO_TMP"/opsdeck-demo.* 2>/dev/null | head -1)
demo d2 4
wait_for 60 sh -c "[ \$(ls -d '$DEMO_TMP'/opsdeck-demo.* | wc -l) -eq 2 ]"
D2=$(ls -d "$DEMO_TMP"/opsdeck-demo.* 2>/dev/null | grep -v -x "$D1" | head -1)
if wait_for 60 up_in "$D1" && wait_for 60 up_in "$D2"; then
	ok "two demos side by side: every node of each is up"
else
	not_ok "two demos side by side: every node of each is up"
	cat "$T/d1.err" "$T/d2.err" >&2
fi
P1=$(port_of "$D1") P2=$(port_of "$D2")
check "each took a port of its own ($P1, $P2)" sh -c "[ -n '$P1' ] && [ '$P1' != '$P2' ]"
check "two simulators run" [ "$(sims)" -eq 2 ]

# 2. the terminal goes away: SIGHUP to both consoles
$TM kill-session -t keep 2>/dev/null
$TM kill-server
if wait_for 15 nothing_left; then
	ok "tmux server killed: no simulator and no directory left"
else
	not_ok "tmux server killed: no simulator and no directory left"
	diag "sims $(sims), dirs $(dirs)"
fi

# a fresh server for the rest
$TM new-session -d -s keep -x 80 -y 24 "sleep 3600"

# 3. SIGTERM to the console
demo d3 4
wait_for 60 sh -c "ls -d '$DEMO_TMP'/opsdeck-demo.* >/dev/null 2>&1"
D3=$(ls -d "$DEMO_TMP"/opsdeck-demo.* 2>/dev/null | head -1)
wait_for 60 up_in "$D3"
check "a third demo runs" [ "$(sims)" -eq 1 ]
kill -TERM "$(console_pid d3)"
check "SIGTERM: the console exits 0" wait_for 15 grep -qsx 0 "$T/d3.exit"
check "SIGTERM: no simulator and no directory left" wait_for 15 nothing_left

# 4. SIGINT (C-c in the terminal; the simulator is in a group of its own)
demo d4 4
wait_for 60 sh -c "ls -d '$DEMO_TMP'/opsdeck-demo.* >/dev/null 2>&1"
D4=$(ls -d "$DEMO_TMP"/opsdeck-demo.* 2>/dev/null | head -1)
wait_for 60 up_in "$D4"
$TM send-keys -t d4 C-c
check "SIGINT: the console exits" wait_for 15 test -s "$T/d4.exit"
check "SIGINT: no simulator and no directory left" wait_for 15 nothing_left

# 5. a port that is taken, asked for by name
python3 - "$T/port" <<'PY' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.1.1", 0))
s.listen(1)
open(sys.argv[1] + ".tmp", "w").write("%d\n" % s.getsockname()[1])
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(120)
PY
HOLD=$!
at_exit "kill $HOLD 2>/dev/null"
wait_for 10 test -s "$T/port"
TAKEN=$(cat "$T/port")
demo d5 4 --demo-port "$TAKEN"
wait_for 30 test -s "$T/d5.exit"
check "--demo-port on a taken port: exit 1" grep -qx 1 "$T/d5.exit"
check "and the message names the port" \
    grep -q "port $TAKEN is taken on 127.0.1.1: .*Address already in use" "$T/d5.err"
diag "$(cat "$T/d5.err")"
check "and nothing is left behind" wait_for 10 nothing_left
kill "$HOLD" 2>/dev/null

# 6. a simulator that fails: the reason is its exit status and its stderr
mkdir -p "$T/bin"
cp "$OPSDECK" "$T/bin/opsdeck"
printf '#!/bin/sh\necho "opsdeck-fleetsim: no host keys for you" >&2\nexit 1\n' \
    >"$T/bin/opsdeck-fleetsim"
chmod +x "$T/bin/opsdeck-fleetsim"
SAVED=$OPSDECK
OPSDECK=$T/bin/opsdeck
demo d6 4
OPSDECK=$SAVED
wait_for 30 test -s "$T/d6.exit"
diag "$(cat "$T/d6.err")"
check "did not start: exit status and the simulator's stderr" \
    grep -q "did not start (.*, exit status 1): opsdeck-fleetsim: no host keys for you" \
    "$T/d6.err"
check "and nothing is left behind" wait_for 10 nothing_left
done_testing

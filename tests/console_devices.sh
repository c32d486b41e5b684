#!/bin/sh
# The Devices and Alerts panes on a live console: test-bed controllers on the
# local transport (`cat FILE`, the fixture swapped to script transitions),
# sectors with counts, Korean names aligned, a device going to fault and its
# alert, Enter from an alert, Detail of a device, an acknowledgement with a
# note stored in the cache, the :state/:sector/:kind and `/` filters, and
# controllers whose command fails (parse-error, devices unknown).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 31

cp "$FIXTURES/testbed/energy.yaml" "$T/e.yaml"
cp "$FIXTURES/testbed/automotive.yaml" "$T/a.yaml"
cp "$FIXTURES/testbed/healthcare.yaml" "$T/h.yaml"
{
	echo "groups:"
	testbed_group tb-energy tb-e1 "cat $T/e.yaml" 300ms
	testbed_group tb-auto tb-a1 "cat $T/a.yaml" 300ms
	testbed_group tb-health tb-h1 "cat $T/h.yaml" 300ms
	testbed_group tb-broken tb-x1 '"false"' 300ms
} > "$T/devices.yaml"

rm -f "$CACHE"*
$TM new-session -d -s c -x 160 -y 50 \
    "env LANG=C.UTF-8 '$OPSDECK' console -c '$T/devices.yaml' --cache '$CACHE' --view devices \
    2>>'$T/stderr.log'; echo \$? > '$T/exit'"
$TM set-option -t c remain-on-exit on >/dev/null
if wait_for 15 screen_has "▾ energy"; then ok "devices view shows the energy sector"; else
	not_ok "devices view shows the energy sector"; screen | sed 's/^/# /'; cat "$T/stderr.log"; exit 1
fi
wait_for 5 screen_has "▾ healthcare" >/dev/null

# sector header: controllers, devices and a count per state, glyph and word
l=$(line_with "▾ energy")
case $l in
*"1 controller, 6 devices"*"● 2 ok"*"▲ 1 degraded"*"✖ 1 fault"*"○ 1 offline"*"◆ 1 maintenance"*)
	ok "energy sector counts per state" ;;
*) not_ok "energy sector counts per state"; diag "$l" ;;
esac
check "every sector is listed" sh -c "$TM capture-pane -p -t c | grep -q '▾ automotive' &&
    $TM capture-pane -p -t c | grep -q '▾ healthcare'"
check "a device row: state glyph and word, Korean name, id, metrics, message" \
    sh -c "$TM capture-pane -p -t c | grep -q '✖ fault .*ESS 모니터 1호기 .*ess-01 .*°C.*BMS: cell 12'"

# Korean names of different widths keep the next column aligned
c1=$(col_of "$(line_with ess-01)" "ess-01")
c2=$(col_of "$(line_with smeter-07)" "smeter-07")
c3=$(col_of "$(line_with hil-01)" "hil-01")
c4=$(col_of "$(line_with "ccgw-02")" "ccgw-02")
if [ "$c1" = "$c2" ] && [ "$c2" = "$c3" ] && [ "$c3" = "$c4" ] && [ -n "$c1" ]; then
	ok "ids start in the same column after Korean names ($c1)"
else
	not_ok "ids aligned after Korean names: $c1 $c2 $c3 $c4"; screen | sed 's/^/# /'
fi

# a controller whose command fails
check "a failing controller shows parse-error and why" \
    wait_for 5 sh -c "$TM capture-pane -p -t c | grep -q '! parse-error tb-x1 .*empty report'"

# a transition: dsim-01 goes to fault
sed '0,/state: ok/s//state: fault/' "$FIXTURES/testbed/automotive.yaml" > "$T/a.new"
mv "$T/a.new" "$T/a.yaml"
check "the transition reaches the pane" \
    wait_for 5 sh -c "$TM capture-pane -p -t c | grep -q '✖ fault .*대형 주행 시뮬레이터 .*dsim-01'"
check "the automotive counts follow" wait_screen "5 devices  ● 2 ok  ▲ 1 degraded  ✖ 2 fault"
check "it raises a crit alert in the Alerts pane" \
    wait_for 5 sh -c "$TM capture-pane -p -t c | grep -q '✖ CRIT .*tb-a1/dsim-01 .*fault'"

# Enter on that alert (the newest) selects the device; Enter shows its Detail
keys Tab
wait_screen "[Alerts]" >/dev/null
keys g Enter
wait_screen "[Devices]" >/dev/null
keys Enter
check "Enter from the alert, then Enter: Detail of dsim-01" \
    wait_screen "[Detail] 대형 주행 시뮬레이터 (dsim-01)"
check "Detail lists the state change with its time" \
    sh -c "$TM capture-pane -p -t c | grep -Eq '[0-9]{2}:[0-9]{2}:[0-9]{2} ok +→ ✖ fault'"
check "Detail shows the metrics with sparklines" \
    sh -c "$TM capture-pane -p -t c | grep -q 'motion_platform_temp_c .*46 °C'"
keys Escape
wait_screen "[Devices]" >/dev/null

# `a` and a note acknowledge the selected device
keys a
check "a opens the note prompt for the device" wait_screen "ack 대형 주행 시뮬레이터 (dsim-01, fault), note:"
keys "rig reset 예정" Enter
check "the status line confirms" wait_screen "acknowledged 대형 주행 시뮬레이터"
if command -v sqlite3 >/dev/null 2>&1; then
	acked() { [ "$(sqlite3 "$CACHE" "SELECT note || '|' || state FROM tb_acks WHERE device_id = 'dsim-01'")" = "rig reset 예정|fault" ]; }
	check "the note is in the cache (tb_acks)" wait_for 5 acked
else
	skip "sqlite3 CLI not installed"
fi
check "the device row carries the mark" \
    wait_for 5 sh -c "$TM capture-pane -p -t c | grep -q '│✓ ✖ fault .*dsim-01'"
check "its alert carries the mark too" \
    wait_for 5 sh -c "$TM capture-pane -p -t c | grep -q 'CRIT .* ✓ tb-a1/dsim-01'"
keys Enter
check "Detail shows the acknowledgement" wait_screen "(fault) rig reset 예정"
keys Escape
wait_screen "[Devices]" >/dev/null

# filters (looking at the Devices pane only: the Alerts pane names devices too)
devs() { $TM capture-pane -p -t c | sed '/^┌─.Alerts/,$d'; }
dhas() { devs | grep -q -- "$1"; }
dlacks() { ! devs | grep -q -- "$1"; }
keys : "state fault" Enter
filtered() { dhas ess-01 && dhas hil-01 && dhas dsim-01 && dlacks ediag-01 && dlacks v2x-01; }
check ":state fault keeps faults only" wait_for 5 filtered
keys : "sector energy" Enter
filtered() { dhas ess-01 && dlacks hil-01 && dhas "1/15 devices, state fault sector energy"; }
check ":sector energy with it: the energy fault only" wait_for 5 filtered
keys : "state all" Enter : "sector all" Enter : "kind v2x-unit" Enter
filtered() { dhas v2x-01 && dlacks ess-01 && dlacks dsim-01 && dhas "1/15 devices, kind v2x-unit"; }
check ":state all, :sector all, :kind v2x-unit" wait_for 5 filtered
keys : "kind all" Enter / "계량기" Enter
filtered() { dhas smeter-07 && dlacks ess-01 && dlacks v2x-01; }
check "/ with Devices focused filters device names" wait_for 5 filtered
keys Escape
filtered() { dhas ess-01 && dhas smeter-07 && dhas v2x-01 && dhas "15 devices, 4 controllers"; }
check "Esc clears it" wait_for 5 filtered

# dsim-01 recovers: its alert is cleared, listed with the time it cleared
cp "$FIXTURES/testbed/automotive.yaml" "$T/a.yaml"
check "a recovered device's alert shows its clear time" \
    wait_for 5 sh -c "$TM capture-pane -p -t c | grep -Eq 'tb-a1/dsim-01 cleared [0-9]{2}:[0-9]{2}:[0-9]{2} '"
check "the Alerts title counts it as cleared" \
    wait_for 5 sh -c "$TM capture-pane -p -t c | grep -q 'Alerts  5 active, 3 critical, 1 cleared'"

# narrow: a controller line with a long reported id and a Korean site ends
# at the pane's border (the site once took its 30 cells wherever it began)
# (a wide character then straddled the border at some widths)
narrow_ok() {
	for _w in 44 45 46 47 48 49 50 51 52 53 54 55; do
		$TM resize-window -t c -x $_w -y 50
		wait_for 5 sh -c "[ \$($TM display-message -p -t c '#{window_width}') = $_w ]"
		sleep 0.4
		borders_ok $_w 50 || return 1
	done
}
check "44 to 55 columns: every line of the devices view ends at its border" narrow_ok ||
	diag "$(cat "$T/screen.txt")"
# 80x24: the ID column stays (ids are what people search and type)
$TM resize-window -t c -x 80 -y 24
ids80() {
	screen | grep -q '^│  STATE  *NAME  *ID  *SINCE MESSAGE' &&
	    screen | grep -q '│  ▲ degraded  *에너지 검출·분석 장비  *edet-02  '
}
check "80x24: the devices keep their ID column" wait_for 5 ids80
$TM resize-window -t c -x 160 -y 50

# the controller's command starts failing: its devices become unknown
rm -f "$T/h.yaml"
check "devices of a failing controller become unknown" \
    wait_for 5 sh -c "$TM capture-pane -p -t c | grep -q '? unknown .*mia-02 .*controller unreachable'"
check "and the controller shows parse-error" \
    sh -c "$TM capture-pane -p -t c | grep -q '! parse-error tb-h1'"

keys q
if quit_ok; then ok "q quits with status 0"; else
	not_ok "q quits"; diag "$(cat "$T/stderr.log")"
fi

# offline on a cache this user cannot write: the acknowledgement is refused
# with a clear message (root writes anyway, so run as nobody when root)
runas=""
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null 2>&1 && runas="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
if [ "$(id -u)" = 0 ] && [ -z "$runas" ]; then
	skip "root without setpriv: cannot make the cache read-only"
else
	chmod 711 "$T"
	mkdir "$T/ro" && chmod 777 "$T/ro"
	cp "$CACHE" "$T/ro/cache.db" && chmod 444 "$T/ro/cache.db"
	$TM kill-session -t c 2>/dev/null
	$TM new-session -d -s c -x 160 -y 40 "$runas env HOME=/tmp LANG=C.UTF-8 '$OPSDECK' console \
	    --offline --cache '$T/ro/cache.db' --view devices"
	wait_screen "▾ energy" >/dev/null
	keys a
	wait_screen "note:" >/dev/null
	keys "no luck" Enter
	check "read-only cache: the status line says the note was not stored" \
	    wait_screen "acknowledgement not stored (the cache is read-only)"
	keys q
fi
done_testing

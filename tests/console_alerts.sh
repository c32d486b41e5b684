#!/bin/sh
# One alert engine: thresholds on swap.used_pct and sensors.temp_c (metrics.h)
# raise the same alerts in the console with and without the cache's alert log.
# Without it (a cache written by console_fill) the console evaluates the
# collector's rules (alert_eval_host) itself; with its own collector against
# opsdeck-fleetsim's BMC sensors the alerts come from the collector through
# the cache's alert log.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 6

# zoomed Alerts pane (h from Compute: back to Alerts; z zooms)
alerts_zoom() { keys h z; wait_screen "Alerts" >/dev/null; }

cat > "$T/swap.yaml" <<'YAML'
groups:
  - name: gpu-a100
    hosts: gpu[001-006]
thresholds:
  swap.used_pct: {warn: 20, crit: 90}
YAML
fill --swap || { not_ok "console_fill"; exit 1; }
check "the filled cache has no alert log" \
    sh -c "! sqlite3 '$CACHE' .tables | grep -q alert_log"
console_start 160 40 -- -c "$T/swap.yaml"
alerts_zoom
check "no alert log: a swap.used_pct threshold raises a warn alert in the console" \
    wait_for 5 sh -c "$TM capture-pane -p -t c |
	grep -q 'WARN .* gpu002 gpu002 swap.used_pct 25 >= 20'"
check "only the host over it (gpu001 uses no swap)" screen_lacks "gpu001 swap.used_pct"
keys a
check "an evaluated alert cannot be acknowledged, and the console says why" \
    wait_screen "no alert log to acknowledge"
keys q
quit_ok || diag "quit: $(cat "$T/exit" 2>/dev/null)"

# with a collector: fleetsim's BMC temperatures against a sensors.temp_c threshold
command -v ssh >/dev/null 2>&1 || { skip "no ssh client"; skip "no ssh client"; done_testing; }
. "$top_srcdir/tests/fleetsim_lib.sh"
[ -x "$FLEETSIM" ] || { skip "no fleetsim"; skip "no fleetsim"; done_testing; }
if ! fs_start --nodes 1 --gpu-nodes 1 --controllers 0 --seed 11; then
	not_ok "fleetsim starts"; not_ok "fleetsim starts"; diag "$(cat "$FS_ERR")"; done_testing
fi
# fleetsim's config has no thresholds: add one that every BMC temperature crosses
cp "$FS_DIR/config.yaml" "$T/fs.yaml"
printf 'thresholds:\n  sensors.temp_c: {warn: 1, crit: 1000}\n' >> "$T/fs.yaml"
GPU=gpu001	# by its name; fleetsim's config gives its address
rm -f "$CACHE"*
$TM kill-session -t c 2>/dev/null
$TM new-session -d -s c -x 160 -y 40 \
    "env LANG=C.UTF-8 '$OPSDECK' console -c '$T/fs.yaml' --cache '$CACHE' 2>>'$T/stderr.log'"
$TM set-option -t c remain-on-exit on >/dev/null
wait_screen "Compute" >/dev/null
alerts_zoom
check "with a collector: a sensors.temp_c threshold raises a warn alert per BMC sensor" \
    wait_for 20 sh -c "$TM capture-pane -p -t c |
	grep -qF '$GPU/Inlet Temp $GPU Inlet Temp sensors.temp_c '"
check "the alert is in the cache's alert log (raised by the collector)" \
    sh -c "sqlite3 '$CACHE' \"SELECT rule FROM alert_log WHERE host = '$GPU'\" |
	grep -qx sensors.temp_c"
keys q
done_testing

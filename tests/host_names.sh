#!/bin/sh
# Hosts go by their names, wherever they are (issue 16, item 2): a config
# maps names to addresses with `address:` (opsdeck-fleetsim's own config
# does), or ~/.ssh/config's HostName does; the console, snapshot and the
# alerts show the name, Detail and snapshot JSON the address.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
command -v ssh >/dev/null 2>&1 || skip_all "no ssh client"
. "$top_srcdir/tests/fleetsim_lib.sh"
[ -x "$FLEETSIM" ] || skip_all "opsdeck-fleetsim not built"
plan 7

fs_start --nodes 3 --gpu-nodes 2 --controllers 0 --seed 5 ||
	{ not_ok "fleetsim starts"; cat "$FS_ERR" >&2; exit 1; }
G1=$(fs_addr gpu001) G2=$(fs_addr gpu002)
Y=$FS_DIR/config.yaml
# gpu001 and gpu002 are consecutive: one pair of ranges
check "fleetsim's config.yaml names the GPU nodes and maps them to their addresses" \
    sh -c "grep -qx '      - host: gpu\[001-002\]' '$Y' &&
	grep -qx '        address: ${G1%.*}\.\[${G1##*.}-${G2##*.}\]' '$Y' &&
	grep -qx '      - host: cpu001' '$Y' && ! grep -q '^      - \"*127\.' '$Y'"

# snapshot: the name, and where it was reached
timeout 60 "$OPSDECK" snapshot -c "$Y" --cache "$T/s.db" --format json --timeout 20s \
    >"$T/s.json" 2>"$T/s.err"
python3 - "$T/s.json" >"$T/s.txt" 2>&1 <<'PY'
import json, sys
for h in json.load(open(sys.argv[1]))["hosts"]:
    print(h["name"], h["address"], h["state"])
PY
check "snapshot JSON: each host by name, with the address it was reached at, up" \
    sh -c "grep -qx 'gpu001 $G1:$FS_PORT up' '$T/s.txt' &&
	grep -qx 'gpu002 $G2:$FS_PORT up' '$T/s.txt' &&
	grep -qx 'cpu001 $(fs_addr cpu001):$FS_PORT up' '$T/s.txt'" ||
	diag "$(cat "$T/s.txt" "$T/s.err")"
check "snapshot table: the names, no address" \
    sh -c "timeout 60 '$OPSDECK' snapshot -c '$Y' --cache '$T/s.db' --timeout 20s |
	awk 'NR > 1 { print \$1 }' | tr '\n' ' ' | grep -qx 'gpu001 gpu002 cpu001 '"

# ~/.ssh/config: an alias whose HostName is the node's address
mkdir -p "$T/home/.ssh"
printf 'Host n-alias\n    HostName %s\n' "$G2" >"$T/home/.ssh/config"
sed -e '/^groups:/,$d' "$Y" >"$T/alias.yaml"
printf 'groups:\n  - name: g\n    probes: [linux]\n    hosts: n-alias\n' >>"$T/alias.yaml"
HOME=$T/home timeout 60 "$OPSDECK" snapshot -c "$T/alias.yaml" --cache "$T/a.db" \
    --format json --timeout 20s >"$T/a.json" 2>"$T/a.err"
check "~/.ssh/config HostName: the alias is shown, the HostName reached (strict host key)" \
    grep -q "\"name\":\"n-alias\",\"address\":\"$G2:$FS_PORT\",\"group\":\"g\",\"kind\":\"node\",\"state\":\"up\"" \
    "$T/a.json" || diag "$(cat "$T/a.json" "$T/a.err")"

# the console: the name in Compute and as Detail's title, the address in Detail
rm -f "$CACHE"*
$TM kill-session -t c 2>/dev/null
$TM new-session -d -s c -x 120 -y 40 \
    "env LANG=C.UTF-8 '$OPSDECK' console -c '$Y' --cache '$CACHE' 2>>'$T/stderr.log'"
$TM set-option -t c remain-on-exit on >/dev/null
wait_for 20 screen_has "gpu002" >/dev/null
check "Compute lists the hosts by name, not by address" \
    sh -c "$TM capture-pane -p -t c | grep -q '^│gpu001 ' && ! $TM capture-pane -p -t c | grep -qF '$G1'"
keys / g p u 0 0 2 Enter
check "Detail of gpu002: the name in its title, its address on a line of its own" \
    wait_for 10 sh -c "$TM capture-pane -p -t c | grep -q 'Detail  gpu002 ' &&
	$TM capture-pane -p -t c | grep -q '│address $G2:$FS_PORT  *│'"
check "the cache keeps the hosts by name" \
    sh -c "sqlite3 '$CACHE' 'SELECT DISTINCT name FROM hosts ORDER BY name' | tr '\n' ' ' |
	grep -qx 'cpu001 gpu001 gpu002 '"
keys q
done_testing

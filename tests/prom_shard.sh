#!/bin/sh
# `opsdeck collect --shard K/N`: three collectors on one config (local
# transport, 12 hosts), each serving /metrics, watch every host exactly once
# between them; `shard:` in the config does the same, --shard overrides it.
. "$top_srcdir/tests/lib.sh"
tmpdir
command -v curl >/dev/null || skip_all "curl missing"
. "$top_srcdir/tests/prom_lib.sh"
plan 5

cat >"$T/c.yaml" <<Y
shard: 1/3
groups:
  - name: here
    transport: local
    interval: 1s
    probes: [linux]
    hosts: "h[01-12]"
Y
printf 'h%02d\n' 1 2 3 4 5 6 7 8 9 10 11 12 | LC_ALL=C sort >"$T/all"
for k in 1 2 3; do
	p=$(free_port)
	echo "$p" >"$T/port$k"
	if [ $k = 1 ]; then shard=; else shard="--shard $k/3"; fi
	# shellcheck disable=SC2086
	"$OPSDECK" collect -c "$T/c.yaml" --cache "$T/c$k.db" --listen "127.0.0.1:$p" $shard \
	    >/dev/null 2>"$T/err$k" &
	eval "pid$k=\$!"
	at_exit "kill \$pid$k 2>/dev/null; wait \$pid$k 2>/dev/null"
done

# up_hosts K: the hosts collector K serves as up, one per line, sorted.
up_hosts() {
	curl -sf "http://127.0.0.1:$(cat "$T/port$1")/metrics" |
	    sed -n 's/^opsdeck_host_up{instance="\([^"]*\)",.*} 1$/\1/p' | LC_ALL=C sort
}
# settled: every collector says it watches N hosts and all of them are up.
settled() {
	for k in 1 2 3; do
		n=$(sed -n 's/.*shard [0-9]*\/3: \([0-9]*\) hosts.*/\1/p' "$T/err$k")
		[ -n "$n" ] || return 1
		up_hosts $k >"$T/up$k"
		[ "$(wc -l <"$T/up$k")" -eq "$n" ] || return 1
	done
}
wait_for 30 settled
check "three collectors, each with its shard up" [ $? -eq 0 ] || diag "$(cat "$T"/err*)"
check "shard: 1/3 from the config, 2/3 and 3/3 from --shard" \
    sh -c "grep -q 'shard 1/3' '$T/err1' && grep -q 'shard 2/3' '$T/err2' && grep -q 'shard 3/3' '$T/err3'"
cat "$T/up1" "$T/up2" "$T/up3" | LC_ALL=C sort >"$T/union"
check "no host twice, none missed" cmp -s "$T/all" "$T/union"
check "no shard is empty" sh -c "[ -s '$T/up1' ] && [ -s '$T/up2' ] && [ -s '$T/up3' ]"
"$OPSDECK" collect -c "$T/c.yaml" --shard 4/3 >/dev/null 2>"$T/bad"; rc=$?
check "--shard 4/3 is refused, with why" sh -c "[ $rc -ne 0 ] && grep -q '1 <= K <= N' '$T/bad'"
done_testing

#!/bin/sh
# Detail shows what the parsers skipped: a cache written by a real snapshot
# of a host whose /proc/meminfo has a bad line and whose ipmitool prints
# errors between its rows (faked on PATH, as tests/snapshot_partial.sh),
# then the console on that cache in tmux: the host is up, Detail lists the
# warnings, and a discrete sensor shows its state ("Connected", "No Reading"),
# not "-".
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 4
mkdir "$T/bin"
cat >"$T/bin/cat" <<'S'
#!/bin/sh
case "$1" in
/proc/meminfo) printf 'MemTotal:  1000 kB\nMemFree:   12x kB\nMemAvailable: 600 kB\n' ;;
*) exec /bin/cat "$@" ;;
esac
S
awk_via_cat "$T/bin"	# the linux probe's awk reads through that cat
cat >"$T/bin/ipmitool" <<S
#!/bin/sh
exec /bin/cat "$FIXTURES/ipmi/telegraf-errors-between-rows.txt"
S
chmod 755 "$T/bin/cat" "$T/bin/ipmitool"
cat >"$T/c.yaml" <<Y
groups:
  - name: here
    transport: local
    hosts: [partial]
    probes: [linux, ipmi]
    interval: 200ms
Y
PATH="$T/bin:$PATH" timeout 60 "$OPSDECK" snapshot -c "$T/c.yaml" --cache "$CACHE" \
    >/dev/null 2>"$T/snap.err"
check "the snapshot wrote the cache" [ $? -eq 0 ]
console_start 140 60
check "Detail counts the warnings" wait_screen "Warnings (3)"
check "... and names the bad /proc/meminfo line" \
    wait_screen "linux: /proc/meminfo line 2: bad number '12x'"
discrete() { line_with "USB Cable Pres" | grep -q "Connected" &&
	line_with " SEL " | grep -q "No Reading"; }
check "a discrete sensor shows its state, not -" wait_for 5 discrete
discrete || screen | while IFS= read -r l; do diag "$l"; done
keys q
done_testing

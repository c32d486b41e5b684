#!/bin/sh
# The command line: help, version, usage errors, check-config, bad input.
. "$top_srcdir/tests/lib.sh"
tmpdir
plan 31

out=$("$OPSDECK" --help); rc=$?
check "--help exits 0" [ $rc -eq 0 ]
# each command on a line of its own in the list ("  NAME  what it does"); the
# words alone also appear in the epilogue and the description
for c in console snapshot collect history budget check-config; do
	if printf '%s\n' "$out" | grep -qE "^  $c +[a-z]"; then ok "--help lists $c"
	else not_ok "--help lists $c"; fi
done
# the demo, a line of its own: the quickest way in needs no configuration
printf '%s\n' "$out" | grep -qE '^  opsdeck --demo\[=N\] +is +opsdeck console --demo: '
check "--help names --demo" [ $? -eq 0 ]
# opsdeck(1) documents ~/.ssh/config: a section naming every key it reads
awk '/^\.SH / { in_ssh = ($0 == ".SH SSH CONFIGURATION") } in_ssh' \
    "$top_srcdir/man/opsdeck.1" >"$T/ssh.man"
check "opsdeck(1) has SSH CONFIGURATION with Host, HostName, User, Port, IdentityFile, ProxyJump" \
    sh -c "for k in Host HostName User Port IdentityFile ProxyJump; do
	grep -q \"^\.BR* \$k\" '$T/ssh.man' || exit 1; done"
"$OPSDECK" --version | grep -q '^opsdeck [0-9]'; check "--version prints the version" [ $? -eq 0 ]

"$OPSDECK" frobnicate 2>"$T/err"; rc=$?
check "an unknown command exits 2" [ $rc -eq 2 ]
grep -q "Try 'opsdeck --help'" "$T/err"; check "and gives a one-line hint" [ $? -eq 0 ]

"$OPSDECK" snapshot --no-such-option 2>"$T/err"; rc=$?
check "an unknown option exits 2" [ $rc -eq 2 ]
grep -q "Try 'opsdeck snapshot --help'" "$T/err"; check "with the subcommand's hint" [ $? -eq 0 ]
"$OPSDECK" snapshot --format xml 2>/dev/null; check "a bad --format exits 2" [ $? -eq 2 ]
"$OPSDECK" collect --duration soon 2>/dev/null; check "a bad --duration exits 2" [ $? -eq 2 ]
"$OPSDECK" check-config -c 2>/dev/null; check "a missing option value exits 2" [ $? -eq 2 ]
for c in snapshot collect check-config console; do
	"$OPSDECK" $c --help >/dev/null; check "$c --help exits 0" [ $? -eq 0 ]
done
"$OPSDECK" budget 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "Try 'opsdeck budget --help'" "$T/err"; check "budget without a command is a usage error" [ $? -eq 0 ]

# check-config on valid and invalid files
cat >"$T/good.yaml" <<'Y'
groups:
  - name: gpu
    hosts: gpu[001-004]
  - name: cpu
    hosts: [cpu1, cpu2]
Y
out=$("$OPSDECK" check-config -c "$T/good.yaml"); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "2 groups, 6 hosts"; check "check-config summarises a valid file" [ $? -eq 0 ]
printf 'groups:\n  - name: gpu\n    hosts: gpu[9-1]\n    intervl: 2s\n' >"$T/bad.yaml"
"$OPSDECK" check-config -c "$T/bad.yaml" 2>"$T/err"; rc=$?
[ $rc -eq 4 ] && [ "$(grep -c "^$T/bad.yaml:[0-9]*:[0-9]*: " "$T/err")" -ge 2 ]
check "check-config reports every error as FILE:LINE:COL, exit 4" [ $? -eq 0 ]

# Bad input: one line naming the file and the reason, non-zero, no crash or hang.
bad_input() {	# DESCRIPTION FILE
	timeout 10 "$OPSDECK" check-config -c "$2" 2>"$T/err" >/dev/null; rc=$?
	if [ $rc -eq 4 ] && grep -q "^$2" "$T/err"; then ok "$1"; else
		not_ok "$1 (exit $rc)"; diag "$(head -3 "$T/err")"; fi
}
: >"$T/empty.yaml"; bad_input "an empty file" "$T/empty.yaml"
head -c 4096 /dev/urandom >"$T/garbage.yaml"; bad_input "binary garbage" "$T/garbage.yaml"
yes 'groups: []' | head -c 10485760 >"$T/big.yaml"; bad_input "a 10 MB config" "$T/big.yaml"
python3 -c 'print("[" * 100000)' >"$T/nested.yaml" 2>/dev/null ||
	awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; print "" }' >"$T/nested.yaml"
bad_input "100,000 nested brackets" "$T/nested.yaml"
mkdir "$T/dir.yaml"; bad_input "a directory given as config" "$T/dir.yaml"
bad_input "a file that does not exist" "$T/missing.yaml"

# An unwritable cache path.
mkdir -p "$T/ro"; chmod 0500 "$T/ro"
if [ "$(id -u)" -eq 0 ]; then
	# root ignores permissions: a path below a regular file cannot be created either
	: >"$T/file"; cache="$T/file/cache.db"
else
	cache="$T/ro/sub/cache.db"
fi
timeout 30 "$OPSDECK" snapshot --cache "$cache" --timeout 5s >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "$cache" "$T/err"
check "an unwritable cache path names the file, exit 1" [ $? -eq 0 ]
diag "$(head -2 "$T/err")"
done_testing

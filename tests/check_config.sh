#!/bin/sh
# check-config checks meaning, not only syntax: the files a configuration
# names (budget plan, theme, identity files, known_hosts folders) and the
# thresholds (known metrics, warn/crit in the metric's direction), each
# problem as FILE:LINE:COL: message at the key that names it, exit 4 (opsdeck(1), EXIT STATUS).
. "$top_srcdir/tests/lib.sh"
tmpdir
plan 19
OPSDECK_THEMES_DIR=$top_srcdir/themes; export OPSDECK_THEMES_DIR
FIX=$top_srcdir/tests/fixtures

mkdir "$T/ssh" "$T/plans"
: >"$T/ssh/id_ok"; chmod 600 "$T/ssh/id_ok"
: >"$T/ssh/id_open"; chmod 644 "$T/ssh/id_open"
: >"$T/ssh/id_group"; chmod 640 "$T/ssh/id_group"
cp "$top_srcdir/examples/budget.yaml" "$T/plans/budget.yaml"
cp "$FIX/budget/bad_amounts.yaml" "$T/plans/bad.yaml"
cp "$FIX/theme/bad_colour.yaml" "$T/bad_theme.yaml"

# cc NAME: check-config -c $T/NAME.yaml; exit status in $rc, stderr in $T/err.
cc() { "$OPSDECK" check-config -c "$T/$1.yaml" >"$T/out" 2>"$T/err"; rc=$?; }
# has TEXT: stderr has a line that is exactly TEXT.
has() { grep -qxF "$1" "$T/err" || { diag "want: $1"; diag "$(cat "$T/err")"; return 1; }; }

# A config whose files are all fine; a relative budget is next to the config.
cat >"$T/good.yaml" <<Y
defaults:
  identity: $T/ssh/id_ok
  known_hosts: $T/ssh/known_hosts
groups:
  - name: gpu
    hosts: gpu[1-2]
    identity: $T/ssh/id_ok
theme: light
budget: plans/budget.yaml
thresholds:
  cpu.util_pct: {warn: 85, crit: 95}
  mem.available_bytes: {warn: 8e9, crit: 2e9}
  devices.ess_monitor.soc_pct: {warn: 20, crit: 10}
Y
cc good
[ $rc -eq 0 ] && grep -q "ok, 1 group, 2 hosts" "$T/out"
check "files that exist, parse and are private pass, exit 0" [ $? -eq 0 ] || diag "$(cat "$T/err")"
sed 's/^theme: light$/theme: default/' "$T/good.yaml" >"$T/default.yaml"
cc default; check "theme default passes" [ $rc -eq 0 ]
sed "s|^theme: light\$|theme: $T/light.yaml|" "$T/good.yaml" >"$T/themefile.yaml"
cp "$top_srcdir/themes/light.yaml" "$T/light.yaml"
cc themefile; check "a theme given as a readable file passes" [ $rc -eq 0 ]

# Budget plan
printf 'groups: [{name: a, hosts: b}]\nbudget: plans/missing.yaml\n' >"$T/b1.yaml"
cc b1; [ $rc -eq 4 ] && has "$T/b1.yaml:2:9: budget plan '$T/plans/missing.yaml': No such file or directory"
check "a missing budget plan: FILE:LINE:COL of budget:, exit 4" [ $? -eq 0 ]
printf 'groups: [{name: a, hosts: b}]\nbudget: %s\n' "$T/plans/bad.yaml" >"$T/b2.yaml"
cc b2; [ $rc -eq 4 ] && grep -q "^$T/b2.yaml:2:9: budget plan '$T/plans/bad.yaml': $T/plans/bad.yaml:[0-9]*:[0-9]*: .* (and [0-9]* more)\$" "$T/err"
check "a plan that does not parse: its first error and how many more" [ $? -eq 0 ] || diag "$(cat "$T/err")"
printf 'budget: %s\n' "$T/plans" >"$T/b3.yaml"
cc b3; [ $rc -eq 4 ] && has "$T/b3.yaml:1:9: budget plan '$T/plans': is a directory, not a file"
check "a folder given as the plan of a budget-only config" [ $? -eq 0 ]

# Theme
printf 'groups: [{name: a, hosts: b}]\ntheme: lihgt\n' >"$T/t1.yaml"
cc t1; [ $rc -eq 4 ] && grep -q "^$T/t1.yaml:2:8: theme 'lihgt' is neither a shipped theme nor a readable file (the themes: .*light" "$T/err"
check "an unknown theme name, with the themes there are" [ $? -eq 0 ] || diag "$(cat "$T/err")"
printf 'groups: [{name: a, hosts: b}]\ntheme: %s\n' "$T/nope.yaml" >"$T/t2.yaml"
cc t2; [ $rc -eq 4 ] && grep -q "^$T/t2.yaml:2:8: theme '$T/nope.yaml' is neither" "$T/err"
check "a theme file that does not exist" [ $? -eq 0 ]
printf 'groups: [{name: a, hosts: b}]\ntheme: %s\n' "$T/bad_theme.yaml" >"$T/t3.yaml"
cc t3; [ $rc -eq 4 ] && grep -q "^$T/t3.yaml:2:8: theme '$T/bad_theme.yaml': $T/bad_theme.yaml:3:" "$T/err"
check "a theme file that does not parse: its first error" [ $? -eq 0 ] || diag "$(cat "$T/err")"

# Identity files
printf 'defaults:\n  identity: %s\ngroups: [{name: a, hosts: b}]\n' "$T/ssh/id_none" >"$T/i1.yaml"
cc i1; [ $rc -eq 4 ] && has "$T/i1.yaml:2:13: identity file '$T/ssh/id_none': No such file or directory"
check "a missing identity file" [ $? -eq 0 ]
printf 'defaults:\n  identity: %s\ngroups: [{name: a, hosts: b}]\n' "$T/ssh/id_open" >"$T/i2.yaml"
cc i2; [ $rc -eq 4 ] && has "$T/i2.yaml:2:13: identity file '$T/ssh/id_open' has mode 0644: the group and others must have no access, or ssh refuses the key (chmod 600)"
check "a world-readable identity file" [ $? -eq 0 ]
# In a group, over good defaults; inherited values are checked once, at defaults.
cat >"$T/i3.yaml" <<Y
defaults: {identity: $T/ssh/id_ok}
groups:
  - {name: a, hosts: a1}
  - {name: b, hosts: b1, identity: $T/ssh/id_group}
  - {name: c, hosts: c1, identity: $T/ssh/id_group}
Y
cc i3; [ $rc -eq 4 ] && [ "$(wc -l <"$T/err")" -eq 3 ] &&
	has "$T/i3.yaml:4:36: identity file '$T/ssh/id_group' has mode 0640: the group and others must have no access, or ssh refuses the key (chmod 600)" &&
	grep -q "^$T/i3.yaml:5:36: identity file" "$T/err"
check "a group-readable identity file in a group, at the group's key" [ $? -eq 0 ]
printf 'defaults:\n  identity: %s\ngroups: [{name: a, hosts: b}]\n' "$T/ssh" >"$T/i4.yaml"
cc i4; [ $rc -eq 4 ] && has "$T/i4.yaml:2:13: identity file '$T/ssh' is not a regular file"
check "a folder as identity file" [ $? -eq 0 ]
if [ "$(id -u)" -eq 0 ]; then
	skip "an unreadable identity file (root reads every file)"
else
	: >"$T/ssh/id_locked"; chmod 000 "$T/ssh/id_locked"
	printf 'defaults:\n  identity: %s\ngroups: [{name: a, hosts: b}]\n' "$T/ssh/id_locked" >"$T/i5.yaml"
	cc i5; [ $rc -eq 4 ] && has "$T/i5.yaml:2:13: identity file '$T/ssh/id_locked': Permission denied"
	check "an unreadable identity file" [ $? -eq 0 ]
fi

# known_hosts
printf 'groups: [{name: a, hosts: b, known_hosts: %s}]\n' "$T/nodir/known_hosts" >"$T/k1.yaml"
cc k1; [ $rc -eq 4 ] && has "$T/k1.yaml:1:43: known_hosts '$T/nodir/known_hosts': folder '$T/nodir': No such file or directory"
check "a known_hosts whose folder does not exist" [ $? -eq 0 ]

# Thresholds through the binary (item 2 of the parser)
printf 'groups: [{name: a, hosts: b}]\nthresholds:\n  cpu.util_pc: {warn: 1}\n  cpu.util_pct: {warn: 95, crit: 85}\n' >"$T/m1.yaml"
cc m1; [ $rc -eq 4 ] && has "$T/m1.yaml:3:3: unknown metric 'cpu.util_pc'; did you mean 'cpu.util_pct'?" &&
	has "$T/m1.yaml:4:3: higher is worse for cpu.util_pct: warn 95 is above crit 85; swap them or add 'reverse: true'"
check "an unknown metric and a reversed warn/crit" [ $? -eq 0 ]

# Every problem, in file order, and the count.
cat >"$T/all.yaml" <<Y
defaults:
  identity: $T/ssh/id_open
  known_hosts: $T/nodir/kh
groups: [{name: a, hosts: b}]
theme: nosuch
budget: plans/missing.yaml
Y
cc all; [ $rc -eq 4 ] && [ "$(cut -d: -f2 "$T/err" | head -4 | tr '\n' ' ')" = "2 3 5 6 " ] &&
	has "$T/all.yaml: 4 errors"
check "every problem, in file order, then the count" [ $? -eq 0 ] || diag "$(cat "$T/err")"

"$OPSDECK" check-config --keys -c "$T/good.yaml" >/dev/null 2>&1
check "--keys with -c is a usage error" [ $? -eq 2 ]
"$OPSDECK" check-config --keys --metrics >/dev/null 2>&1
check "--keys with --metrics is a usage error" [ $? -eq 2 ]
done_testing

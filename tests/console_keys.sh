#!/bin/sh
# Each key family of the console: moving, panes, drill down and back, views,
# zoom, the live filter (text, regex, Korean), sort, the `:` command line
# with Tab completion, the help overlay.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 38

fill || { not_ok "console_fill"; exit 1; }
console_start 120 40 || { not_ok "console starts"; exit 1; }
detail_is() { line_with "Detail" | grep -qF -- "$1"; }

# moving (the selection starts on the first host; group headers are skipped)
check "selection starts on the first host" wait_for 3 detail_is cpu001
keys j;		check "j moves down" wait_for 3 detail_is cpu002
keys Down Down;	check "Down skips the group header" wait_for 3 detail_is gpu001
keys k;		check "k moves up" wait_for 3 detail_is cpu003
keys G;		check "G goes to the last host" wait_for 3 detail_is "에너지진단-01"
keys g;		check "g goes to the first host" wait_for 3 detail_is cpu001
keys End;	check "End" wait_for 3 detail_is "에너지진단-01"
keys Home;	check "Home" wait_for 3 detail_is cpu001
keys NPage;	check "PgDn moves a page" wait_for 3 sh -c "! $TM capture-pane -p -t c | grep Detail | grep -q cpu001"

# panes: Tab, Enter drills down, Esc comes back
keys Home Tab;	check "Tab focuses the next pane" wait_screen "[Detail]"
keys Escape;	check "Esc returns to Compute" wait_screen "[Compute]"
keys Enter;	check "Enter drills down into Detail" wait_screen "[Detail]"
keys Escape

# views and zoom
keys z;		check "z zooms the focused pane" wait_gone "Alerts"
keys z;		check "z again unzooms" wait_screen "Alerts"
keys 3;		check "3: budgets view" wait_gone "Compute"
check "budgets view says no budget" screen_has "no budget configured"
keys 4;		check "4: all again" wait_screen "Compute"

# filter
keys / g p u 0 0 '[' 1 2 ']';	check "regex filter" wait_screen "2/11 hosts, filter"
# "11 hosts" alone would also match "2/11 hosts, filter": the filter must be gone
filter_cleared() { screen_lacks "/11 hosts" && screen_lacks ", filter" && screen_has " 11 hosts"; }
keys Enter Escape;		check "Esc clears the filter" wait_for 5 filter_cleared
keys /; keys -l "에너지"; 	check "Korean filter" wait_screen "2/11 hosts, filter"
keys Escape

# sort
keys s;		check "s sorts by state" wait_screen "STATE▼"
keys r;		check "r reverses" wait_screen "STATE▲"

# command line
keys : h o s t Space g p u 0 0 5 Enter;	check ":host selects a host" wait_for 3 detail_is gpu005
keys : g r o u p Space c p u Enter;	check ":group jumps to a group" wait_screen "group cpu (node)"
keys : t h Tab;	check "Tab completes a command" wait_screen ":theme"
keys l i Tab;	check "Tab completes a theme name" wait_screen ":theme light"
keys Enter;	check ":theme switches theme" wait_screen "theme light"
# a message is set apart from the sort (once "sort state revtheme light")
status_apart() { screen | tail -n 1 | grep -q ' | sort state rev | theme light'; }
check "the status message is set apart from the sort" wait_for 3 status_apart
# several candidates: the common prefix is completed and they are listed
keys : s Tab
cands() { screen | tail -n 1 | grep -q '^:s   sector snooze sort state$'; }
check "Tab with several commands lists them after the line" wait_for 3 cands
keys o Tab
sort_done() { screen | tail -n 1 | grep -qx ':sort *'; }
check "then completes the one left" wait_for 3 sort_done
keys C-u h o s t Space g Tab
host_prefix() { screen | tail -n 1 | grep -q '^:host gpu00   gpu001 gpu002 '; }
check "Tab extends a host name to the common prefix" wait_for 3 host_prefix
keys 9
check "the next key puts the candidates away" wait_screen ":host gpu009"
keys Escape

# mouse (X10 reports, as xterm sends them): a click selects, the wheel scrolls
mouse() {	# mouse BUTTON X Y (0-based cells)
	printf '\033[M%b%b%b' "\0$(printf %o $((32 + $1)))" \
	    "\0$(printf %o $((33 + $2)))" "\0$(printf %o $((33 + $3)))"
}
keys Escape Escape : s o r t Space n a m e Enter r	# back to name order
wait_screen "NAME▼"
y=$(screen | grep -n "gpu004 " | cut -d: -f1)
keys -l "$(mouse 0 5 $((y - 1)))$(mouse 3 5 $((y - 1)))"
check "a click selects the row" wait_for 3 detail_is gpu004
keys -l "$(mouse 64 5 $((y - 1)))"
check "the wheel scrolls up" wait_for 3 detail_is gpu001

# help overlay
keys '?';	check "? shows every key" wait_screen "opsdeck console keys"
keys q
if wait_gone "opsdeck console keys" && [ ! -e "$T/exit" ]; then
	ok "q closes the help, not the console"
else
	not_ok "q closes the help, not the console"
fi
# at 80x24 the help does not fit: its border says where it is and how to scroll
$TM resize-window -t c -x 80 -y 24
keys '?'
help_pos() { screen | grep -Eq '^.└─+ 1-20/[0-9]+ ─┘'; }
check "80x24: the help's border shows which lines of how many (1-20/N)" wait_for 3 help_pos
keys j
help_moved() { screen | grep -Eq ' 2-21/[0-9]+ ─┘' && screen_lacks "opsdeck console keys"; }
check "j scrolls it one line" wait_for 3 help_moved
keys q
done_testing

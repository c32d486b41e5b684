#!/bin/sh
# Text: Korean names (two cells a syllable) keep the columns aligned, in the
# Compute rows and in group headers, and are cut on character boundaries in
# narrow panes; names and GPU names that carry terminal escape sequences
# (written to the cache raw, as by a collector that did not sanitise) reach
# the screen as harmless U+FFFD, never change the window title, never move
# the cursor or clear the screen.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 11

fill || { not_ok "console_fill"; exit 1; }
console_start 120 40 || { not_ok "console starts"; exit 1; }

kr=$(line_with "에너지거래-02 ")
en=$(line_with "gpu001 ")
c_kr=$(col_of "$kr" "●")
c_en=$(col_of "$en" "●")
if [ -n "$c_kr" ] && [ "$c_kr" = "$c_en" ]; then
	ok "Korean host name keeps the STATE column aligned (cell $c_kr)"
else
	not_ok "STATE column: Korean row at $c_kr, ASCII row at $c_en"; diag "$kr"; diag "$en"
fi
m_kr=$(col_of "$kr" "G/512G")
m_en=$(col_of "$en" "G/512G")
check "and the MEM column ($m_kr = $m_en)" test "$m_kr" = "$m_en"
check "Korean group header drawn whole" screen_has "광주 에너지 실증센터 (test-bed)"
keys : h o s t Space; keys -l "에너지진단-01"; keys Enter
check "Detail shows the Korean host" wait_for 3 sh -c "$TM capture-pane -p -t c | grep Detail | grep -q 에너지진단-01"

# a narrow pane cuts Korean with an ellipsis, never half a character
$TM resize-window -t c -x 80 -y 24
wait_for 5 sh -c "[ \$($TM capture-pane -p -t c | wc -l) -eq 24 ]"
check "80x24: borders intact with Korean text" wait_for 3 borders_ok 80 24
check "Korean cut with an ellipsis at 80 columns" sh -c "$TM capture-pane -p -t c | grep -q '광주 에너지…\\|광주 에너…\\|광주 에…\\|광주…'"

# hostile names
fill --evil
console_start 120 40 -- || { not_ok "console starts"; exit 1; }
title0=$(pane '#{pane_title}')
keys : h o s t Space g p u 0 0 1 Enter
wait_for 3 sh -c "$TM capture-pane -p -t c | grep -q 'GPUs (4)'"
check "pane title unchanged by escape sequences" sh -c "[ \"\$($TM display-message -p -t c '#{pane_title}')\" = '$title0' ] && ! $TM display-message -p -t c '#{pane_title}' | grep -q PWNED"
check "escapes in a host name show as U+FFFD" screen_has "evil�]2;PWNED"
check "escapes in a GPU name show as U+FFFD" screen_has " 0 �]2;PWNED-TIT"
check "screen not cleared or garbled by them" borders_ok 120 40
check "no raw ESC reaches the pane" sh -c "! $TM capture-pane -p -t c | grep -q \"\$(printf '\\033')\""
done_testing

#!/bin/sh
# Themes: every shipped theme loads (by --theme and by :theme) and draws an
# intact screen; a bad theme file shows FILE:LINE:COL on the status line and
# the default is used; NO_COLOR draws no colour at all; an 8-colour terminal
# gets only the 8 base colours.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/console_lib.sh"
plan 14

fill || { not_ok "console_fill"; exit 1; }

# sgr_colours: the colour parameters of every SGR sequence on screen, one per line.
sgr_colours() {
	$TM capture-pane -p -e -t c | tr '\033' '\n' | sed -n 's/^\[\([0-9;]*\)m.*/\1/p' |
	    tr ';' '\n' | awk '
		skip > 0 { skip--; next }
		$1 == 38 || $1 == 48 { print $1; skip = 2; next }
		($1 >= 30 && $1 <= 37) || ($1 >= 40 && $1 <= 47) ||
		($1 >= 90 && $1 <= 97) || ($1 >= 100 && $1 <= 107) { print $1 }'
}

for th in default light high-contrast monochrome; do
	console_start 120 40 -- --theme "$th" || { not_ok "$th starts"; continue; }
	if screen_lacks "default theme used" && screen_lacks "not found" && borders_ok 120 40; then
		ok "theme $th loads and draws"
	else
		not_ok "theme $th"; screen | tail -n 1 | sed 's/^/# /'
	fi
done
check "monochrome theme uses no colour" test -z "$(sgr_colours)"

console_start 120 40
keys : t h e m e Space h i g h - c o n t r a s t Enter
check ":theme high-contrast" wait_screen "theme high-contrast"
check "colours are drawn (the NO_COLOR check can fail)" test -n "$(sgr_colours)"
keys : t h e m e Space n o s u c h Enter
check ":theme of a missing theme says so" wait_screen "theme 'nosuch' not found"

console_start 200 40 -- --theme "$FIXTURES/theme/bad_colour.yaml"
check "bad theme: FILE:LINE:COL on the status line" \
    wait_screen "bad_colour.yaml:3:17: fg: unknown colour 'purple'"
check "bad theme: the default is used, the screen is intact" borders_ok 200 40

console_start 120 40 NO_COLOR=1 -- --theme light
check "NO_COLOR: no colour codes at all" test -z "$(sgr_colours)"
check "NO_COLOR: the selection still shows (reverse video)" \
    sh -c "$TM capture-pane -p -e -t c | grep -q '\\[7m\\|;7m\\|\\[7;'"
check "NO_COLOR: states still shown as words" screen_has "✖ down"

console_start 120 40 TERM=xterm -- --theme light
bad=$(sgr_colours | awk '$1 == 38 || $1 == 48 || $1 >= 90')
check "8-colour terminal: only the 8 base colours" test -z "$bad"
done_testing

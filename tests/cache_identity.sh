#!/bin/sh
# Caches do not mix: the default configuration has the default cache and
# another configuration file a cache of its own, so `snapshot -c other.yaml`
# adds no ghost host or alert to the default console. Hosts a configuration
# no longer names are hidden (alerts, console) and `opsdeck forget` removes
# them, beside another writer as `budget import` does. Loose modes of an
# existing cache and of the default directory are tightened with a warning.
. "$top_srcdir/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "no python3"
. "$top_srcdir/tests/console_lib.sh"
plan 21

mkdir -p "$XDG_CONFIG_HOME/opsdeck"
cat >"$XDG_CONFIG_HOME/opsdeck/config.yaml" <<Y
groups:
  - name: here
    transport: local
    hosts: [realhost]
    probes: [linux]
    interval: 300ms
Y
# another configuration: a host and a threshold that always fires
cat >"$T/other.yaml" <<Y
groups:
  - name: elsewhere
    transport: local
    hosts: [ghosthost]
    probes: [linux]
    interval: 300ms
thresholds:
  mem.used_pct: {warn: 0.001, crit: 0.002}
Y
DEF=$XDG_STATE_HOME/opsdeck/cache.db
# rows DB: the hosts and the alerts' hosts in the cache file DB, one line each
rows() {
	python3 - "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print("hosts", " ".join(r[0] for r in c.execute("SELECT name FROM hosts ORDER BY name")))
t = c.execute("SELECT count(*) FROM sqlite_master WHERE name = 'alert_log'").fetchone()[0]
a = [r[0] for r in c.execute("SELECT DISTINCT host FROM alert_log ORDER BY host")] if t else []
print("alerts", " ".join(a))
PY
}

timeout 30 "$OPSDECK" snapshot >/dev/null 2>"$T/err"
check "snapshot of the default configuration writes the default cache" test -f "$DEF"
timeout 30 "$OPSDECK" snapshot -c "$T/other.yaml" >/dev/null 2>>"$T/err"
OTHER=$(ls "$XDG_STATE_HOME"/opsdeck/cache-other-*.db 2>/dev/null | head -1)
check "snapshot -c other.yaml writes a cache of its own: ${OTHER##*/}" \
    sh -c "[ -n '$OTHER' ] && [ -f '$OTHER' ]"
rows "$DEF" >"$T/def.rows"
rows "$OTHER" >"$T/other.rows"
diag "default: $(cat "$T/def.rows" | tr '\n' ' ') other: $(cat "$T/other.rows" | tr '\n' ' ')"
check "the default cache has no ghost host" grep -qx 'hosts realhost' "$T/def.rows"
check "the other cache has the ghost and its alert" \
    sh -c "grep -qx 'hosts ghosthost' '$T/other.rows' && grep -qx 'alerts ghosthost' '$T/other.rows'"
"$OPSDECK" alerts >"$T/alerts" 2>>"$T/err"
check "opsdeck alerts (default) shows no ghost alert" sh -c "! grep -q ghosthost '$T/alerts'"
"$OPSDECK" alerts -c "$T/other.yaml" >"$T/alerts2" 2>>"$T/err"
check "opsdeck alerts -c other.yaml shows it" grep -q ghosthost "$T/alerts2"
check "the same file by another name has the same cache" \
    sh -c "cd '$T' && '$OPSDECK' alerts -c ./other.yaml | grep -q ghosthost"

# A ghost written into the default cache on purpose (--cache): hidden.
timeout 30 "$OPSDECK" snapshot -c "$T/other.yaml" --cache "$DEF" >/dev/null 2>>"$T/err"
rows "$DEF" >"$T/def2.rows"
check "the ghost is in the default cache now" grep -q 'hosts .*ghosthost' "$T/def2.rows"
"$OPSDECK" alerts --all >"$T/alerts3" 2>>"$T/err"
check "alerts hides hosts the configuration does not name" \
    sh -c "! grep -q ghosthost '$T/alerts3'"
$TM new-session -d -s c -x 120 -y 30 \
    "env LANG=C.UTF-8 '$OPSDECK' console --offline 2>>'$T/stderr.log'"
if wait_for 10 screen_has realhost; then
	ok "the console shows the configured host"
else
	not_ok "the console shows the configured host"; screen >&2
fi
check "and hides the ghost, and its alert" screen_lacks ghosthost
keys q

# forget
"$OPSDECK" forget --dry-run --missing >"$T/dry" 2>>"$T/err"
check "forget --dry-run --missing names the ghost" grep -qx 'would forget ghosthost' "$T/dry"
rows "$DEF" >"$T/def3.rows"
check "and changes nothing" cmp -s "$T/def2.rows" "$T/def3.rows"
"$OPSDECK" forget --missing >"$T/forgot" 2>>"$T/err"
rows "$DEF" >"$T/def4.rows"
check "forget --missing removes the ghost, its history and alerts" \
    sh -c "grep -qx 'forgot ghosthost' '$T/forgot' && grep -qx 'hosts realhost' '$T/def4.rows' \
	&& ! grep -q ghosthost '$T/def4.rows'"
"$OPSDECK" forget nosuchhost >/dev/null 2>"$T/nosuch"; rc=$?
check "forget of a host not in the cache: exit 1, says so" \
    sh -c "[ $rc -eq 1 ] && grep -q 'nosuchhost is not in the cache' '$T/nosuch'"
"$OPSDECK" forget >/dev/null 2>&1; rc=$?
check "forget without hosts or --missing: usage, exit 2" [ $rc -eq 2 ]

# forget beside a writer that holds the cache (as a running collect does)
timeout 30 "$OPSDECK" snapshot -c "$T/other.yaml" --cache "$DEF" >/dev/null 2>>"$T/err"
python3 - "$DEF" "$T/held" <<'PY' &
import fcntl, os, sqlite3, sys, time
lock = open(sys.argv[1] + ".lock", "w")
fcntl.flock(lock, fcntl.LOCK_EX)
lock.write("%d opsdeck collect\n" % os.getpid())
lock.flush()
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(8)
c.execute("COMMIT")
PY
holder=$!
at_exit "kill $holder 2>/dev/null"
wait_for 10 test -e "$T/held"
"$OPSDECK" forget ghosthost >/dev/null 2>"$T/busy"; rc=$?
diag "$(cat "$T/busy")"
check "forget beside a writer waits, then gives up naming it; nothing removed" \
    sh -c "[ $rc -eq 1 ] && grep -q 'while written by pid $holder' '$T/busy' && \
	grep -q 'nothing was removed' '$T/busy'"
wait "$holder"
"$OPSDECK" forget ghosthost >"$T/forgot2" 2>>"$T/err"
check "once the writer is gone it goes through" grep -qx 'forgot ghosthost' "$T/forgot2"

# loose modes
chmod 0644 "$DEF"
chmod 0755 "$XDG_STATE_HOME/opsdeck"
"$OPSDECK" alerts >/dev/null 2>"$T/modes"
diag "$(cat "$T/modes")"
check "a 0644 cache file is made 0600, with a warning" \
    sh -c "[ \$(stat -c %a '$DEF') = 600 ] && grep -q 'cache file .*cache.db was mode 0644' '$T/modes'"
check "a 0755 default directory is made 0700, with a warning" \
    sh -c "[ \$(stat -c %a '$XDG_STATE_HOME/opsdeck') = 700 ] && \
	grep -q 'cache directory .* was mode 0755' '$T/modes'"
mkdir -p "$T/shared"
chmod 0755 "$T/shared"
cp "$DEF" "$T/shared/c.db"
chmod 0644 "$T/shared/c.db"
"$OPSDECK" alerts --cache "$T/shared/c.db" >/dev/null 2>"$T/modes2"
check "--cache in a shared directory: the file is tightened, the directory left alone" \
    sh -c "[ \$(stat -c %a '$T/shared/c.db') = 600 ] && [ \$(stat -c %a '$T/shared') = 755 ]"
diag "$(cat "$T/err")"
done_testing

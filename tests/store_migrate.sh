#!/bin/sh
# store_migrate.sh: a cache written by schema version 1 (one row a sample;
# tests/fixtures/store/README says how it was made) is upgraded in place to
# chunks by the first writer that opens it, and reads back the same:
# the history of store_history.sh, before and after the next rollups. And a
# cache written by version 5 (a row per GPU and per sensor) is upgraded to
# version 6's row a host, every GPU, sensor and GPU process reading back as
# it was; and a cache written by version 7 (its GPU processes a row each,
# the row a host in format 1) has its processes moved into that row. All end
# at version 8.
. "$top_srcdir/tests/lib.sh"
W="$top_builddir/tests/store_writer"
[ -x "$W" ] || skip_all "tests/store_writer is not built"
[ -x "$OPSDECK" ] || skip_all "opsdeck is not built"
command -v sqlite3 >/dev/null 2>&1 || skip_all "no sqlite3 command"
plan 27
tmpdir
TZ=UTC; export TZ
DB="$T/cache.db"
gzip -dc "$FIXTURES/store/cache-v1.db.gz" >"$DB" || { diag "cannot unpack the fixture"; exit 1; }
chmod 600 "$DB"
H() { "$OPSDECK" history --cache "$DB" "$@"; }
q() { sqlite3 "$DB" "$1"; }

check "the fixture is a version 1 cache with 29160 raw rows" \
	[ "$(q 'PRAGMA user_version'):$(q 'SELECT count(*) FROM samples')" = "1:29160" ]
H node000 -m cpu.util_pct --from 2026-01-01T00:00Z --to 2026-01-01T00:01Z >"$T/out" 2>"$T/err"
check "a reader does not upgrade it: it asks for a collector" \
	grep -q "older than this opsdeck" "$T/err"
check "a writer upgrades it" "$W" try "$DB"
check "... to version 8, the row tables gone" \
	[ "$(q 'PRAGMA user_version'):$(q "SELECT count(*) FROM sqlite_master WHERE name IN ('samples', 'samples_1m')")" = "8:0" ]
check "... the chunks' index without t1 (schema 7)" \
	[ "$(q "SELECT group_concat(name, ',') FROM pragma_index_info('chunks_key')")" = "host_id,level,t0" ]
q "EXPLAIN QUERY PLAN SELECT data FROM chunks WHERE host_id = 1 AND level = 0
	AND t0 >= 5 AND t0 < 9 AND t1 >= 6 ORDER BY t0" >"$T/plan"
check "... and a range read seeks on it" \
	grep -q 'SEARCH chunks USING INDEX chunks_key (host_id=? AND level=? AND t0>? AND t0<?)' "$T/plan" ||
	diag "$(cat "$T/plan")"
check "... the 170 minutes of 1-minute rollups in three hour chunks" \
	[ "$(q 'SELECT count(*), sum(n) FROM chunks WHERE level = 1')" = "3|170" ]
check "... intact, every chunk decodes" sh -c "\"$W\" check \"$DB\" 1 >/dev/null"

H node000 -m cpu.util_pct --from 2026-01-01T00:00Z --to 2026-01-01T02:59:59Z --step raw \
	--format csv >"$T/out"
check "all 1080 raw samples are there" [ "$(wc -l <"$T/out")" -eq 1081 ]
check "... the first" grep -q '^2026-01-01T00:00:00Z,1767225600000,node000,cpu.util_pct,0,0,0$' "$T/out"
check "... the last" grep -q '^2026-01-01T02:59:50Z,1767236390000,node000,cpu.util_pct,59,59,59$' "$T/out"
H node000 -m mem.used_bytes --from 2026-01-01T02:59:50Z --to 2026-01-01T02:59:50Z \
	--step raw --format csv >"$T/out"
check "... exactly, in bytes" grep -q ',mem.used_bytes,1131413504,1131413504,1131413504$' "$T/out"

hourly() {
	H node000 -m cpu.util_pct --from 2026-01-01T00:00Z --to 2026-01-01T02:59:59Z \
		--step 1h --format csv >"$T/out"
	[ "$(grep -c ',cpu.util_pct,0,29.5,59$' "$T/out")" -eq 3 ]
}
minute() {	# minute HH:MM MIN AVG MAX
	H node000 -m cpu.util_pct --from "2026-01-01 $1" --to "2026-01-01 $1:59" --step 1m \
		--format csv >"$T/out"
	grep -q ",cpu.util_pct,$2,$3,$4\$" "$T/out" && [ "$(wc -l <"$T/out")" -eq 2 ]
}
check "hourly: 3 hours of min 0, avg 29.5, max 59 (hour rows, minutes, raw)" hourly
check "a minute from the migrated 1-minute rollups: 42..47, avg 44.5" minute 01:07 42 44.5 47
check "a minute of the last hour from raw: 30..35" minute 02:55 30 32.5 35

# The next hour's rollups: 02:50-03:00 from raw joins the migrated 02:00-02:50.
check "maintenance goes on from the old watermarks" "$W" maintain "$DB" 1767240000000
check "... the third hour now has its hour row" \
	[ "$(q 'SELECT count(*) FROM samples_1h WHERE ts = 1767232800000')" -eq 27 ]
check "... and the same figures" hourly
check "... a minute rolled up after the upgrade: 30..35" minute 02:55 30 32.5 35

# --- version 5 to 6: GPUs and sensors, a row a host ----------------------------
DB5="$T/cache5.db"
gzip -dc "$FIXTURES/store/cache-v5.db.gz" >"$DB5" || { diag "cannot unpack the fixture"; exit 1; }
chmod 600 "$DB5"
q5() { sqlite3 "$DB5" "$1"; }
# store_writer live's lines, from version 5's tables (SQL NULL: no reading, nan)
r() { echo "CASE WHEN $1 IS NULL THEN 'nan' ELSE printf('%g', $1) END"; }
# ... and from host_gpu_procs (versions 5 to 7), as columns g, n, k, slot, line
procs_sql() {
	echo "SELECT h.grp AS g, h.name AS n, 2 AS k, p.slot AS slot, h.name || ' proc ' ||
    p.gpu_index || ' ' || p.pid || ' ' || p.mem_used_bytes || ' ' || p.user || ' ' ||
    p.job || ' ' || p.name AS line FROM host_gpu_procs p JOIN hosts h ON h.id = p.host_id"
}
q5 "SELECT line FROM (
  SELECT h.grp AS g, h.name AS n, 0 AS k, s.slot AS slot, h.name || ' gpu ' || s.gpu_index ||
    ' ' || s.uuid || ' ' || s.name || ' ' || $(r s.util_pct) || ' ' || $(r s.mem_util_pct) ||
    ' ' || s.mem_used_bytes || ' ' || s.mem_total_bytes || ' ' || $(r s.temp_c) || ' ' ||
    $(r s.power_w) || ' ' || $(r s.power_limit_w) || ' ' || s.ecc_uncorrected || ' ' ||
    s.throttle_reasons AS line FROM host_gpus s JOIN hosts h ON h.id = s.host_id
  UNION ALL
  SELECT h.grp, h.name, 1, s.slot, h.name || ' sensor ' || s.name || ' ' || $(r s.value) ||
    ' ' || s.unit || ' ' || s.status || ' ' || s.level || ' ' || s.state
    FROM host_sensors s JOIN hosts h ON h.id = s.host_id
  UNION ALL
  $(procs_sql)) ORDER BY g, n, k, slot" >"$T/live.want"
check "the fixture is a version 5 cache: 8 GPU rows, 42 sensor rows, 5 processes" \
	[ "$(q5 'PRAGMA user_version'):$(q5 'SELECT count(*) FROM host_gpus'):$(q5 'SELECT count(*) FROM host_sensors'):$(q5 'SELECT count(*) FROM host_gpu_procs'):$(wc -l <"$T/live.want")" = "5:8:42:5:55" ]
check "a writer upgrades it to version 8" "$W" try "$DB5"
check "... host_gpus, host_sensors and host_gpu_procs gone, a host_live row a host" \
	[ "$(q5 'PRAGMA user_version'):$(q5 "SELECT count(*) FROM sqlite_master WHERE name IN ('host_gpus', 'host_sensors', 'host_gpu_procs')"):$(q5 'SELECT count(*) FROM host_live')" = "8:0:2" ]
"$W" live "$DB5" >"$T/live.got" 2>&1
check "... every GPU, sensor and process reads back as version 5 held it" \
	cmp "$T/live.want" "$T/live.got" || diag "$(diff "$T/live.want" "$T/live.got" | head -10)"

# --- version 7 to 8: GPU processes into the host's row -------------------------
DB7="$T/cache7.db"
gzip -dc "$FIXTURES/store/cache-v7.db.gz" >"$DB7" || { diag "cannot unpack the fixture"; exit 1; }
chmod 600 "$DB7"
q7() { sqlite3 "$DB7" "$1"; }
# what version 7's own reader printed (cache-v7.live), each host's processes after it
q7 "SELECT line FROM ($(procs_sql)) ORDER BY g, n, k, slot" >"$T/procs7"
for h in $(cut -d' ' -f1 "$FIXTURES/store/cache-v7.live" | uniq); do
	grep "^$h " "$FIXTURES/store/cache-v7.live"
	grep "^$h " "$T/procs7"
done >"$T/live7.want"
check "the fixture is a version 7 cache: 2 host_live rows, 5 processes" \
	[ "$(q7 'PRAGMA user_version'):$(q7 'SELECT count(*) FROM host_live'):$(q7 'SELECT count(*) FROM host_gpu_procs'):$(wc -l <"$T/live7.want")" = "7:2:5:55" ]
check "a writer upgrades it to version 8, host_gpu_procs gone" sh -c "\"$W\" try \"$DB7\" &&
	[ \"\$(sqlite3 \"$DB7\" \"SELECT count(*) FROM sqlite_master WHERE name = 'host_gpu_procs'\")\" = 0 ]"
"$W" live "$DB7" >"$T/live7.got" 2>&1
check "... every GPU, sensor and process reads back as version 7 held it" \
	cmp "$T/live7.want" "$T/live7.got" || diag "$(diff "$T/live7.want" "$T/live7.got" | head -10)"
check "... intact (integrity_check)" [ "$(q7 'PRAGMA integrity_check')" = ok ]
done_testing

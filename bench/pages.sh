#!/usr/bin/env bash
# The pages' speed (issue #6), release build, as a logged-in browser on one keep-alive connection
# (loopback, so the time is the server's: query, template, sending the HTML):
#  1. the dashboard with 1,000 hosts x 10 checks, seeded through POST /api/v1/report, on
#     PostgreSQL and on SQLite: p50/p95/max of GET /dashboard and GET /dashboard?state=alert;
#     target p95 <= 100 ms. On PostgreSQL timed twice on the same data: right after the seed,
#     before the tables have statistics (as on a first start, or after a burst of new hosts, until
#     autovacuum analyzes them; autovacuum is off for those tables until then, so it cannot analyze
#     them halfway), and again after ANALYZE. With the plans of the queries the dashboard runs, in
#     both states (the plans are of this checkout's SQL, whichever binary is timed).
#  2. the journal page over 10 million rows (100 hosts, six days, the schema `migrate` creates) on
#     PostgreSQL, and on TimescaleDB when TIMESCALEDB_URL points at a cluster that preloads it
#     (chunks older than 24 h compressed), filtered by host and text, for a common word, a rare one,
#     one no entry holds and a phrase of common words, over the page's default last hour and over
#     six days; target p95 <= 300 ms for every case. With the plans of the store's query for each.
# Timing: Python's http.client and time.perf_counter(), request sent to last byte read
# (bench/lib/pages-client.py), after 5 warm-up requests.
# Usage: bench/pages.sh   (ROWS=10000000 HOSTS=1000 RUNS=50 JOURNAL_RUNS=30 to change the sizes;
#                          PARTS=dashboard or PARTS=journal for one half;
#                          BACKEND_BIN=path measures another build, say an earlier commit's;
#                          PEER_BIN=path times a second build on the same journal data, case by case;
#                          REUSE_JOURNAL_DB=name times the journal a previous run seeded, on each cluster;
#                          JOURNAL_ENGINES="postgres" or "timescaledb" for one of them)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-10000000}
hosts=${HOSTS:-1000}
runs=${RUNS:-50}
journal_runs=${JOURNAL_RUNS:-30}
parts=${PARTS:-dashboard journal}

if [ -z "${SKIP_BUILD:-}" ] && [ -z "${BACKEND_BIN:-}" ]; then
  swift build -c release --product metrics-backend >/dev/null
fi
bin=${BACKEND_BIN:-$(swift build -c release --show-bin-path)/metrics-backend}
[ -x "$bin" ] || { echo "no backend binary at $bin" >&2; exit 1; }
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  exec scripts/with-postgres "$0" "$@"
fi

. bench/lib/common.sh
. bench/lib/result.sh
client="python3 bench/lib/pages-client.py"
email=bench@example.com
password="bench password 1"
bench_started=$SECONDS

# Starts a backend with the given environment; sets $base and $backend (its pid).
start_backend() {
  local log="$tmp/backend-$RANDOM"
  env "$@" LOG_LEVEL=warning "$bin" serve --port 0 >"$log.out" 2>"$log.err" &
  backend=$!
  pids+=($backend)
  base=
  for _ in $(seq 600); do
    base=$(sed -n 's/.*metrics-backend listening on //p' "$log.out" 2>/dev/null | head -1)
    [ -n "$base" ] && break
    kill -0 "$backend" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$base" ] || { echo "the backend did not start:" >&2; cat "$log.out" "$log.err" >&2; exit 1; }
}

# The journal's table and indexes, partitions or chunks included.
table_size() {
  psql "$jr_url" -XAtc "SELECT pg_size_pretty(CASE WHEN to_regclass('timescaledb_information.hypertables') IS NOT NULL
      AND EXISTS (SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'journal_entries')
    THEN hypertable_size('journal_entries') ELSE (SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'journal_entries'::regclass) END)"
}

# "met (VALUE ms)" if VALUE <= LIMIT, else "missed (VALUE ms)".
verdict() { if awk -v v="$1" -v l="$2" 'BEGIN { exit !(v <= l) }'; then echo "met ($1 ms)"; else echo "missed ($1 ms)"; fi; }

# Seeds the dashboard's hosts through the API, for one engine, and leaves its backend running:
# sets $base and $backend.
seed_dashboard() {
  local engine=$1; shift
  echo "$password" | env "$@" LOG_LEVEL=warning "$bin" user add "$email" >/dev/null
  local token
  token=$(env "$@" LOG_LEVEL=warning "$bin" token create --all-hosts --label bench)
  start_backend "$@"
  local started=$SECONDS alerting
  alerting=$($client seed "$base" "$token" "$hosts" 10)
  echo "seeded $hosts hosts x 10 checks on $engine through POST /api/v1/report in $((SECONDS - started)) s ($alerting)"
}

# Times the dashboard and its alert filter on the running backend; LABEL names the engine and state.
time_dashboard() {
  local label=$1 p50 p95 max shown bytes a50 a95 amax ashown abytes
  echo "load average before timing: $(cut -d' ' -f1-3 /proc/loadavg)"
  read -r p50 p95 max shown bytes < <($client time "$base" "$email" "$password" "$runs" /dashboard)
  echo "GET /dashboard ($label, $runs requests, $shown check rows, $((bytes / 1024)) KiB): p50 $p50 ms, p95 $p95 ms, max $max ms"
  read -r a50 a95 amax ashown abytes < <($client time "$base" "$email" "$password" "$runs" "/dashboard?state=alert")
  echo "GET /dashboard?state=alert ($label, $runs requests, $ashown check rows, $((abytes / 1024)) KiB): p50 $a50 ms, p95 $a95 ms, max $amax ms"
  result "dashboard p95 ($hosts hosts x 10 checks, $label)" "$p95" ms - - lower
  result "dashboard ?state=alert p95 ($hosts hosts x 10 checks, $label)" "$a95" ms - - lower
  echo "target dashboard p95 <= 100 ms ($label): $(verdict "$p95" 100)"
  echo "target dashboard ?state=alert p95 <= 100 ms ($label): $(verdict "$a95" 100)"
}

# The dashboard's queries (PostgresStore.hosts, PostgresCheckPages.checkCounts/checksPage) with
# the dashboard's parameters inlined, as the unnamed statements PostgresNIO sends are planned;
# the check columns are LatestColumns.record and its joins. JIT, when the plan's cost brings it
# in, shows at the end of a plan.
pick() { echo "CASE WHEN p.i IS NULL THEN $2 ELSE $1 END"; }
checks_columns="h.name, c.name, $(pick "l.kinds[p.i]" c.kind), $(pick "NULLIF(l.vals[p.i], 'NaN')" c.value),
       $(pick "NULLIF(l.units[p.i], '')" c.unit), $(pick "NULLIF(l.statuses[p.i], '')" c.status), $(pick "NULLIF(l.errors[p.i], '')" c.error),
       $(pick "NULLIF(l.details[p.i], '')" c.details::text), c.state, c.since, $(pick l.last_seen c.last_seen),
       $(pick l.observed_at c.observed_at), c.every_seconds, c.grace_seconds, c.silenced_until, c.paused, c.cron, c.timezone"
checks_joins="JOIN hosts h ON h.id = c.host_id
    LEFT JOIN host_latest l ON l.host_id = c.host_id
    LEFT JOIN LATERAL (SELECT array_position(l.names, c.name) WHERE l.observed_at >= c.observed_at) AS p (i) ON true"
page_order="CASE c.state WHEN 'alert' THEN 0 WHEN 'no-data' THEN 1 ELSE 2 END, h.name, c.name"
explain_pg() {
  echo "-- plan ($1): $2"
  psql "$pg_url" -X -c "EXPLAIN (ANALYZE, BUFFERS) $3" | sed 's/^/  /'
}
explain_dashboard() {
  local state=$1
  explain_pg "$state" "hosts() (PostgresStore)" "
    SELECT h.name, h.boot_id, h.sender, h.first_seen, greatest(h.last_report_at, l.last_seen), coalesce(n.checks, 0)::bigint, l.clock_offset
    FROM hosts h LEFT JOIN host_latest l ON l.host_id = h.id
    LEFT JOIN (SELECT host_id, count(*) AS checks FROM checks GROUP BY host_id) n ON n.host_id = h.id
    ORDER BY h.name"
  explain_pg "$state" "checkCounts(host: nil) (PostgresCheckPages)" "
    SELECT h.name, c.state, count(*)::bigint FROM checks c JOIN hosts h ON h.id = c.host_id
    WHERE (NULL::text IS NULL OR h.name = NULL::text) GROUP BY h.name, c.state"
  explain_pg "$state" "checksPage(host: nil, state: nil, offset: 0, limit: 200) (PostgresCheckPages)" "
    SELECT $checks_columns FROM (
      SELECT c.id FROM checks c JOIN hosts h ON h.id = c.host_id
      WHERE (NULL::text IS NULL OR h.name = NULL::text) AND (NULL::text IS NULL OR c.state = NULL::text)
      ORDER BY $page_order LIMIT 200 OFFSET 0
    ) page JOIN checks c ON c.id = page.id $checks_joins
    ORDER BY $page_order"
  explain_pg "$state" "checksPage(host: nil, state: alert, offset: 0, limit: 200) (PostgresCheckPages)" "
    SELECT $checks_columns FROM (
      SELECT c.id FROM checks c JOIN hosts h ON h.id = c.host_id
      WHERE (NULL::text IS NULL OR h.name = NULL::text) AND ('alert'::text IS NULL OR c.state = 'alert')
      ORDER BY $page_order LIMIT 200 OFFSET 0
    ) page JOIN checks c ON c.id = page.id $checks_joins
    ORDER BY $page_order"
}

# Which of the dashboard's tables have statistics, and from what.
pg_statistics() {
  psql "$pg_url" -XAtc "SELECT coalesce(string_agg(relname || ' (' || CASE WHEN last_analyze IS NOT NULL THEN 'ANALYZE' ELSE 'autovacuum' END || ')', ', ' ORDER BY relname), 'none')
    FROM pg_stat_user_tables WHERE relname IN ('hosts', 'checks', 'host_latest') AND coalesce(last_analyze, last_autoanalyze) IS NOT NULL"
}

dashboard_part() {
  echo "== dashboard"
  pg_url=$(new_database "bench_pages_dashboard_$$")
  local tables="hosts checks host_latest" table
  env DATABASE_URL="$pg_url" LOG_LEVEL=warning "$bin" migrate >/dev/null
  for table in $tables; do psql "$pg_url" -Xqc "ALTER TABLE $table SET (autovacuum_enabled = off)"; done
  seed_dashboard postgres DATABASE_URL="$pg_url"
  echo "checks by state (PostgreSQL): $(psql "$pg_url" -XAtc "SELECT string_agg(state || ' ' || n, ', ') FROM (SELECT state, count(*) n FROM checks GROUP BY state ORDER BY state) s")"
  echo "tables with statistics: $(pg_statistics)"
  time_dashboard "postgres, before ANALYZE"
  explain_dashboard "before ANALYZE"
  echo "tables with statistics after timing: $(pg_statistics)"
  for table in $tables; do psql "$pg_url" -Xqc "ALTER TABLE $table RESET (autovacuum_enabled)"; done
  psql "$pg_url" -Xqc "ANALYZE" # as autovacuum would have within a minute or so
  echo "tables with statistics: $(pg_statistics)"
  time_dashboard "postgres, after ANALYZE"
  explain_dashboard "after ANALYZE"
  explain_pg "after ANALYZE" "checks(host: nil, state: nil) (PostgresStore; the API and /metrics read every check this way, the dashboard no longer does)" "
    SELECT $checks_columns FROM checks c $checks_joins
    WHERE (NULL::text IS NULL OR h.name = NULL::text) AND (NULL::text IS NULL OR c.state = NULL::text) ORDER BY h.name, c.name"
  kill "$backend"; wait "$backend" 2>/dev/null || true

  seed_dashboard sqlite DATA_DIR="$tmp/sqlite"
  time_dashboard sqlite
  kill "$backend"; wait "$backend" 2>/dev/null || true
  if command -v sqlite3 >/dev/null; then
    echo "-- SQLite query plans (EXPLAIN QUERY PLAN): checkCounts, then checksPage"
    sqlite3 "$tmp/sqlite/metrics.sqlite" "EXPLAIN QUERY PLAN SELECT h.name, c.state, count(*) FROM checks c JOIN hosts h ON h.id = c.host_id GROUP BY h.name, c.state;" \
      "EXPLAIN QUERY PLAN SELECT h.name AS host, c.* FROM checks c JOIN hosts h ON h.id = c.host_id WHERE 1 = 1 ORDER BY $page_order LIMIT 200 OFFSET 0;" | sed 's/^/  /'
  fi
}

# The journal page on native PostgreSQL, and on TimescaleDB when TIMESCALEDB_URL points at a
# cluster that preloads it (its chunks older than a day compressed, as its policy does).
journal_part() {
  local engines=${JOURNAL_ENGINES:-postgres timescaledb}
  case " $engines " in *" postgres "*) journal_on postgres "$TEST_DATABASE_URL" ;; esac
  case " $engines " in *" timescaledb "*) if [ -n "${TIMESCALEDB_URL:-}" ]; then journal_on timescaledb "$TIMESCALEDB_URL"; fi ;; esac
}

journal_on() {
  local engine=$1 cluster=$2
  echo "== journal page over $rows rows ($engine)"
  if [ -n "${REUSE_JOURNAL_DB:-}" ]; then
    # The journal a previous run seeded (and compressed), on the same cluster: timing only.
    jr_url=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$cluster" "$REUSE_JOURNAL_DB")
    journal_env=(DATABASE_URL="$jr_url" JOURNAL_RETENTION=7d)
    count=$(psql "$jr_url" -XAtc "SELECT count(*) FROM journal_entries")
    echo "reusing $REUSE_JOURNAL_DB: $count rows, table + indexes $(table_size)"
  else
    jr_url=$(new_database "bench_pages_journal_$$" "$cluster")
    journal_env=(DATABASE_URL="$jr_url" JOURNAL_RETENTION=7d)
    env "${journal_env[@]}" LOG_LEVEL=warning "$bin" migrate >/dev/null
    echo "journal partitions after migrate: $(psql "$jr_url" -XAtc "SELECT count(*) || ' (' || min(c.relname) || ' .. ' || max(c.relname) || ')'
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'journal_entries'::regclass")"
    # Load first, index after: the secondary indexes `migrate` created are dropped and created again
    # from their own definitions (the primary key stays), so the end state is the schema's own.
    psql "$jr_url" -XAt -c "SELECT indexname || chr(9) || replace(indexdef, ' ON ONLY ', ' ON ') FROM pg_indexes
      WHERE schemaname = 'public' AND tablename = 'journal_entries' AND indexname <> 'journal_entries_pkey'" >"$tmp/indexes"
    echo "secondary indexes: $(cut -f1 "$tmp/indexes" | paste -sd' ')"
    cut -f1 "$tmp/indexes" | sed 's/.*/DROP INDEX &;/' | psql "$jr_url" -Xq
    started=$SECONDS
    chunk=1000000
    # host-000..host-099 interleaved in time; five services with their own messages; ~10% of the rows
    # say "timeout" (the common word), one in 1499 "segfault" (the rare one, ~67 per host).
    for ((first = 0; first < rows; first += chunk)); do
      last=$((first + chunk < rows ? first + chunk : rows))
      psql "$jr_url" -Xq -v ON_ERROR_STOP=1 -c "
        INSERT INTO journal_entries (host, at, boot_id, seqnum, cursor, unit, identifier, pid, priority, transport, message)
        SELECT 'host-' || lpad(((g / 10) % 100)::text, 3, '0'),
               now() - (g::float8 / $rows) * interval '6 days',
               'boot-' || ((g / 10) % 100), g, 's=bench;i=' || g,
               (ARRAY['nginx.service', 'sshd.service', 'cron.service', 'app.service', 'postgresql.service'])[1 + g % 5],
               (ARRAY['nginx', 'sshd', 'CRON', 'app', 'postgres'])[1 + g % 5],
               1000 + g % 30000,
               (CASE WHEN g % 1499 = 7 THEN 2 WHEN g % 10 = 3 THEN 4 WHEN g % 50 = 1 THEN 3 ELSE 6 END)::smallint,
               'journal',
               CASE WHEN g % 1499 = 7 THEN 'app[' || (1000 + g % 30000) || ']: segfault at ' || to_hex(g) || ' ip ' || to_hex(g * 7) || ' error 4 in libc.so.6'
                    WHEN g % 10 = 3 THEN 'upstream timeout after ' || (g % 997) || ' ms while reading /api/items/' || (g % 5000)
                    WHEN g % 5 = 0 THEN '10.0.' || (g % 255) || '.' || (g % 253) || ' - - \"GET /api/items/' || (g % 50000) || ' HTTP/1.1\" 200 ' || (g % 9000) || ' \"-\" \"curl/8.5\"'
                    WHEN g % 5 = 1 THEN 'Accepted publickey for deploy from 192.168.' || (g % 250) || '.' || (g % 251) || ' port ' || (30000 + g % 30000) || ' ssh2: ED25519 SHA256:' || md5(g::text)
                    WHEN g % 5 = 2 THEN '(root) CMD (run-parts /etc/cron.hourly) job ' || (g % 977)
                    WHEN g % 5 = 3 THEN 'processed job ' || g || ' for user ' || (g % 977) || ' in ' || (g % 300) || ' ms'
                    ELSE 'checkpoint complete: wrote ' || (g % 4000) || ' buffers (' || (g % 100) || '.' || (g % 10) || '%); distance=' || (g % 70000) || ' kB' END
        FROM generate_series($first + 1, $last) g"
    done
    loaded=$((SECONDS - started))
    { echo "SET maintenance_work_mem = '512MB';"; cut -f2 "$tmp/indexes" | sed 's/$/;/'; echo "ANALYZE journal_entries;"; } | psql "$jr_url" -Xq -v ON_ERROR_STOP=1
    indexed=$((SECONDS - started - loaded))
    count=$(psql "$jr_url" -XAtc "SELECT count(*) FROM journal_entries")
    echo "seeded $count rows with SQL (generate_series): inserted in $loaded s, indexed + analyzed in $indexed s, $((loaded + indexed)) s in all;" \
      "table + indexes $(table_size)"
    if [ "$engine" = timescaledb ]; then
      started=$SECONDS
      psql "$jr_url" -XAqc "SELECT count(compress_chunk(c, true)) FROM show_chunks('journal_entries', older_than => interval '24 hours') c" >/dev/null
      psql "$jr_url" -Xqc "ANALYZE journal_entries"
      echo "compressed the chunks older than 24 h in $((SECONDS - started)) s: table + indexes $(table_size)"
    fi
    echo "$password" | env "${journal_env[@]}" LOG_LEVEL=warning "$bin" user add "$email" >/dev/null
    echo "seeded database: ${jr_url##*/} (REUSE_JOURNAL_DB=${jr_url##*/} times it again)"
  fi
  host=host-042
  echo "$host: $(psql "$jr_url" -XAtc "SELECT count(*) || ' rows, ' || count(*) FILTER (WHERE message ILIKE '%timeout%') || ' with timeout, '
    || count(*) FILTER (WHERE message ILIKE '%segfault%') || ' with segfault; last hour: ' || count(*) FILTER (WHERE at >= now() - interval '1 hour') || ' rows, '
    || count(*) FILTER (WHERE at >= now() - interval '1 hour' AND message ILIKE '%timeout%') || ' with timeout, '
    || count(*) FILTER (WHERE at >= now() - interval '1 hour' AND message ILIKE '%segfault%') || ' with segfault'
    FROM journal_entries WHERE host = '$host'")"
  peer_base=
  if [ -n "${PEER_BIN:-}" ]; then
    # Another build on the same data (PEER_BIN), timed right after ours for each case: an A/B.
    local ours_bin=$bin
    bin=$PEER_BIN start_backend "${journal_env[@]}"
    peer_base=$base peer_backend=$backend
    bin=$ours_bin
  fi
  start_backend "${journal_env[@]}"
  six_days_ago=$(($(date +%s) - 6 * 86400))
  # A common word, a rare one, one no entry holds, and a phrase no entry holds made of common words
  # (the trigram index cannot rule it out: every entry with both words is read and rechecked).
  words=(timeout segfault nosuchword "after timeout")
  echo "load average before timing: $(cut -d' ' -f1-3 /proc/loadavg)"
  worst=0
  for word in "${words[@]}"; do
    for range in "last hour" "six days"; do
      path="/journal?host=$host&q=${word// /%20}"
      [ "$range" = "six days" ] && path="$path&from=$six_days_ago"
      read -r p50 p95 max shown _ < <($client time "$base" "$email" "$password" "$journal_runs" "$path")
      echo "GET $path ($engine, $journal_runs requests, $shown entries shown): p50 $p50 ms, p95 $p95 ms, max $max ms"
      peer_p95=-
      if [ -n "$peer_base" ]; then
        # An older build may time out (503) where ours does not: that is its result.
        if peer_line=$($client time "$peer_base" "$email" "$password" "$journal_runs" "$path" 2>&1); then
          read -r _ peer_p95 _ _ _ <<<"$peer_line"
          echo "  the same with PEER_BIN: p95 $peer_p95 ms"
        else
          peer_p95=-
          echo "  the same with PEER_BIN: failed: ${peer_line##*$'\n'}"
        fi
      fi
      result "journal page p95 ($engine, $host + '$word', $range, $count rows)" "$p95" ms "${peer_p95:+PEER_BIN}" "$peer_p95" lower
      worst=$(awk -v a="$worst" -v b="$p95" 'BEGIN { print (b > a ? b : a) }')
    done
  done
  kill "$backend"; wait "$backend" 2>/dev/null || true
  [ -n "$peer_base" ] && { kill "$peer_backend"; wait "$peer_backend" 2>/dev/null || true; }
  echo "target journal page p95 <= 300 ms ($engine, every word and phrase, worst of both ranges): $(verdict "$worst" 300)"

  # The store's query (PostgresJournalStore.entries) for those filters, parameters inlined in the
  # store's own expressions; the page asks for 100 entries.
  now_us=$(($(date +%s) * 1000000))
  for word in "${words[@]}"; do
    for range in "last hour" "six days"; do
      from_us=$((now_us - 3600 * 1000000))
      [ "$range" = "six days" ] && from_us=$((six_days_ago * 1000000))
      echo "-- plan: entries(host: $host, text: '$word', from: $range, limit: 100)"
      psql "$jr_url" -X -c "EXPLAIN (ANALYZE, BUFFERS)
        SELECT id, host, (EXTRACT(EPOCH FROM at) * 1000000)::bigint, boot_id, seqnum, cursor, unit, identifier,
               container_name, container_id, pid, priority, transport, message, message_base64, fields::text
        FROM journal_entries WHERE true AND host = '$host' AND strpos(lower(message), lower('$word')) > 0
          AND at >= timestamptz 'epoch' + ${from_us}::int8 * interval '1 microsecond'
        ORDER BY at DESC, id DESC LIMIT 100" | sed 's/^/  /'
    done
  done
}

for part in $parts; do "${part}_part"; done
echo "total run time: $((SECONDS - bench_started)) s"

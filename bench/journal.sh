#!/usr/bin/env bash
# Journal speed over one real 200k-entry journal (systemd-journal-remote, two files), in one run:
#  1. reading and encoding: `metrics-sender journal --dry-run` against `journalctl -o json`, both to
#     /dev/null (target: ours at least 3x faster);
#  2. shipping end to end: `metrics-sender journal` into `metrics-backend` on each engine: SQLite,
#     PostgreSQL (native partitions), and TimescaleDB when TIMESCALEDB_URL points at a cluster that
#     preloads it (target: 200k entries in at most 4 s on the fastest engine, i.e. at least 50k
#     entries/s), every entry stored once; on PostgreSQL and TimescaleDB also without the trigram
#     index, and on PostgreSQL with LOG_RULES log rules in the rules file, each meeting every entry,
#     for their costs;
#  3. backend ingest: the same rows POSTed as NDJSON batches of 5000 against `psql \copy` of the
#     same rows into the same table, on PostgreSQL (target: at least 50% of \copy's rate).
# Needs a release build (built here unless SKIP_BUILD=1; BACKEND_BIN and SENDER_BIN measure other
# builds) and PostgreSQL (a throwaway one is started unless TEST_DATABASE_URL is set).
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${ENTRIES:-200000}
log_rules=${LOG_RULES:-20}

if [ -z "${SKIP_BUILD:-}" ] && [ -z "${BACKEND_BIN:-}" ]; then
  swift build -c release --product metrics-backend >/dev/null
  swift build -c release --product metrics-sender >/dev/null
fi
backend_bin=${BACKEND_BIN:-$(swift build -c release --show-bin-path)/metrics-backend}
sender_bin=${SENDER_BIN:-$(swift build -c release --show-bin-path)/metrics-sender}
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  exec scripts/with-postgres "$0" "$@"
fi

. bench/lib/common.sh
# Seconds of wall time a command takes, best of three.
best_of_3() {
  python3 - "$@" <<'PY'
import subprocess, sys, time
best = None
for _ in range(3):
    start = time.monotonic()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
    elapsed = time.monotonic() - start
    best = elapsed if best is None or elapsed < best else best
print("%.3f" % best)
PY
}

python3 Tests/Support/make_journal.py "$entries" "$tmp/journal" 300 2
echo "journal: $entries entries in $(ls "$tmp/journal" | wc -l) files, $(du -sh "$tmp/journal" | cut -f1)" >&2

# 1. Reading and encoding.
ours_read=$(best_of_3 env METRICS_HOST=bench-host METRICS_STATE_DIR="$tmp/dry-state" "$sender_bin" journal --directory "$tmp/journal" --dry-run --since 1h)
peer_read=$(best_of_3 journalctl -D "$tmp/journal" -o json --no-pager)
shipped=$(METRICS_HOST=bench-host METRICS_STATE_DIR="$tmp/dry-state" "$sender_bin" journal --directory "$tmp/journal" --dry-run --since 1h | wc -l)

# Log rules that each meet every entry and match none: the worst case for their cost.
for i in $(seq "$log_rules"); do
  if [ $((i % 2)) -eq 0 ]; then printf '[logs."r%d"]\ncontains = "no such text %d"\n' "$i" "$i"
  else printf '[logs."r%d"]\nregex = "no such (text|line) %d$"\n' "$i" "$i"; fi
done >"$tmp/rules.toml"

# 2. Shipping end to end into ENGINE; sets $port and $token to the running backend, and adds a row.
ship_rows=()
ship_into() {
  local label=$1; shift
  local data="$tmp/data-$RANDOM"
  token=$(env "$@" DATA_DIR="$data" LOG_LEVEL=warning "$backend_bin" token create bench-host 2>/dev/null)
  port=$(free_port)
  env "$@" DATA_DIR="$data" LOG_LEVEL=warning "$backend_bin" serve --port "$port" >"$tmp/backend-$port.log" 2>&1 &
  backend=$!
  pids+=("$backend")
  wait_http "http://127.0.0.1:$port/readyz"
  # The trigram index's cost: the same engine without it (dropped once `serve` has migrated).
  case $label in *"no trigram"*) psql "$url" -qc "DROP INDEX IF EXISTS journal_entries_message_trgm" ;; esac
  local start end stored
  start=$(date +%s.%N)
  METRICS_URL="http://127.0.0.1:$port" METRICS_TOKEN="$token" METRICS_HOST=bench-host METRICS_STATE_DIR="$tmp/state-$port" \
    "$sender_bin" journal --directory "$tmp/journal" --since 1h
  end=$(date +%s.%N)
  case $label in
    sqlite*) stored=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM journal_entries").fetchone()[0])' "$data/journal.sqlite") ;;
    *) stored=$(psql "$url" -Atc "SELECT count(*) FROM journal_entries") ;;
  esac
  ship_rows+=("$label|$start|$end|$stored")
}
stop_backend() { kill "$backend"; wait "$backend" 2>/dev/null || true; }

url=
ship_into sqlite; stop_backend
url=$(new_database "bench_journal_$$")
ship_into postgres DATABASE_URL="$url"; stop_backend
url=$(new_database "bench_journal_notrgm_$$")
ship_into "postgres, no trigram index" DATABASE_URL="$url"; stop_backend
url=$(new_database "bench_journal_rules_$$")
ship_into "postgres, $log_rules log rules" DATABASE_URL="$url" ALERT_RULES_FILE="$tmp/rules.toml"; stop_backend
if [ -n "${TIMESCALEDB_URL:-}" ]; then
  url=$(new_database "bench_journal_$$" "$TIMESCALEDB_URL")
  ship_into timescaledb DATABASE_URL="$url"; stop_backend
  echo "timescaledb: $(psql "$url" -Atc "SELECT 'hypertable ' || hypertable_name || ', ' || num_chunks || ' chunks' FROM timescaledb_information.hypertables")"
  url=$(new_database "bench_journal_notrgm_$$" "$TIMESCALEDB_URL")
  ship_into "timescaledb, no trigram index" DATABASE_URL="$url"; stop_backend
  psql "$TIMESCALEDB_URL" -qc "DROP DATABASE bench_journal_$$ WITH (FORCE)" -qc "DROP DATABASE bench_journal_notrgm_$$ WITH (FORCE)"
fi

# 3. Backend ingest against psql \copy, on the same rows and the same (PostgreSQL) table.
pg_url=$(new_database "bench_journal_copy_$$")
url=$pg_url
ship_into postgres-copy-rows DATABASE_URL="$pg_url"
unset 'ship_rows[${#ship_rows[@]}-1]'
METRICS_HOST=bench-host METRICS_STATE_DIR="$tmp/dry-state" "$sender_bin" journal --directory "$tmp/journal" --dry-run --since 1h \
  | split -l 5000 - "$tmp/batch-"
columns="host, at, boot_id, seqnum, cursor, unit, identifier, container_name, container_id, pid, priority, transport, message, message_base64, fields"
psql "$pg_url" -qc "\\copy (SELECT $columns FROM journal_entries) TO '$tmp/rows.csv' CSV"
psql "$pg_url" -qc "TRUNCATE journal_entries"
read -r posted post_seconds < <(python3 bench/lib/post-batches.py "http://127.0.0.1:$port" "$token" bench-host "$tmp"/batch-*)
stop_backend
psql "$pg_url" -qc "TRUNCATE journal_entries"
copy_start=$(date +%s.%N)
psql "$pg_url" -qc "\\copy journal_entries ($columns) FROM '$tmp/rows.csv' CSV"
copy_end=$(date +%s.%N)
copied=$(psql "$pg_url" -Atc "SELECT count(*) FROM journal_entries")

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$entries" "$ours_read" "$peer_read" "$shipped" "$posted" "$post_seconds" "$copy_start" "$copy_end" "$copied" "${ship_rows[@]}" <<'PY'
import sys
(entries, ours_read, peer_read, shipped, posted, post_s, c0, c1, copied), ships = sys.argv[1:10], sys.argv[10:]
entries = int(entries)
copy = float(c1) - float(c0)
post_rate = int(posted) / float(post_s)
copy_rate = int(copied) / copy
print("%-44s %12s   %-20s %12s %8s" % ("measure", "ours", "peer", "peer value", "ratio"))
rows = [("read + encode, seconds", float(ours_read), "journalctl -o json", float(peer_read))]
best = None
stored_all = True
for ship in ships:
    label, s0, s1, stored = ship.split("|")
    seconds = float(s1) - float(s0)
    rows.append(("ship end to end (%s), seconds" % label, seconds, "(target)", 4.0))
    if "rules" not in label and "trigram" not in label and (best is None or seconds < best[1]):
        best = (label, seconds)
    stored_all = stored_all and int(stored) == entries
    print("stored end to end (%s): %s of %d" % (label, stored, entries))
rows.append(("backend ingest (postgres), entries/s", post_rate, "psql \\copy", copy_rate))
for name, ours, peer, value in rows:
    ratio = value / ours if "seconds" in name else ours / value
    print("%-44s %12.2f   %-20s %12.2f %8.2f" % (name, ours, peer, value, ratio))
for name, ours, peer, value in rows:
    ratio = value / ours if "seconds" in name else ours / value
    print("result\tjournal %s\t%.2f\t%s\t%s\t%.2f\t%.2f" % (name.split(", ")[0], ours, name.split(", ")[-1], peer, value, ratio))
print("entries: %d in the journal, %s encoded, %s posted, %s copied" % (entries, shipped.strip(), posted, copied))
print("fastest engine end to end: %s, %.2f s, %.0f entries/s" % (best[0], best[1], entries / best[1]))
print("target read+encode >= 3x journalctl: %s" % ("met" if float(peer_read) / float(ours_read) >= 3 else "MISSED"))
print("target end to end <= 4 s on the fastest engine: %s" % ("met" if best[1] <= 4 else "MISSED"))
print("target ingest >= 50%% of \\copy: %s" % ("met" if post_rate >= 0.5 * copy_rate else "MISSED"))
print("every entry stored once on every engine: %s" % ("yes" if stored_all else "NO"))
PY

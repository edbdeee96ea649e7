#!/usr/bin/env bash
# Journal speed over one real 200k-entry journal (systemd-journal-remote, two files), in one run:
#  1. reading and encoding: `metrics-sender journal --dry-run` against `journalctl -o json`, both to
#     /dev/null (target: ours at least 3x faster);
#  2. shipping end to end: `metrics-sender journal` into `metrics-backend` on PostgreSQL (target:
#     200k entries in at most 4 s, i.e. at least 50k entries/s), every entry stored once;
#  3. backend ingest: the same rows POSTed as NDJSON batches of 5000 against `psql \copy` of the
#     same rows into the same table (target: at least 50% of \copy's rate).
# Needs a release build (built here unless SKIP_BUILD=1) and PostgreSQL (a throwaway one is started).
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${ENTRIES:-200000}

if [ -z "${SKIP_BUILD:-}" ]; then
  swift build -c release --product metrics-backend >/dev/null
  swift build -c release --product metrics-sender >/dev/null
fi
bin=$(swift build -c release --show-bin-path)
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
ours_read=$(best_of_3 env METRICS_HOST=bench-host METRICS_STATE_DIR="$tmp/dry-state" "$bin/metrics-sender" journal --directory "$tmp/journal" --dry-run --since 1h)
peer_read=$(best_of_3 journalctl -D "$tmp/journal" -o json --no-pager)
shipped=$(METRICS_HOST=bench-host METRICS_STATE_DIR="$tmp/dry-state" "$bin/metrics-sender" journal --directory "$tmp/journal" --dry-run --since 1h | wc -l)

# 2. Shipping end to end into PostgreSQL.
pg_url=$(new_database "bench_journal_$$")
port=$(free_port)
export DATABASE_URL=$pg_url DATA_DIR="$tmp/data" LOG_LEVEL=warning
token=$("$bin/metrics-backend" token create bench-host 2>/dev/null)
"$bin/metrics-backend" serve --port "$port" >"$tmp/backend.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$port/readyz"
ship_start=$(date +%s.%N)
METRICS_URL="http://127.0.0.1:$port" METRICS_TOKEN="$token" METRICS_HOST=bench-host METRICS_STATE_DIR="$tmp/state" \
  "$bin/metrics-sender" journal --directory "$tmp/journal" --since 1h
ship_end=$(date +%s.%N)
stored=$(psql "$pg_url" -Atc "SELECT count(*) FROM journal_entries")

# 3. Backend ingest against psql \copy, on the same rows and the same table.
METRICS_HOST=bench-host METRICS_STATE_DIR="$tmp/dry-state" "$bin/metrics-sender" journal --directory "$tmp/journal" --dry-run --since 1h \
  | split -l 5000 - "$tmp/batch-"
columns="host, at, boot_id, seqnum, cursor, unit, identifier, container_name, container_id, pid, priority, transport, message, message_base64, fields"
psql "$pg_url" -qc "\\copy (SELECT $columns FROM journal_entries) TO '$tmp/rows.csv' CSV"
psql "$pg_url" -qc "TRUNCATE journal_entries"
read -r posted post_seconds < <(python3 bench/lib/post-batches.py "http://127.0.0.1:$port" "$token" bench-host "$tmp"/batch-*)
psql "$pg_url" -qc "TRUNCATE journal_entries"
copy_start=$(date +%s.%N)
psql "$pg_url" -qc "\\copy journal_entries ($columns) FROM '$tmp/rows.csv' CSV"
copy_end=$(date +%s.%N)
copied=$(psql "$pg_url" -Atc "SELECT count(*) FROM journal_entries")

python3 - "$entries" "$ours_read" "$peer_read" "$shipped" "$ship_start" "$ship_end" "$stored" "$posted" "$post_seconds" "$copy_start" "$copy_end" "$copied" <<'PY'
import sys
(entries, ours_read, peer_read, shipped, s0, s1, stored, posted, post_s, c0, c1, copied) = sys.argv[1:]
entries = int(entries)
ship = float(s1) - float(s0)
copy = float(c1) - float(c0)
post_rate = int(posted) / float(post_s)
copy_rate = int(copied) / copy
rows = [
    ("read + encode, seconds", float(ours_read), "journalctl -o json", float(peer_read)),
    ("ship end to end, seconds", ship, "(target)", 4.0),
    ("backend ingest, entries/s", post_rate, "psql \\copy", copy_rate),
]
print("%-30s %12s   %-20s %12s %8s" % ("measure", "ours", "peer", "peer value", "ratio"))
for name, ours, peer, value in rows:
    ratio = value / ours if "seconds" in name else ours / value
    print("%-30s %12.2f   %-20s %12.2f %8.2f" % (name, ours, peer, value, ratio))
for name, ours, peer, value in rows:
    ratio = value / ours if "seconds" in name else ours / value
    print("result\tjournal %s\t%.2f\t%s\t%s\t%.2f\t%.2f" % (name.split(",")[0], ours, name.split(", ")[1], peer, value, ratio))
print("entries: %d in the journal, %s encoded, %s stored end to end, %s posted, %s copied" % (entries, shipped.strip(), stored, posted, copied))
print("end-to-end rate: %.0f entries/s" % (entries / ship))
print("target read+encode >= 3x journalctl: %s" % ("met" if float(peer_read) / float(ours_read) >= 3 else "MISSED"))
print("target end to end <= 4 s: %s" % ("met" if ship <= 4 else "MISSED"))
print("target ingest >= 50%% of \\copy: %s" % ("met" if post_rate >= 0.5 * copy_rate else "MISSED"))
print("every entry stored once: %s" % ("yes" if int(stored) == entries else "NO"))
PY

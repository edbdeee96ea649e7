#!/usr/bin/env bash
# Alert latency: 10,000 heartbeat checks whose deadlines spread over one minute, none pinged
# again, and a Telegram stand-in that records when each "missed" message arrives. Prints p50,
# p99 and maximum lateness after each check's deadline, and the backend's CPU while all checks
# are alive and none is due (the evaluator at steady state), on SQLite and on PostgreSQL.
# Targets: maximum lateness <= 2 s; steady-state CPU <= 5 % of one core.
# BACKEND_BIN=path measures another build (say, an earlier commit's) with the same harness.
set -euo pipefail
cd "$(dirname "$0")/.."
checks=${CHECKS:-10000}

if [ -z "${SKIP_BUILD:-}" ] && [ -z "${BACKEND_BIN:-}" ]; then
  swift build -c release --product metrics-backend >/dev/null
fi
bin=${BACKEND_BIN:-$(swift build -c release --show-bin-path)/metrics-backend}
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  exec scripts/with-postgres "$0" "$@"
fi

. bench/lib/common.sh
. bench/lib/result.sh

# Prints "checks delivered duplicates p50 p99 max min cpu%" for the store DATABASE_URL (empty: SQLite).
bench_alerts() {
  local database_url=$1 port standin
  port=$(free_port)
  standin="$tmp/telegram-$port"
  mkdir -p "$standin"
  python3 Tests/Support/telegram_standin.py "$standin" &
  pids+=($!)
  for _ in $(seq 100); do [ -f "$standin/port" ] && break; sleep 0.05; done
  local env=(env DATA_DIR="$tmp/data-$port" LOG_LEVEL=warning TELEGRAM_BOT_TOKEN=1:bench TELEGRAM_CHAT_ID=1
             TELEGRAM_API_URL="http://127.0.0.1:$(cat "$standin/port")")
  [ -n "$database_url" ] && env+=(DATABASE_URL="$database_url")
  local token
  token=$("${env[@]}" "$bin" token create --all-hosts --label bench)
  "${env[@]}" "$bin" serve --port "$port" >"$tmp/backend-$port.log" 2>&1 &
  local backend=$!
  pids+=($backend)
  wait_http "http://127.0.0.1:$port/readyz"
  python3 bench/lib/alert-lateness.py "http://127.0.0.1:$port" "$token" "$standin" "$backend" "$checks" \
    "${database_url:-$tmp/data-$port/metrics.sqlite}"
  kill "$backend"
}

read -r sq_checks sq_got sq_dup sq_p50 sq_p99 sq_max sq_min sq_cpu < <(bench_alerts "")
pg_url=$(new_database "bench_alerts_$$")
read -r pg_checks pg_got pg_dup pg_p50 pg_p99 pg_max pg_min pg_cpu < <(bench_alerts "$pg_url")

printf '%-28s %8s %9s %5s %8s %8s %8s %8s %9s\n' "lateness after the deadline" checks messages dup "p50 s" "p99 s" "max s" "min s" "idle CPU%"
printf '%-28s %8s %9s %5s %8s %8s %8s %8s %9s\n' "metrics-backend, SQLite" "$sq_checks" "$sq_got" "$sq_dup" "$sq_p50" "$sq_p99" "$sq_max" "$sq_min" "$sq_cpu"
printf '%-28s %8s %9s %5s %8s %8s %8s %8s %9s\n' "metrics-backend, PostgreSQL" "$pg_checks" "$pg_got" "$pg_dup" "$pg_p50" "$pg_p99" "$pg_max" "$pg_min" "$pg_cpu"
echo "a poller every minute (the cron + curl way) would be 0-60 s late, 30 s at the median"
awk -v a="$sq_max" -v b="$pg_max" -v c="$sq_cpu" -v d="$pg_cpu" -v n="$checks" -v g1="$sq_got" -v g2="$pg_got" 'BEGIN {
  printf "target every message arrives: %s\n", (g1 == n && g2 == n ? "met" : "MISSED");
  printf "target maximum lateness <= 2 s: %s\n", (a <= 2 && b <= 2 ? "met" : "MISSED");
  printf "target steady-state CPU <= 5%% of a core: %s\n", (c <= 5 && d <= 5 ? "met" : "MISSED") }'
result "alert lateness max, SQLite" "$sq_max" s - - lower
result "alert lateness max, PostgreSQL" "$pg_max" s - - lower
result "evaluator idle CPU, PostgreSQL" "$pg_cpu" "% core" - - lower

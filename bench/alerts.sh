#!/usr/bin/env bash
# Alert latency: 10,000 heartbeat checks whose deadlines spread over one minute, none pinged
# again, and a Telegram stand-in that records when a message covers each "missed" check (by
# name, or as one of a group's "N more" on the page it links to). Prints p50, p99 and maximum
# lateness after each check's deadline, and the backend's CPU while all checks are alive and
# none is due (the evaluator at steady state), on SQLite and on PostgreSQL.
# Then a storm: 200 hosts go silent at once, told to a Telegram group chat (20 messages a
# minute, which the stand-in enforces): how many messages, and how long after the last host's
# deadline until every host was covered.
# Targets: maximum lateness <= 2 s; steady-state CPU <= 5 % of one core; the storm in at most
# 10 messages, with no 429.
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

# Starts a Telegram stand-in for chat $2 and a backend on DATABASE_URL $1 (empty: SQLite), with
# any further settings as arguments. Sets port, standin, standin_pid, token and backend in the
# caller's locals: the caller kills them itself, since it runs in a subshell, whose pids the exit
# trap never sees.
start_backend() {
  local database_url=$1 chat=$2
  shift 2
  port=$(free_port)
  standin="$tmp/standin-$port"
  mkdir -p "$standin"
  python3 Tests/Support/telegram_standin.py "$standin" &
  standin_pid=$!
  for _ in $(seq 100); do [ -f "$standin/port" ] && break; sleep 0.05; done
  local env=(env DATA_DIR="$tmp/data-$port" LOG_LEVEL=warning TELEGRAM_BOT_TOKEN=1:bench TELEGRAM_CHAT_ID="$chat"
             TELEGRAM_API_URL="http://127.0.0.1:$(cat "$standin/port")" PUBLIC_URL="http://127.0.0.1:$port" "$@")
  [ -n "$database_url" ] && env+=(DATABASE_URL="$database_url")
  token=$("${env[@]}" "$bin" token create --all-hosts --label bench)
  "${env[@]}" "$bin" serve --port "$port" >"$tmp/backend-$port.log" 2>&1 &
  backend=$!
  wait_http "http://127.0.0.1:$port/readyz"
}

# Prints "checks covered messages duplicates p50 p99 max min cpu%" for the store DATABASE_URL (empty: SQLite).
bench_alerts() {
  local database_url=$1 port standin standin_pid token backend
  start_backend "$database_url" 1
  python3 bench/lib/alert-lateness.py "http://127.0.0.1:$port" "$token" "$standin" "$backend" "$checks" \
    "${database_url:-$tmp/data-$port/metrics.sqlite}"
  kill "$backend" "$standin_pid"
}

# Prints "messages seconds-after-the-last-deadline 429s hosts-covered" for a 200-host storm, told
# to a group chat (a negative id: 20 messages a minute).
bench_storm() {
  local database_url=$1 port standin standin_pid token backend
  start_backend "$database_url" -1 REPORT_INTERVAL=2s REPORT_GRACE=6s
  python3 bench/lib/storm.py "http://127.0.0.1:$port" "$token" "$standin" 200
  kill "$backend" "$standin_pid"
}

read -r sq_checks sq_got sq_msgs sq_dup sq_p50 sq_p99 sq_max sq_min sq_cpu < <(bench_alerts "")
pg_url=$(new_database "bench_alerts_$$")
read -r pg_checks pg_got pg_msgs pg_dup pg_p50 pg_p99 pg_max pg_min pg_cpu < <(bench_alerts "$pg_url")
read -r sq_storm_msgs sq_storm_last sq_storm_429 sq_storm_hosts < <(bench_storm "")
pg_storm_url=$(new_database "bench_storm_$$")
read -r pg_storm_msgs pg_storm_last pg_storm_429 pg_storm_hosts < <(bench_storm "$pg_storm_url")

printf '%-28s %8s %8s %9s %5s %8s %8s %8s %8s %9s\n' "lateness after the deadline" checks covered messages dup "p50 s" "p99 s" "max s" "min s" "idle CPU%"
printf '%-28s %8s %8s %9s %5s %8s %8s %8s %8s %9s\n' "metrics-backend, SQLite" "$sq_checks" "$sq_got" "$sq_msgs" "$sq_dup" "$sq_p50" "$sq_p99" "$sq_max" "$sq_min" "$sq_cpu"
printf '%-28s %8s %8s %9s %5s %8s %8s %8s %8s %9s\n' "metrics-backend, PostgreSQL" "$pg_checks" "$pg_got" "$pg_msgs" "$pg_dup" "$pg_p50" "$pg_p99" "$pg_max" "$pg_min" "$pg_cpu"
echo "a poller every minute (the cron + curl way) would be 0-60 s late, 30 s at the median"
printf '%-28s %8s %9s %22s %5s\n' "200 hosts down at once" hosts messages "last host covered, s" 429s
printf '%-28s %8s %9s %22s %5s\n' "metrics-backend, SQLite" "$sq_storm_hosts" "$sq_storm_msgs" "$sq_storm_last" "$sq_storm_429"
printf '%-28s %8s %9s %22s %5s\n' "metrics-backend, PostgreSQL" "$pg_storm_hosts" "$pg_storm_msgs" "$pg_storm_last" "$pg_storm_429"
echo "one message per host at Telegram's 20 a minute would take 10 minutes for the last host"
awk -v a="$sq_max" -v b="$pg_max" -v c="$sq_cpu" -v d="$pg_cpu" -v n="$checks" -v g1="$sq_got" -v g2="$pg_got" \
    -v m1="$sq_storm_msgs" -v m2="$pg_storm_msgs" -v h1="$sq_storm_hosts" -v h2="$pg_storm_hosts" -v r1="$sq_storm_429" -v r2="$pg_storm_429" 'BEGIN {
  printf "target every check covered: %s\n", (g1 == n && g2 == n ? "met" : "MISSED");
  printf "target maximum lateness <= 2 s: %s\n", (a <= 2 && b <= 2 ? "met" : "MISSED");
  printf "target steady-state CPU <= 5%% of a core: %s\n", (c <= 5 && d <= 5 ? "met" : "MISSED");
  printf "target the storm in <= 10 messages, every host covered, no 429: %s\n", (m1 <= 10 && m2 <= 10 && h1 == 200 && h2 == 200 && r1 == 0 && r2 == 0 ? "met" : "MISSED") }'
result "alert lateness max, SQLite" "$sq_max" s - - lower
result "alert lateness max, PostgreSQL" "$pg_max" s - - lower
result "evaluator idle CPU, PostgreSQL" "$pg_cpu" "% core" - - lower
result "storm of 200 hosts, messages, PostgreSQL" "$pg_storm_msgs" messages - - lower

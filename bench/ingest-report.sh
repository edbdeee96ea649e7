#!/usr/bin/env bash
# Ingest throughput of POST /api/v1/report (20 observations each, from 1000 hosts) on PostgreSQL and
# on SQLite, against prometheus-pushgateway receiving the same 20 values per push, all in one run.
# Targets on a 2-core machine: PostgreSQL >= 3000 reports/s with p99 <= 20 ms; SQLite >= 1500/s.
# Needs wrk and prometheus-pushgateway (apt-get install wrk prometheus-pushgateway).
# BACKEND_BIN=path measures another build (say, an earlier commit's) with the same harness.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-20s}
connections=${CONNECTIONS:-32}

if [ -z "${SKIP_BUILD:-}" ] && [ -z "${BACKEND_BIN:-}" ]; then
  swift build -c release --product metrics-backend >/dev/null
fi
bin=${BACKEND_BIN:-$(swift build -c release --show-bin-path)/metrics-backend}
for tool in wrk prometheus-pushgateway; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install wrk prometheus-pushgateway)" >&2; exit 1; }
done
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  exec scripts/with-postgres "$0" "$@"
fi

. bench/lib/common.sh
. bench/lib/result.sh

# Prints "requests_per_s p99_ms non2xx" from wrk's output.
run_wrk() {
  local url=$1 script=$2
  wrk -t2 -c"$connections" -d"$duration" --latency -s "$script" "$url" >"$tmp/wrk.txt" 2>&1
  python3 - "$tmp/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errors = re.search(r"Socket errors:.*", text)
print(f"{rps:.0f} {p99:.2f} {int(bad.group(1)) if bad else 0}{' ' + errors.group(0).replace(' ', '_') if errors else ''}")
PY
}

# Prints the wrk result for our backend on the store DATABASE_URL (empty: SQLite).
bench_backend() {
  local database_url=$1 port data
  port=$(free_port)
  data="$tmp/data-$port"
  local env=(env DATA_DIR="$data" LOG_LEVEL=warning)
  [ -n "$database_url" ] && env+=(DATABASE_URL="$database_url")
  local token
  token=$("${env[@]}" "$bin" token create --all-hosts --label bench)
  "${env[@]}" "$bin" serve --port "$port" >"$tmp/backend-$port.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$port/readyz"
  TOKEN=$token HOSTS=1000 run_wrk "http://127.0.0.1:$port" bench/lib/report.lua
  kill "${pids[-1]}"
}

pg_url=$(new_database "bench_$$")

read -r pg_rps pg_p99 pg_bad pg_err < <(bench_backend "$pg_url")
read -r sq_rps sq_p99 sq_bad sq_err < <(bench_backend "")

gw_port=$(free_port)
prometheus-pushgateway --web.listen-address="127.0.0.1:$gw_port" >"$tmp/pushgateway.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$gw_port/-/ready"
read -r gw_rps gw_p99 gw_bad gw_err < <(HOSTS=1000 run_wrk "http://127.0.0.1:$gw_port" bench/lib/pushgateway.lua)

samples=$(psql "$pg_url" -Atc "SELECT coalesce(sum(cardinality(check_ids)), 0) FROM report_samples")
printf '%-44s %12s %10s %8s\n' "measure ($connections connections, $duration)" "requests/s" "p99 ms" "non-2xx"
printf '%-44s %12s %10s %8s\n' "metrics-backend, PostgreSQL" "$pg_rps" "$pg_p99" "$pg_bad"
printf '%-44s %12s %10s %8s\n' "metrics-backend, SQLite" "$sq_rps" "$sq_p99" "$sq_bad"
printf '%-44s %12s %10s %8s\n' "prometheus-pushgateway (in memory)" "$gw_rps" "$gw_p99" "$gw_bad"
[ -n "${pg_err:-}${sq_err:-}${gw_err:-}" ] && echo "socket errors: ${pg_err:-} ${sq_err:-} ${gw_err:-}"
echo "samples stored on PostgreSQL: $samples"
awk -v a="$pg_rps" -v b="$gw_rps" 'BEGIN { printf "ratio PostgreSQL/pushgateway: %.2f\n", a / b }'
awk -v a="$sq_rps" -v b="$gw_rps" 'BEGIN { printf "ratio SQLite/pushgateway: %.2f\n", a / b }'
awk -v r="$pg_rps" -v p="$pg_p99" -v s="$sq_rps" 'BEGIN {
  printf "target PostgreSQL >= 3000/s: %s\n", (r >= 3000 ? "met" : "MISSED");
  printf "target PostgreSQL p99 <= 20 ms: %s\n", (p <= 20 ? "met" : "MISSED");
  printf "target SQLite >= 1500/s: %s\n", (s >= 1500 ? "met" : "MISSED") }'
result "report ingest, PostgreSQL" "$pg_rps" req/s "pushgateway" "$gw_rps" higher
result "report ingest p99, PostgreSQL" "$pg_p99" ms "pushgateway" "$gw_p99" lower
result "report ingest, SQLite" "$sq_rps" req/s "pushgateway" "$gw_rps" higher

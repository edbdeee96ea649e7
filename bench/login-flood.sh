#!/usr/bin/env bash
# Report ingest while failed logins flood the login form, against the same ingest alone, in one
# run on the embedded SQLite store. Each login costs about 0.25 s of bcrypt; the flood comes from
# 4 loops, each from its own loopback addresses (127.0.K.N) and emails, so the login throttle,
# which counts per address and per email, does not stop it. wrk: 1 thread, 4 connections, 8 s.
# Usage: bench/login-flood.sh   (SKIP_BUILD=1 to reuse the release build; BACKEND_BIN=path)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
if [ -z "${BACKEND_BIN:-}" ] && [ -z "${SKIP_BUILD:-}" ]; then
  swift build -c release --product metrics-backend >/dev/null
fi
bin=${BACKEND_BIN:-$(swift build -c release --show-bin-path)/metrics-backend}

. bench/lib/common.sh
. bench/lib/result.sh

port=$(free_port)
token=$(DATA_DIR="$tmp/data" "$bin" token create --all-hosts --label bench)
DATA_DIR="$tmp/data" LOG_LEVEL=error "$bin" serve --port "$port" >"$tmp/backend.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$port/readyz"

# Prints "requests_per_s p99_ms" of 8 s of reports.
ingest() {
  TOKEN=$token HOSTS=100 wrk -t1 -c4 -d"${1:-8s}" --latency -s bench/lib/report.lua "http://127.0.0.1:$port" >"$tmp/wrk.txt"
  python3 - "$tmp/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
print(f"{rps:.0f} {float(m.group(1)) * {'us': 0.001, 'ms': 1, 's': 1000}[m.group(2)]:.2f}")
PY
}

# Wrong passwords for new emails, each from the next address, until $tmp/go is removed.
flood() {
  local loop=$1 n=0 address csrf
  while [ -f "$tmp/go" ]; do
    n=$((n + 1)); address=127.0.$loop.$((n % 250 + 2))
    csrf=$(curl -s --interface "$address" -c "$tmp/jar$loop" "http://127.0.0.1:$port/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
    curl -s --interface "$address" -b "$tmp/jar$loop" -o /dev/null -w '%{http_code}\n' --data-urlencode "_csrf=$csrf" \
      --data-urlencode "email=flood$loop-$n@example.com" --data-urlencode "password=wrong" "http://127.0.0.1:$port/login" >>"$tmp/answers"
  done
}

ingest 3s >/dev/null
read -r alone_rps alone_p99 < <(ingest)
touch "$tmp/go"
flooders=()
for loop in 1 2 3 4; do flood "$loop" & flooders+=($!); done
sleep 1
read -r flood_rps flood_p99 < <(ingest)
rm "$tmp/go"
wait "${flooders[@]}"
refused=$(grep -c '^401$' "$tmp/answers" || true)
other=$(grep -vc '^401$' "$tmp/answers" || true)

printf '%-40s %12s %10s\n' "report ingest (4 connections, 8 s)" "requests/s" "p99 ms"
printf '%-40s %12s %10s\n' "alone" "$alone_rps" "$alone_p99"
printf '%-40s %12s %10s\n' "during the login flood" "$flood_rps" "$flood_p99"
echo "logins answered 401: $refused; other answers: $other"
result "report ingest during a login flood" "$flood_rps" req/s "the same ingest alone" "$alone_rps" higher
result "report ingest p99 during a login flood" "$flood_p99" ms "the same ingest alone" "$alone_p99" lower

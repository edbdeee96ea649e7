#!/usr/bin/env bash
# Fuzzes the JSON API from its own description (docs/openapi.yaml) with schemathesis (PyPI): a live
# backend on SQLite, every documented operation, valid and invalid inputs. Target: zero 5xx.
# Schemathesis is installed into a virtualenv under ~/.cache/metrics-bench the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${EXAMPLES:-100}

if [ -z "${SKIP_BUILD:-}" ]; then
  swift build -c release --product metrics-backend >/dev/null
fi
bin=$(swift build -c release --show-bin-path)/metrics-backend
venv=${SCHEMATHESIS_VENV:-$HOME/.cache/metrics-bench/schemathesis}
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis>=4,<5"
fi

. bench/lib/common.sh
. bench/lib/result.sh

port=$(free_port)
env=(env DATA_DIR="$tmp/data" LOG_LEVEL=error)
token=$("${env[@]}" "$bin" token create --all-hosts --label fuzz 2>/dev/null)
"${env[@]}" "$bin" serve --port "$port" >"$tmp/backend.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$port/readyz"
# Something to read, delete, silence and ping.
curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "http://127.0.0.1:$port/api/v1/report" \
  -d "{\"version\":1,\"host\":\"web-1\",\"sentAt\":\"$(date -u +%FT%TZ)\",\"observations\":[{\"name\":\"disk:/\",\"kind\":\"disk\",\"value\":50}]}" >/dev/null

status=0
"$venv/bin/st" run "http://127.0.0.1:$port/openapi.yaml" --url "http://127.0.0.1:$port" \
  -H "Authorization: Bearer $token" --checks not_a_server_error --max-examples "$examples" --seed 1 \
  --continue-on-failure --workers 2 >"$tmp/schemathesis.txt" 2>&1 || status=$?
tail -25 "$tmp/schemathesis.txt"
# The backend logs every 5xx at error level, whatever schemathesis saw.
server_errors=$(grep -c 'status=5' "$tmp/backend.log" || true)
crashed=$(kill -0 "${pids[-1]}" 2>/dev/null && echo no || echo yes)
echo "schemathesis exit status: $status; 5xx logged by the backend: $server_errors; backend crashed: $crashed"
result "API fuzz, 5xx answers" "$server_errors" count - - lower
if [ "$status" -eq 0 ] && [ "$server_errors" -eq 0 ] && [ "$crashed" = no ]; then echo "target zero 5xx: met"; else echo "target zero 5xx: MISSED"; exit 1; fi

#!/usr/bin/env bash
# Fault tests too long for CI (issue #8), each against the real release binaries:
#  pg-stop      PostgreSQL (a cluster of its own) stopped for DOWN_SECONDS (60) while senders run:
#               ingest answers 503, no hang; every report and journal entry the senders produced is
#               stored once after the restart; one "storage unreachable" and one recovery message.
#  telegram     the Telegram stand-in fails for FAIL_SECONDS (300), cycling 500, "429 5" and hang,
#               while 20 checks flip: afterwards every notification is delivered, once, in order per check.
#  sqlite-full  SQLite's disk (a 16 MB tmpfs) fills up: a clear 503/507, no crash, acknowledged reports
#               readable, integrity_check ok, and ingest back once there is room, without a restart.
#  soak         SENDERS (1000) simulated senders report every 10 s for SOAK_SECONDS (600) to the backend
#               on PostgreSQL: every answer 200, latency p50/p99/max, RSS growth after warm-up < 10 %.
# Usage: bench/faults.sh [pg-stop|telegram|sqlite-full|soak ...]   (default: all, one after another)
# Each scenario prints target lines, result lines and one "PASS name: ..." or "FAIL name: ..." line,
# and keeps its logs in bench-results/faults/NAME/; the script exits 1 if any failed. Needs root for the tmpfs (sqlite-full) and PostgreSQL's binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
all=(pg-stop telegram sqlite-full soak)
[ $# -eq 0 ] && set -- "${all[@]}"
for name in "$@"; do
  case " ${all[*]} " in *" $name "*) ;; *) echo "unknown scenario '$name'; choose from: ${all[*]}" >&2; exit 2 ;; esac
done

if [ -z "${SKIP_BUILD:-}" ]; then
  swift build -c release --product metrics-backend >/dev/null
  swift build -c release --product metrics-sender >/dev/null
fi
bin=$(swift build -c release --show-bin-path)
# telegram and soak use a database of their own on TEST_DATABASE_URL's cluster (a throwaway one
# unless given); pg-stop always starts its own cluster, since it stops it.
if [ -z "${TEST_DATABASE_URL:-}" ] && [[ " $* " == *" telegram "* || " $* " == *" soak "* ]]; then
  SKIP_BUILD=1 exec scripts/with-postgres "$0" "$@"
fi

. bench/lib/common.sh
. bench/lib/result.sh

# Each scenario runs in a subshell with its own processes, mounts and cluster, cleaned up on its exit.
mounts=()
cluster=
scenario_cleanup() {
  for pid in "${pids[@]}"; do
    pkill -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    # A backend that ignores SIGTERM is reported by its scenario; here it must not outlive the run.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for dir in "${mounts[@]}"; do umount "$dir" 2>/dev/null || umount -l "$dir" 2>/dev/null || true; done
  if [ -n "$cluster" ]; then
    "${as_owner[@]}" "$pgbin/pg_ctl" -D "$cluster/data" -m immediate stop >/dev/null 2>&1 || true
    cp "$cluster/log" "$tmp/pg-stop/postgres.log" 2>/dev/null || true
    rm -rf "$cluster"
  fi
}

# Starts the Telegram stand-in in DIR; sets standin_url.
start_standin() {
  mkdir -p "$1"
  # Its stderr holds a BrokenPipeError for each hung answer the backend gave up on: kept, not shown.
  python3 Tests/Support/telegram_standin.py "$1" 2>"$1.err" &
  pids+=($!)
  for _ in $(seq 200); do [ -f "$1/port" ] && break; sleep 0.05; done
  standin_url="http://127.0.0.1:$(cat "$1/port")"
}

# Runs the release backend with the settings in backend_env (nothing else from this environment's
# DATABASE_URL); `backend ARGS` runs a command, `start_backend DIR` serves on a free port, logs in
# DIR/backend.log, and sets backend_pid and backend_url from the line it prints.
backend() { env -u DATABASE_URL -u JOURNAL_DATABASE_URL "${backend_env[@]}" "$bin/metrics-backend" "$@"; }
start_backend() {
  env -u DATABASE_URL -u JOURNAL_DATABASE_URL "${backend_env[@]}" "$bin/metrics-backend" serve --port 0 \
    >"$1/backend.out" 2>"$1/backend.log" &
  backend_pid=$!
  pids+=($backend_pid)
  for _ in $(seq 600); do
    backend_url=$(sed -n 's|^metrics-backend listening on \(http://[^ ]*\)$|\1|p' "$1/backend.out" | head -1)
    [ -n "$backend_url" ] && return 0
    kill -0 "$backend_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "the backend did not start:" >&2
  tail -5 "$1/backend.log" >&2
  return 1
}

# Sends the backend SIGTERM and prints how it ended: "exited N after S s" or "still running after 20 s".
stop_backend() {
  local began=$(date +%s.%N) status=0
  kill -TERM "$backend_pid"
  for _ in $(seq 200); do
    if [ "$(awk '{ print $3 }' "/proc/$backend_pid/stat" 2>/dev/null || echo Z)" = Z ]; then
      wait "$backend_pid" || status=$?
      echo "exited $status after $(awk -v a="$began" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
      return
    fi
    sleep 0.1
  done
  echo "still running 20 s after SIGTERM"
}

pgbin=$(pg_config --bindir 2>/dev/null || true)
[ -x "$pgbin/initdb" ] || pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as_owner=()
[ "$(id -u)" -eq 0 ] && as_owner=(runuser -u postgres --)

scenario_pg-stop() {
  local dir=$tmp/pg-stop hosts=${HOSTS:-6} interval=${INTERVAL:-10} down=${DOWN_SECONDS:-60}
  local warmup=${WARMUP_SECONDS:-20} recover=${RECOVER_SECONDS:-60} entries=${JOURNAL_ENTRIES:-3000}
  mkdir -p "$dir/proxy" "$dir/root/proc"
  # A cluster of its own (initdb refuses root: the postgres user runs it then), with fsync on.
  cluster=$(mktemp -d /tmp/metrics-faults-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres "$cluster"
  local pg_port
  pg_port=$(free_port)
  "${as_owner[@]}" "$pgbin/initdb" -D "$cluster/data" -U metrics --auth=trust -E UTF8 >/dev/null
  pg_start() {
    "${as_owner[@]}" "$pgbin/pg_ctl" -D "$cluster/data" -l "$cluster/log" -w -o \
      "-p $pg_port -k $cluster -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null
  }
  pg_start
  local db_url="postgres://metrics@127.0.0.1:$pg_port/postgres?sslmode=disable"

  start_standin "$dir/telegram"
  backend_env=(DATABASE_URL="$db_url" DATA_DIR="$dir/data" TELEGRAM_API_URL="$standin_url" TELEGRAM_BOT_TOKEN=1:faults TELEGRAM_CHAT_ID=1)
  local token
  token=$(backend token create --all-hosts --label faults 2>/dev/null)
  start_backend "$dir"
  # The senders go through a pass-through proxy that records every attempt (which reports they produced).
  python3 Tests/Support/fault_proxy.py "$dir/proxy" "${backend_url##*:}" pass 2>"$dir/proxy.err" &
  pids+=($!)
  for _ in $(seq 200); do [ -f "$dir/proxy/port" ] && break; sleep 0.05; done
  local proxy_url="http://127.0.0.1:$(cat "$dir/proxy/port")"

  # What each sender reads: memory and RAID from fixtures; a journal of ENTRIES, shipped at most
  # 500 entries per run in batches of 100, so shipping goes on through the outage.
  cp Tests/Fixtures/memory-swap/proc/meminfo Tests/Fixtures/raid-healthy/proc/mdstat "$dir/root/proc/"
  python3 Tests/Support/make_journal.py "$entries" "$dir/journal" 300 2
  printf '[journal]\nenabled = false\nbatch_entries = 100\nmax_entries = 500\n' >"$dir/sender.toml"
  sender() {
    METRICS_URL=$proxy_url METRICS_TOKEN=$token METRICS_HOST=$1 METRICS_STATE_DIR="$dir/state-$1" \
      "$bin/metrics-sender" "${@:2}" --config "$dir/sender.toml" >/dev/null 2>>"$dir/sender-$1.err"
  }
  # One loop per host, as its timer would run it (never two runs at once), every INTERVAL seconds.
  sender_loop() {
    local host=$1 next rc
    sleep "$(awk -v i="$2" -v n="$hosts" -v t="$interval" 'BEGIN { print i * t / n }')"
    while [ ! -e "$dir/stop" ]; do
      next=$(($(date +%s) + interval))
      rc=0; sender "$host" run --root "$dir/root" || rc=$?
      echo "$(date +%s.%N) $host run $rc" >>"$dir/runs.log"
      rc=0; sender "$host" journal --directory "$dir/journal" || rc=$?
      echo "$(date +%s.%N) $host journal $rc" >>"$dir/runs.log"
      while [ ! -e "$dir/stop" ] && [ "$(date +%s)" -lt "$next" ]; do sleep 0.2; done
    done
  }
  python3 bench/lib/fault-probe.py "$backend_url" "$token" faults-probe "$dir/probe.log" "$dir/stop-probe" &
  local probe=$!
  pids+=($probe)
  local loops=() names=() i
  for i in $(seq "$hosts"); do
    names+=("pg-$i")
    sender_loop "pg-$i" "$((i - 1))" &
    loops+=($!)
    pids+=($!)
  done
  echo "pg-stop: $hosts senders every $interval s, journal of $entries entries each; PostgreSQL stops after $warmup s for $down s" >&2
  sleep "$warmup"
  date +%s.%N >"$dir/stop_at"
  "${as_owner[@]}" "$pgbin/pg_ctl" -D "$cluster/data" -m fast stop >/dev/null
  echo "pg-stop: PostgreSQL stopped at $(date +%T)" >&2
  sleep "$down"
  pg_start
  date +%s.%N >"$dir/start_at"
  echo "pg-stop: PostgreSQL started again at $(date +%T); load goes on for $recover s" >&2
  sleep "$recover"
  touch "$dir/stop"
  for i in "${loops[@]}"; do wait "$i" || true; done
  touch "$dir/stop-probe"
  wait "$probe" || true
  # What is left of each journal is shipped now (a run ships at most 500 entries).
  local host n
  for host in "${names[@]}"; do
    for _ in $(seq 30); do
      n=$(psql "$db_url" -Atc "SELECT count(*) FROM journal_entries WHERE host = '$host'")
      [ "$n" -ge "$entries" ] && break
      sender "$host" journal --directory "$dir/journal" || true
    done
  done
  for _ in $(seq 60); do grep -q 'storage reachable again' "$dir/telegram/messages.jsonl" 2>/dev/null && break; sleep 0.5; done
  # Alerting after the outage: a disk above 90 % (a flip at ingest) and a heartbeat missed after the
  # restart (a flip only the leading evaluator makes, at its deadline) must both reach the stand-in.
  local auth=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json') ping_id
  curl -fsS "${auth[@]}" "$backend_url/api/v1/report" -o /dev/null -d "{\"version\":1,\"host\":\"after-restart\",\
\"sentAt\":\"$(date -u +%FT%T.%3NZ)\",\"observations\":[{\"name\":\"disk:/\",\"kind\":\"disk\",\"value\":95,\"unit\":\"%\"}]}"
  ping_id=$(curl -fsS "${auth[@]}" "$backend_url/api/v1/heartbeats" -d '{"host":"after-restart","name":"beat","every":"5s","grace":"1s"}' \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["pingId"])')
  curl -fsS "$backend_url/ping/$ping_id" -o /dev/null
  date +%s.%N >"$dir/beat_at"
  for _ in $(seq 60); do
    [ "$(grep -c '<b>after-restart</b>' "$dir/telegram/messages.jsonl" 2>/dev/null)" -ge 2 ] && break
    sleep 0.5
  done
  sleep 2
  kill -0 "$backend_pid" 2>/dev/null && echo yes >"$dir/alive" || echo no >"$dir/alive"
  stop_backend >"$dir/shutdown"
  grep -E ' (warning|error|critical) ' "$dir/backend.log" | sed -E 's/^[^ ]+ //' | cut -c1-220 | sort | uniq -c | sort -rn | head -8 \
    | sed 's/^/  backend log: /' || true
  python3 bench/lib/fault-pg-stop.py "$dir" "$db_url" "$(IFS=,; echo "${names[*]}")" "$entries"
}

scenario_telegram() {
  local dir=$tmp/telegram
  mkdir -p "$dir"
  start_standin "$dir/telegram"
  local db_url
  db_url=$(new_database "faults_telegram_$$")
  # Flapping would hold messages back by design; here every flip should become a message.
  backend_env=(DATABASE_URL="$db_url" DATA_DIR="$dir/data" TELEGRAM_API_URL="$standin_url" TELEGRAM_BOT_TOKEN=1:faults
               TELEGRAM_CHAT_ID=1 FLAP_FLIPS=1000)
  local token
  token=$(backend token create --all-hosts --label faults 2>/dev/null)
  start_backend "$dir"
  python3 bench/lib/fault-telegram.py "$backend_url" "$token" "$dir/telegram" "$db_url" \
    "${FAIL_SECONDS:-300}" "${MODE_SECONDS:-20}" "${PHASE_SECONDS:-60}"
}

scenario_sqlite-full() {
  local dir=$tmp/sqlite-full out
  mkdir -p "$dir/data"
  if ! out=$(mount -t tmpfs -o "size=${FULL_SIZE:-16m}" tmpfs "$dir/data" 2>&1); then
    echo "FAIL sqlite-full: cannot mount a tmpfs here: $out"
    return 1
  fi
  mounts+=("$dir/data")
  if ! command -v sqlite3 >/dev/null; then
    apt-get install -y -qq sqlite3 >/dev/null 2>&1 || { echo "FAIL sqlite-full: needs sqlite3 (apt-get install sqlite3)"; return 1; }
  fi
  backend_env=(DATA_DIR="$dir/data")
  local token
  token=$(backend token create --all-hosts --label faults 2>/dev/null)
  start_backend "$dir"
  local status=0
  python3 bench/lib/fault-sqlite-full.py "$backend_url" "$token" "$dir/data" "$backend_pid" "$dir/backend.log" || status=$?
  wait "$backend_pid" && echo "backend exit status after SIGTERM: 0" || echo "backend exit status after SIGTERM: $?"
  return "$status"
}

scenario_soak() {
  local dir=$tmp/soak
  mkdir -p "$dir"
  local db_url
  db_url=$(new_database "faults_soak_$$")
  backend_env=(DATABASE_URL="$db_url" DATA_DIR="$dir/data" LOG_LEVEL=warning)
  local token
  token=$(backend token create --all-hosts --label faults 2>/dev/null)
  start_backend "$dir"
  python3 bench/lib/fault-soak.py "$backend_url" "$token" "$backend_pid" "$db_url" \
    "${SENDERS:-1000}" "${SOAK_SECONDS:-600}" "${SOAK_INTERVAL:-10}" "${OBSERVATIONS:-10}"
  grep -E ' (warning|error|critical) ' "$dir/backend.log" | sed -E 's/^[^ ]+ //' | cut -c1-220 | sort | uniq -c | sort -rn | head -5 \
    | sed 's/^/  backend log: /' || true
}

began=$(date +%s)
failed=()
for name in "$@"; do
  echo "== $name ($(date +%T))"
  started=$(date +%s)
  set +e
  (
    set -e
    trap scenario_cleanup EXIT
    "scenario_$name" > >(tee "$tmp/$name.out")
  )
  status=$?
  set -e
  sleep 0.5
  if [ "$status" -ne 0 ]; then
    failed+=("$name")
    grep -q "^FAIL $name:" "$tmp/$name.out" 2>/dev/null || echo "FAIL $name: the scenario stopped with exit status $status (see above)"
  fi
  # The scenario's logs (backend, senders, stand-in, probes) outlive the run, for the evidence.
  rm -rf "bench-results/faults/$name"
  mkdir -p bench-results/faults
  (cd "$tmp" && find "$name" "$name.out" -type f \( -name '*.log' -o -name '*.out' -o -name '*.jsonl' -o -name '*.err' \) \
     -size -50M -print0 2>/dev/null | xargs -0r cp --parents -t "$OLDPWD/bench-results/faults") || true
  echo "$name took $(($(date +%s) - started)) s (logs in bench-results/faults/$name)"
  result "faults $name duration" "$(($(date +%s) - started))" s - - lower
done
echo "faults: ${#failed[@]} of $# failed${failed[*]:+: ${failed[*]}}; total $(($(date +%s) - began)) s"
[ ${#failed[@]} -eq 0 ]

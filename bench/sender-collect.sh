#!/usr/bin/env bash
# Cost of one `metrics-sender collect --dry-run` (release, static stdlib) with every collector on,
# against the shell one-liner users run today and node_exporter with the matching collectors.
# Prints median wall time, peak RSS and the ratios.
# Targets on a 2-core machine: median <= 12 ms, peak RSS <= 16 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-50}

if [ -z "${SKIP_BUILD:-}" ]; then
  swift build -c release --static-swift-stdlib --product metrics-sender >/dev/null
fi
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)/metrics-sender
[ -x "$bin" ] || { echo "no release binary at $bin" >&2; exit 1; }

for tool in hyperfine /usr/bin/time prometheus-node-exporter; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install hyperfine time prometheus-node-exporter)" >&2; exit 1; }
done
. bench/lib/result.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every collector on: the defaults are all of them; a certificate to watch gives `cert` work, and a
# state directory of its own lets `cpu` and `net` keep their counters (each run after the first
# reports deltas, as on a host). unit and smart skip quietly where systemd is not init or smartctl
# is missing; the table says which collectors had something to report.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
  -subj /CN=bench.example -days 30 >/dev/null 2>&1
collect="$bin collect --dry-run --state-dir $tmp/state --tls-file $tmp/cert.pem"
$collect >/dev/null
$collect >"$tmp/report.json"
kinds=$(python3 -c "import json,sys; print(' '.join(sorted({o['kind'] for o in json.load(open(sys.argv[1]))['observations']})))" "$tmp/report.json")

# Prints "median_ms max_rss_kb" for the command line in $1, run $runs times each way.
measure() {
  local rss=0 kb
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$tmp/h.json" "$1" >/dev/null 2>&1
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -o "$tmp/rss" -f '%M' sh -c "exec $1" >/dev/null 2>&1 || true
    kb=$(tail -n 1 "$tmp/rss")
    (( kb > rss )) && rss=$kb
  done
  python3 -c "import json,sys; print('%.2f' % (json.load(open(sys.argv[1]))['results'][0]['median'] * 1000))" "$tmp/h.json" | tr -d '\n'
  echo " $rss"
}

read -r ours_ms ours_kb < <(measure "$collect")
read -r peer_ms peer_kb < <(measure "sh -c 'df -P; cat /proc/meminfo /proc/mdstat /proc/loadavg /proc/stat /proc/net/dev /proc/pressure/* 2>/dev/null; true'")

# CPU time of one collection: ours over a loop of runs, against node_exporter serving scrapes with
# only the collectors that read the same things (meminfo, filesystem, mdadm, loadavg, cpu, pressure,
# netdev; its systemd collector needs systemd as init, so it is added only there).
scrapes=${SCRAPES:-300}
ours_cpu=$( { /usr/bin/time -f '%U %S' sh -c "for i in \$(seq $scrapes); do $collect >/dev/null; done" >/dev/null; } 2>&1 | tail -n 1 \
  | awk -v n="$scrapes" '{ printf "%.3f", ($1 + $2) * 1000 / n }')
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
node_collectors="--collector.meminfo --collector.filesystem --collector.mdadm --collector.loadavg --collector.cpu --collector.pressure --collector.netdev"
[ -d /run/systemd/system ] && node_collectors="$node_collectors --collector.systemd"
# shellcheck disable=SC2086
prometheus-node-exporter --web.listen-address="127.0.0.1:$port" --collector.disable-defaults $node_collectors >"$tmp/node.log" 2>&1 &
node=$!
trap 'kill $node 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/metrics" >/dev/null 2>&1 && break; sleep 0.05; done
for _ in 1 2 3; do curl -fs "http://127.0.0.1:$port/metrics" >/dev/null; done
ticks() { awk '{ print $14 + $15 }' "/proc/$node/stat"; }
before=$(ticks)
for _ in $(seq "$scrapes"); do curl -fs "http://127.0.0.1:$port/metrics" >/dev/null; done
peer_cpu=$(awk -v a="$before" -v b="$(ticks)" -v n="$scrapes" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", (b - a) * 1000 / hz / n }')

echo "collectors on: all (kinds reported here: $kinds)"
printf '%-46s %10s %10s\n' "measure" "ms (p50)" "RSS KB"
printf '%-46s %10s %10s\n' "metrics-sender collect --dry-run (all)" "$ours_ms" "$ours_kb"
printf '%-46s %10s %10s\n' "sh -c 'df -P; cat meminfo mdstat loadavg …'" "$peer_ms" "$peer_kb"
awk -v a="$ours_ms" -v b="$peer_ms" 'BEGIN { printf "ratio ours/peer wall time: %.2f\n", a / b }'
echo "CPU per collection: metrics-sender collect $ours_cpu ms (whole process), node_exporter scrape (${node_collectors//--collector./}) $peer_cpu ms"
result "collect, wall time p50" "$ours_ms" ms "df+cat one-liner" "$peer_ms" lower
result "collect, peak RSS" "$ours_kb" KB "df+cat one-liner" "$peer_kb" lower
result "collect, CPU per collection" "$ours_cpu" ms "node_exporter scrape" "$peer_cpu" lower
awk -v ms="$ours_ms" -v kb="$ours_kb" 'BEGIN {
  printf "target median <= 12 ms: %s\n", (ms <= 12 ? "met" : "MISSED");
  printf "target peak RSS <= 16 MB (16384 KB): %s\n", (kb <= 16384 ? "met" : "MISSED") }'

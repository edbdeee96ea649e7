# Shared by the bench scripts: a temporary directory and background processes cleaned up on exit,
# free ports, waiting for HTTP, and a database of its own on the throwaway cluster.
tmp=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 200); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.05; done; echo "no answer from $1" >&2; return 1; }
# Creates database NAME on CLUSTER's (default TEST_DATABASE_URL's) cluster and prints its URL.
new_database() {
  local cluster=${2:-$TEST_DATABASE_URL}
  psql "$cluster" -qc "CREATE DATABASE $1" >/dev/null
  python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$cluster" "$1"
}

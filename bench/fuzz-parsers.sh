#!/usr/bin/env bash
# Fuzzes the /proc parsers (meminfo, mdstat) through the real binary: for a bounded time, mutates
# the fixture trees from real machines (bytes flipped, lines cut, duplicated, shuffled, numbers
# made huge or negative, random bytes) and runs `metrics-sender collect --dry-run --root TREE`.
# Every run must end with exit 0 and valid JSON; a crash (a signal), a hang or anything else is a
# finding, kept under bench-results/fuzz-parsers/. Usage: SECONDS_LIMIT=60 bench/fuzz-parsers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${SECONDS_LIMIT:-60}
seed=${SEED:-1}

if [ -z "${SKIP_BUILD:-}" ]; then
  swift build -c release --product metrics-sender >/dev/null
fi
bin=$(swift build -c release --show-bin-path)/metrics-sender
. bench/lib/result.sh
findings=bench-results/fuzz-parsers
mkdir -p "$findings"

python3 - "$bin" "$limit" "$seed" "$findings" Tests/Fixtures <<'PY'
import json, os, random, shutil, subprocess, sys, tempfile, time
binary, limit, seed, findings, fixtures = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
rng = random.Random(seed)
sources = []
for tree in sorted(os.listdir(fixtures)):
    for name in ("meminfo", "mdstat"):
        path = os.path.join(fixtures, tree, "proc", name)
        if os.path.exists(path):
            sources.append((name, open(path, "rb").read()))

def mutate(data):
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(8)
        if op == 0 and data:  # flip bytes
            b = bytearray(b"\n".join(lines)); i = rng.randrange(len(b)); b[i] = rng.randrange(256); lines = bytes(b).split(b"\n")
        elif op == 1 and lines:  # cut a line short
            i = rng.randrange(len(lines)); lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        elif op == 2 and lines:  # duplicate a line
            i = rng.randrange(len(lines)); lines.insert(i, lines[i])
        elif op == 3:
            rng.shuffle(lines)
        elif op == 4 and lines:  # huge or negative numbers
            i = rng.randrange(len(lines))
            lines[i] = b" ".join(w if not w.isdigit() else rng.choice([b"99999999999999999999999", b"-1", b"0", b"18446744073709551616"]) for w in lines[i].split(b" "))
        elif op == 5:  # random bytes
            lines.insert(rng.randrange(len(lines) + 1), bytes(rng.randrange(256) for _ in range(rng.randrange(200))))
        elif op == 6 and lines:  # drop a line
            lines.pop(rng.randrange(len(lines)))
        elif op == 7:  # a very long line
            lines.append(b"md9 : active raid1 " + b"sda1[0] " * rng.randrange(1, 5000))
    return b"\n".join(lines)

runs = crashes = 0
start = time.time()
work = tempfile.mkdtemp()
while time.time() - start < limit:
    name, data = rng.choice(sources)
    root = os.path.join(work, "tree")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "proc"))
    mutated = mutate(data)
    open(os.path.join(root, "proc", name), "wb").write(mutated)
    try:
        done = subprocess.run([binary, "collect", "--dry-run", "--root", root, "--collector", "memory" if name == "meminfo" else "raid"],
                              capture_output=True, timeout=10, env={"PATH": "/usr/bin:/bin", "METRICS_HOST": "fuzz"})
        ok = done.returncode == 0
        if ok:
            json.loads(done.stdout)
        problem = None if ok else f"exit {done.returncode}: {done.stderr[:300]!r}"
    except subprocess.TimeoutExpired:
        problem = "hang (10 s)"
    except ValueError as error:
        problem = f"invalid JSON: {error}"
    runs += 1
    if problem:
        crashes += 1
        kept = os.path.join(findings, f"{crashes}-{name}")
        open(kept, "wb").write(mutated)
        print(f"finding {crashes}: {name}: {problem} (input kept in {kept})")
shutil.rmtree(work, ignore_errors=True)
print(f"runs: {runs} in {time.time() - start:.0f} s, findings: {crashes}")
open(os.path.join(findings, "summary"), "w").write(f"{runs} {crashes}\n")
PY
read -r runs found < "$findings/summary"
result "parser fuzz runs (meminfo, mdstat)" "$runs" runs - - higher
result "parser fuzz findings" "$found" count - - lower
[ "$found" -eq 0 ] && echo "target no crash, hang or invalid output: met" || { echo "target no crash, hang or invalid output: MISSED"; exit 1; }

"""Drives and judges bench/faults.sh sqlite-full against a backend on SQLite whose DATA_DIR is a
small tmpfs: reports (21 observations, unique reportId and sentAt) until writes fail, with the rest
of the disk taken by a filler file; then checks the answer, that the backend lives, that acknowledged
reports read back, PRAGMA integrity_check, and that ingest works again once the filler is gone.
Prints target, result and PASS/FAIL lines; exits 1 on a failure.
The backend is stopped with SIGTERM at the end.
Usage: fault-sqlite-full.py URL TOKEN DATA_DIR BACKEND_PID BACKEND_LOG"""
import collections
import datetime
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import uuid

url, token, data_dir, backend_pid, backend_log = sys.argv[1:6]
parts = urllib.parse.urlsplit(url)
host = "full-1"
names = ["memory"] + ["disk:/d%02d" % i for i in range(20)]
filler = os.path.join(data_dir, "filler")
keep_free = int(os.environ.get("KEEP_FREE", str(1024 * 1024)))
connection = None


def call(method, path, body=None):
    """(status, text, seconds); status "timeout" or "refused" when there was no answer."""
    global connection
    start = time.monotonic()
    for attempt in range(2):
        try:
            if connection is None:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            connection.request(method, path, body=body and json.dumps(body),
                               headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
            answer = connection.getresponse()
            return answer.status, answer.read().decode("utf-8", "replace"), time.monotonic() - start
        except TimeoutError:
            connection = None
            return "timeout", "", time.monotonic() - start
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            connection = None  # a kept-alive connection the server closed: once more on a new one
        except OSError as error:
            connection = None
            return "refused", str(error), time.monotonic() - start
    return "refused", "connection closed twice", time.monotonic() - start


seq = 0
acked = []  # (seq, reportId)


def post_report():
    global seq
    seq += 1
    sent = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
    report_id = str(uuid.uuid4())
    value = seq % 80
    status, text, seconds = call("POST", "/api/v1/report", {
        "version": 1, "host": host, "sentAt": sent, "reportId": report_id,
        "observations": [{"name": n, "kind": "memory" if n == "memory" else "disk", "value": value, "unit": "%"} for n in names]})
    if status == 200:
        acked.append((seq, report_id))
    return status, text, seconds


def free_bytes():
    s = os.statvfs(data_dir)
    return s.f_bavail * s.f_frsize


def readable(label):
    """Whether every acknowledged report reads back: each check holds the last acknowledged value and
    has one sample per acknowledged report."""
    problems = []
    status, text, _ = call("GET", "/api/v1/checks?host=" + host)
    if status != 200:
        return ["GET /api/v1/checks answered %s %s" % (status, text[:200])]
    checks = {c["name"]: c for c in json.loads(text)["checks"]}
    last_value = acked[-1][0] % 80 if acked else None
    for name in names:
        if name not in checks:
            problems.append("%s missing" % name)
        elif checks[name].get("value") != last_value:
            problems.append("%s holds %s, the last acknowledged report said %s" % (name, checks[name].get("value"), last_value))
    for name in (names[0], names[-1]):
        status, text, _ = call("GET", "/api/v1/checks/%s/%s/samples" % (host, urllib.parse.quote(name, safe="")))
        count = len(json.loads(text)["samples"]) if status == 200 else -1
        if count != len(acked):
            problems.append("%s has %d samples for %d acknowledged reports (%s)" % (name, count, len(acked), status))
    print("%s: %d checks read back, %s" % (label, len(checks), "every acknowledged report there" if not problems else "; ".join(problems[:4])))
    return problems


def integrity(label):
    db = os.path.join(data_dir, "metrics.sqlite")
    out = subprocess.run(["sqlite3", db, "PRAGMA integrity_check"], capture_output=True, text=True)
    answer = (out.stdout + out.stderr).strip()
    print("%s: sqlite3 %s 'PRAGMA integrity_check': %s" % (label, db, answer[:300]))
    return answer == "ok"


def alive():
    return os.path.exists("/proc/%s" % backend_pid)


failures = []


def target(name, ok, detail=""):
    print("target sqlite-full %s: %s%s" % (name, "met" if ok else "MISSED", " (" + detail + ")" if detail else ""))
    if not ok:
        failures.append(name + (": " + detail if detail else ""))


# 1. Some reports while there is room.
for _ in range(50):
    status, text, _ = post_report()
    if status != 200:
        print("FAIL sqlite-full: a report was refused before the disk filled: %s %s" % (status, text[:300]))
        sys.exit(1)
print("before: %d reports stored; %d KiB free on %s" % (len(acked), free_bytes() // 1024, data_dir))

# 2. Fill the disk but KEEP_FREE bytes, then report until writes fail.
size = max(0, free_bytes() - keep_free)
fd = os.open(filler, os.O_CREAT | os.O_WRONLY, 0o600)
os.posix_fallocate(fd, 0, size)
os.close(fd)
print("filler of %d KiB; %d KiB left free" % (size // 1024, free_bytes() // 1024))
log_mark = os.path.getsize(backend_log)
outcomes = []
refused_in_a_row = 0
while len(outcomes) < 5000 and refused_in_a_row < 20:
    status, text, seconds = post_report()
    outcomes.append((seq, status, text, seconds))
    refused_in_a_row = refused_in_a_row + 1 if status != 200 else 0
acked_while_filling = sum(1 for o in outcomes if o[1] == 200)
refused = [o for o in outcomes if o[1] != 200]
by_status = collections.Counter(o[1] for o in refused)
slowest = max(o[3] for o in outcomes)
print("while full: %d reports posted, %d acknowledged before the first refusal, refusals %s, slowest answer %.3f s"
      % (len(outcomes), acked_while_filling, dict(by_status), slowest))
for (status, text), count in collections.Counter((o[1], o[2]) for o in refused).most_common(4):
    print("  %d× HTTP %s %s" % (count, status, text[:300]))
after_refusal = [o for o in outcomes if refused and o[0] > refused[0][0]]
print("  after the first refusal: %s" % dict(collections.Counter(o[1] for o in after_refusal)))
with open(backend_log, errors="replace") as f:
    f.seek(log_mark)
    lines = [line.rstrip() for line in f if any(w in line for w in (" error ", " warning ", " critical "))]
print("backend log while full: %d warning/error lines; the first distinct ones:" % len(lines))
seen = set()
for line in lines:
    key = line.split(" ", 1)[1][:160] if " " in line else line
    if key not in seen:
        seen.add(key)
        print("  " + line[:400])
    if len(seen) >= 4:
        break
status_health, _, _ = call("GET", "/healthz")
status_ready, ready_text, _ = call("GET", "/readyz")
print("while full: /healthz %s, /readyz %s %s" % (status_health, status_ready, ready_text[:200]))
clear = bool(refused) and all(o[1] in (503, 507) for o in refused) and all(
    (o[2].startswith("{") and "error" in json.loads(o[2])) for o in refused)
target("writes fail once the disk is full", bool(refused), "%d reports acknowledged before" % acked_while_filling)
target("a clear refusal: 503 or 507 with a JSON error", clear, "%s" % dict(by_status))
target("no hang", slowest <= 10, "slowest %.2f s" % slowest)
target("the backend stays up while full", alive() and status_health == 200)
problems = readable("while full")
target("acknowledged reports readable while full", not problems, "; ".join(problems[:2]))
target("integrity_check ok while full", integrity("while full"))

# 3. Room again: ingest recovers without a restart.
os.unlink(filler)
print("filler deleted; %d KiB free" % (free_bytes() // 1024))
freed = time.time()
first_ok = None
recovery_statuses = collections.Counter()
while time.time() - freed < 60:
    status, text, _ = post_report()
    recovery_statuses[status] += 1
    if status == 200:
        first_ok = time.time() - freed
        break
    time.sleep(0.5)
later = collections.Counter(post_report()[0] for _ in range(50))
print("after the filler went: first 200 after %s s (answers until then %s); the next 50: %s"
      % ("%.2f" % first_ok if first_ok is not None else "never", dict(recovery_statuses), dict(later)))
target("ingest succeeds again without a restart", first_ok is not None and set(later) == {200},
       "first 200 after %s s" % ("%.2f" % first_ok if first_ok is not None else "never"))
problems = readable("after")
target("every acknowledged report readable after", not problems, "; ".join(problems[:2]))
target("the backend stays up", alive())


def exited():
    try:
        with open("/proc/%s/stat" % backend_pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


os.kill(int(backend_pid), signal.SIGTERM)
deadline = time.time() + 20
while not exited() and time.time() < deadline:
    time.sleep(0.1)
target("the backend stops on SIGTERM", exited())
target("integrity_check ok after it stopped", integrity("after the backend stopped"))
print("result\tsqlite-full: refusal status\t%s\tHTTP\t-\t-\t-" % (refused[0][1] if refused else "none"))
print("result\tsqlite-full: recovery after space returns\t%s\ts\t-\t-\t-" % ("%.2f" % first_ok if first_ok is not None else "nan"))
if failures:
    print("FAIL sqlite-full: " + "; ".join(failures))
    sys.exit(1)
print("PASS sqlite-full: refused with %s once full (%d acknowledged reports all readable, integrity ok), "
      "ingest back %.2f s after space returned" % (dict(by_status), len(acked), first_ok))

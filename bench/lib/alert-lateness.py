"""Drives bench/alerts.sh: creates heartbeat checks whose deadlines spread over one minute,
measures the backend's CPU while nothing is due, then waits for every "missed" message at the
Telegram stand-in and prints how late each was covered after its check's deadline: by name, or
as one of a group's "N more" on the page its link names.
Usage: alert-lateness.py BACKEND_URL TOKEN STANDIN_DIR BACKEND_PID CHECKS STORE
STORE is the SQLite file or the PostgreSQL URL: deadlines are read from the database, whose times
are exact to the microsecond (the API's are whole seconds)."""
import datetime
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from covered import Coverage  # noqa: E402

url, token, standin, pid, total, store = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
per_report = 1000
every = 60


def request(path, body=None):
    req = urllib.request.Request(url + path, data=body, headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as answer:
        return json.loads(answer.read())


def cpu_seconds():
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Each check: every 60 s plus 0..59 s of grace, so deadlines spread over one minute.
hosts = (total + per_report - 1) // per_report
for h in range(hosts):
    count = min(per_report, total - h * per_report)
    observations = [{"name": f"job-{i}", "kind": "heartbeat", "status": "ok", "every": every, "grace": (h * per_report + i) % 60}
                    for i in range(count)]
    sent = datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    request("/api/v1/report", json.dumps({"version": 1, "host": f"hb-{h}", "sentAt": sent, "observations": observations}).encode())

deadlines = {}
if store.startswith("postgres"):
    rows = subprocess.run(["psql", store, "-AtF", "\t", "-c",
                           "SELECT h.name, c.name, extract(epoch FROM c.last_seen) + c.every_seconds + c.grace_seconds "
                           "FROM checks c JOIN hosts h ON h.id = c.host_id WHERE c.kind = 'heartbeat'"],
                          check=True, capture_output=True, text=True).stdout.splitlines()
    for row in rows:
        host, name, deadline = row.split("\t")
        deadlines[(host, name)] = float(deadline)
else:
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    for host, name, deadline in db.execute("SELECT h.name, c.name, c.last_seen / 1e6 + c.every_seconds + c.grace_seconds "
                                           "FROM checks c JOIN hosts h ON h.id = c.host_id WHERE c.kind = 'heartbeat'"):
        deadlines[(host, name)] = deadline
    db.close()
first = min(deadlines.values())

# Steady state: every check alive, none due yet. Includes the scheduler's wakes and a full rescan.
time.sleep(max(0, first - time.time() - 55))
start_cpu, start = cpu_seconds(), time.time()
time.sleep(max(1, first - time.time() - 5))
idle_cpu = (cpu_seconds() - start_cpu) / (time.time() - start) * 100

# A message covers a check by naming it, or as one of a group's "N more" on its linked page.
coverage = Coverage(standin, url, token)
arrived, duplicates = {}, 0
end = max(deadlines.values()) + 30
while time.time() < end:
    arrived = {key: at for key, at in coverage.read().items() if key in deadlines}
    duplicates = coverage.duplicates
    if len(arrived) >= len(deadlines):
        break
    time.sleep(1)

lateness = sorted(arrived[key] - deadlines[key] for key in arrived if key in deadlines)
def pct(p):
    return lateness[min(len(lateness) - 1, int(p / 100 * len(lateness)))] if lateness else float("nan")
print(f"{len(deadlines)} {len(arrived)} {coverage.messages} {duplicates} {pct(50):.3f} {pct(99):.3f} {(lateness[-1] if lateness else float('nan')):.3f} "
      f"{(lateness[0] if lateness else float('nan')):.3f} {idle_cpu:.2f}")

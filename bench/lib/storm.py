"""Drives the storm row of bench/alerts.sh: HOSTS hosts report once, at once, then go silent, as
a rack that loses its network. The backend runs with REPORT_INTERVAL=2s, so each host is down
6 s after its report. Prints the number of messages that told of the outage, the seconds from
the last host's deadline until a message covered it (by name or on a group's page), the 429s
the stand-in gave, and how many hosts were covered.
Usage: storm.py BACKEND_URL TOKEN STANDIN_DIR HOSTS"""
import concurrent.futures
import datetime
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from covered import Coverage  # noqa: E402

url, token, standin, total = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
down_after = 6.0


def report(host):
    sent = datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    body = json.dumps({"version": 1, "host": host, "sentAt": sent,
                       "observations": [{"name": "disk:/", "kind": "disk", "value": 50, "unit": "%"}]}).encode()
    req = urllib.request.Request(url + "/api/v1/report", data=body,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as answer:
        answer.read()
    return host, time.time()


hosts = [f"rack-{n:03d}" for n in range(total)]
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    reported = dict(pool.map(report, hosts))
last_deadline = max(reported.values()) + down_after

coverage = Coverage(standin, url, token)
covered = {}
while time.time() < last_deadline + 60:
    covered = {key[0]: at for key, at in coverage.read().items() if key[1] == "host" and key[0] in reported}
    if len(covered) >= total:
        break
    time.sleep(0.5)
until_last = max(covered.values()) - last_deadline if len(covered) == total else float("nan")
print(f"{coverage.messages} {until_last:.2f} {coverage.refused} {len(covered)}")

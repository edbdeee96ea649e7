"""Probes ingest once a second for bench/faults.sh: each second, whatever the earlier probes are still
waiting for, POSTs a one-observation report (unique reportId and sentAt) on a fresh connection and
appends "epoch status seconds reportId body" to OUT when it ends, where status is the HTTP status,
"refused" (no connection) or "timeout" (no answer within 90 s); and a GET /readyz, logged with
"readyz" for the reportId. Runs until the file STOP exists,
then waits for the probes under way. Usage: fault-probe.py URL TOKEN HOST OUT STOP"""
import datetime
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
import uuid

url, token, host, out, stop = sys.argv[1:6]
parts = urllib.parse.urlsplit(url)
lock = threading.Lock()


def probe(n, tick, ready=False):
    report_id = "readyz" if ready else str(uuid.uuid4())
    sent = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    body = json.dumps({"version": 1, "host": host, "sentAt": sent, "reportId": report_id,
                       "observations": [{"name": "probe", "kind": "memory", "value": n % 50, "unit": "%"}]})
    start = time.monotonic()
    try:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=90)
        if ready:
            connection.request("GET", "/readyz")
        else:
            connection.request("POST", "/api/v1/report", body=body,
                               headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        answer = connection.getresponse()
        status, text = str(answer.status), answer.read().decode("utf-8", "replace")
        connection.close()
    except TimeoutError:
        status, text = "timeout", ""
    except OSError as error:
        status, text = "refused", str(error)
    elapsed = time.monotonic() - start
    with lock, open(out, "a") as f:
        f.write("%.3f %s %.3f %s %s\n" % (tick, status, elapsed, report_id, " ".join(text.split())[:300]))


threads = []
n = 0
while not os.path.exists(stop):
    tick = time.time()
    n += 1
    for ready in (False, True):
        thread = threading.Thread(target=probe, args=(n, tick, ready))
        thread.start()
        threads.append(thread)
    time.sleep(max(0, tick + 1 - time.time()))
for thread in threads:
    thread.join()

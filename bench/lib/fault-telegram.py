"""Drives and judges bench/faults.sh telegram: 12 disk checks flipped by reports and 8 heartbeats
(every 10 s, grace 5 s) flipped by pinging and not pinging, one flip per check per phase, while the
Telegram stand-in fails (its mode cycles 500 -> "429 5" -> hang -> 500 ... every MODE_SECONDS);
then the stand-in recovers and the outbox must drain: every notification delivered, once, and in
order per check. Prints target, result and PASS/FAIL lines; exits 1 on a failure.
Usage: fault-telegram.py URL TOKEN STANDIN_DIR DATABASE_URL FAIL_SECONDS MODE_SECONDS PHASE_SECONDS"""
import collections
import datetime
import html
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

url, token, standin, database_url = sys.argv[1:5]
fail_seconds, mode_seconds, phase_seconds = (float(x) for x in sys.argv[5:8])
host = "tg-1"
disks = ["disk:/d%02d" % i for i in range(1, 13)]
beats = ["hb-%02d" % i for i in range(1, 9)]
drain_limit = float(os.environ.get("DRAIN_LIMIT", "600"))


def request(method, path, body=None, auth=True):
    headers = {"Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(url + path, data=body and json.dumps(body).encode(), method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=30) as answer:
        return answer.status, answer.read()


def report(used):
    sent = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    request("POST", "/api/v1/report", {"version": 1, "host": host, "sentAt": sent, "reportId": str(uuid.uuid4()),
                                       "observations": [{"name": d, "kind": "disk", "value": used, "unit": "%"} for d in disks]})


def query(sql):
    out = subprocess.run(["psql", database_url, "-AtF", "\t", "-c", sql], check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def set_mode(mode):
    with open(os.path.join(standin, "mode.tmp"), "w") as f:
        f.write(mode)
    os.rename(os.path.join(standin, "mode.tmp"), os.path.join(standin, "mode"))


def log(text):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), text), file=sys.stderr, flush=True)


# Checks: the disks at 50 %, the heartbeats created and pinged once (each waits for its first ping).
ping_ids = {}
for name in beats:
    _, body = request("POST", "/api/v1/heartbeats", {"host": host, "name": name, "every": "10s", "grace": "5s"})
    ping_ids[name] = json.loads(body)["pingId"]
report(50)
for name in beats:
    request("GET", "/ping/" + ping_ids[name], auth=False)
time.sleep(2)

# The outage: modes cycle; one flip per check per phase.
modes = ["500", "429 5", "hang"]
outage_start = time.time()
stop = threading.Event()


def cycle():
    i = 0
    while not stop.is_set():
        set_mode(modes[i % len(modes)])
        log("stand-in mode %s" % modes[i % len(modes)])
        i += 1
        stop.wait(mode_seconds)


cycler = threading.Thread(target=cycle, daemon=True)
cycler.start()


level = 50  # the disks' value in the last report
last_report = time.time()


def hold(until, pinged):
    """Waits until `until`, pinging every heartbeat every 3 s if `pinged`, and reporting the disks'
    value again every 30 s, so the host and its disks never go silent (no host-down or no-data
    messages while the outbox drains)."""
    global last_report
    while time.time() < until:
        if pinged:
            for name in beats:
                request("GET", "/ping/" + ping_ids[name], auth=False)
        if time.time() - last_report >= 30:
            report(level)
            last_report = time.time()
        time.sleep(min(3, max(0, until - time.time())))


phase = 0
while (phase + 1) * phase_seconds <= fail_seconds + 0.5:
    alerting = phase % 2 == 0
    level = 95 if alerting else 50
    report(level)
    last_report = time.time()
    log("phase %d: disks %s, heartbeats %s" % (phase, "95 %" if alerting else "50 %", "silent" if alerting else "pinged"))
    hold(outage_start + (phase + 1) * phase_seconds, not alerting)
    phase += 1
# The heartbeats stay as the last phase left them: pinged after a quiet phase, silent after an alerting one.
last_pinged = phase % 2 == 0 and phase > 0
hold(outage_start + fail_seconds, last_pinged)
stop.set()
cycler.join()
set_mode("ok")
recovered = time.time()
log("stand-in mode ok after %.0f s of failures, %d phases" % (recovered - outage_start, phase))

# Drain: every notification delivered or failed (heartbeats pinged in a final quiet phase are kept
# pinged, so nothing new flips meanwhile).
pending = None
while time.time() - recovered < drain_limit:
    pending = int(query("SELECT count(*) FROM notifications WHERE delivered_at IS NULL AND failed_at IS NULL")[0][0])
    if pending == 0:
        break
    hold(time.time() + 2, last_pinged)
drained = time.time() - recovered
time.sleep(5)  # late duplicates would arrive now

rows = query("SELECT id, channel, event->>'check', event->>'kind', event->>'to', event->>'reason', "
             "delivered_at IS NOT NULL, failed_at IS NOT NULL, attempts, coalesce(last_error, '') "
             "FROM notifications ORDER BY id")
total = len(rows)
delivered = sum(1 for r in rows if r[6] == "t")
failed = [r for r in rows if r[7] == "t"]
pending = [r for r in rows if r[6] != "t" and r[7] != "t"]
attempts = sum(int(r[8]) for r in rows)
expected = collections.defaultdict(list)
for r in rows:
    check, kind, to, reason = r[2], r[3], r[4], r[5]
    first = {"problem": ("⚪ NO DATA" if to == "no-data" else "🔴 ALERT"), "recovery": "✅ OK", "flapping": "🔁 FLAPPING"}.get(kind, "🔴 STILL")
    expected[check].append((first, html.escape(reason, quote=True).replace("&#x27;", "'")))

pattern = re.compile(r"^(.*?) <b>(.*?)</b> · <code>(.*?)</code>\n(.*)", re.S)
arrived = collections.defaultdict(list)
by_status = collections.Counter()
for line in open(os.path.join(standin, "messages.jsonl")):
    record = json.loads(line)
    if record["method"] != "POST":
        continue
    by_status[record["status"]] += 1
    if record["status"] != 200:
        continue
    match = pattern.match(record["message"]["text"])
    if match:
        arrived[html.unescape(match.group(3))].append((record["at"], match.group(1), match.group(4)))
ok_messages = sum(len(v) for v in arrived.values())

out_of_order, miscounted = [], []
for check in sorted(set(expected) | set(arrived)):
    got = [(first, rest) for _, first, rest in sorted(arrived[check])]
    want = expected[check]
    if len(got) != len(want):
        miscounted.append("%s: %d expected, %d arrived" % (check, len(want), len(got)))
    elif any(g[0] != w[0] or not g[1].startswith(w[1]) for g, w in zip(got, want)):
        out_of_order.append("%s: expected %s, arrived %s" % (check, [w[0][0] for w in want], [g[0][0] for g in got]))
flipped = sum(1 for c in expected if len(expected[c]) >= 2)
print("outage %.0f s in %d phases; %d notifications for %d checks (%d flipped at least twice); attempts %d"
      % (recovered - outage_start, phase, total, len(expected), flipped, attempts))
print("stand-in answers: %s" % dict(by_status))
print("after recovery: outbox drained in %.1f s; delivered %d, failed %d, pending %d" % (drained, delivered, len(failed), len(pending)))
for r in failed[:5]:
    print("  failed: %s %s: %s" % (r[2], r[3], r[9]))
for text in (miscounted + out_of_order)[:10]:
    print("  " + text)

failures = []


def target(name, ok, detail=""):
    print("target telegram %s: %s%s" % (name, "met" if ok else "MISSED", " (" + detail + ")" if detail else ""))
    if not ok:
        failures.append(name + (": " + detail if detail else ""))


target("about 50 or more notifications while failing", total >= 50, "%d" % total)
target("every notification delivered", delivered == total and not failed and not pending,
       "%d of %d, %d failed, %d pending" % (delivered, total, len(failed), len(pending)))
target("each delivered once", ok_messages == total and not miscounted, "%d messages for %d notifications" % (ok_messages, total))
target("in order per check", not out_of_order, "%d checks out of order" % len(out_of_order))
print("result\ttelegram: outbox drain after recovery\t%.1f\ts\t-\t-\t-" % drained)
print("result\ttelegram: notifications lost or duplicated\t%d\tcount\t-\t-\t-" % (abs(total - ok_messages) + len(failed) + len(pending)))
if failures:
    print("FAIL telegram: " + "; ".join(failures))
    sys.exit(1)
print("PASS telegram: %d notifications for %d checks during %.0f s of 500/429/hang, all delivered once and in order, "
      "drained %.1f s after recovery" % (total, len(expected), recovered - outage_start, drained))

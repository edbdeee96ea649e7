"""Judges bench/faults.sh pg-stop from what its parts recorded in DIR:
  probe.log            fault-probe.py against the backend directly, once a second
  proxy/requests.jsonl every POST the senders made (fault_proxy.py, plan "pass", in front of the backend)
  runs.log             "epoch host run|journal exit-code" per sender invocation
  telegram/messages.jsonl  the Telegram stand-in
  stop_at, start_at    when PostgreSQL was stopped and started again (epoch seconds)
  beat_at              when the heartbeat made after the restart was pinged
  alive, shutdown      whether the backend was up at the end, and how it ended on SIGTERM
and from the database itself. Prints target, result and PASS/FAIL lines; exits 1 on a failure.
Usage: fault-pg-stop.py DIR DATABASE_URL HOSTS(comma-separated) JOURNAL_ENTRIES"""
import collections
import datetime
import json
import os
import re
import subprocess
import sys
import time

directory, database_url, hosts, journal_entries = sys.argv[1:5]
hosts = hosts.split(",")
journal_entries = int(journal_entries)
stop_at = float(open(os.path.join(directory, "stop_at")).read())
start_at = float(open(os.path.join(directory, "start_at")).read())
hang_limit = 10.0  # the sender's own timeout: an answer slower than this is a hang to it


def query(sql):
    out = subprocess.run(["psql", database_url, "-AtF", "\t", "-c", sql], check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


failures = []
targets = []


def target(name, ok, detail=""):
    targets.append(name)
    print("target pg-stop %s: %s%s" % (name, "met" if ok else "MISSED", " (" + detail + ")" if detail else ""))
    if not ok:
        failures.append(name + (": " + detail if detail else ""))


# 1. Ingest during the outage, seen by the probe.
probes = []
for line in open(os.path.join(directory, "probe.log")):
    parts = line.rstrip("\n").split(" ", 4)
    probes.append((float(parts[0]), parts[1], float(parts[2]), parts[3], parts[4] if len(parts) > 4 else ""))
readyz = [p for p in probes if p[3] == "readyz"]
probes = [p for p in probes if p[3] != "readyz"]
ready_during = [p for p in readyz if stop_at <= p[0] < start_at]
print("GET /readyz during the outage: %s, slowest %.3f s" % (
    dict(collections.Counter(p[1] for p in ready_during)), max((p[2] for p in ready_during), default=0.0)))
during = [p for p in probes if stop_at <= p[0] < start_at]
statuses = collections.Counter(p[1] for p in during)
slowest = max((p[2] for p in during), default=0.0)
bodies = collections.Counter(p[4] for p in during if p[1] != "200")
took = sorted(p[2] for p in during)
print("probe during the outage: %d requests, statuses %s; answers took %.3f s at the median, %.3f s at most"
      % (len(during), dict(statuses), took[len(took) // 2] if took else float("nan"), slowest))
for body, count in bodies.most_common(3):
    print("  %d× %s" % (count, body))
after = [p for p in probes if p[0] >= start_at]
first_ok = next((p for p in after if p[1] == "200"), None)
recovery = (first_ok[0] - start_at) if first_ok else float("nan")
bad_after = [p for p in after if first_ok and p[0] > first_ok[0] and p[1] != "200"]
print("probe after the restart: first 200 after %.1f s; %d non-200 after that %s"
      % (recovery, len(bad_after), dict(collections.Counter(p[1] for p in bad_after))))
# A request sent in the outage's last seconds may wait for the restart and be stored: a 200
# answered after PostgreSQL is back is right. Before that, only 503 is.
answered_down = collections.Counter(p[1] for p in during if p[0] + p[2] < start_at)
late_ok = sum(1 for p in during if p[0] + p[2] >= start_at and p[1] == "200")
target("ingest answers 503 during the outage, no 500, no hang",
       len(during) > 0 and set(answered_down) == {"503"} and set(statuses) <= {"503", "200"} and slowest <= hang_limit,
       "%s while down, %d stored once it was back, slowest %.2f s" % (dict(answered_down), late_ok, slowest))
target("ingest answers 200 again after the restart", first_ok is not None and not bad_after,
       "first 200 after %.1f s" % recovery)

# 2. Reports: every one a sender produced (seen at the proxy, retries included) is stored once.
stored = collections.defaultdict(set)
for host, key in query("SELECT h.name, r.report_key FROM ingested_reports r JOIN hosts h ON h.id = r.host_id"):
    stored[host].add(key[3:] if key.startswith("id:") else key)
produced = collections.defaultdict(set)
attempts = collections.Counter()
made_at = {}
for line in open(os.path.join(directory, "proxy", "requests.jsonl")):
    record = json.loads(line)
    if not record["path"].startswith("/api/v1/report"):
        continue
    report = json.loads(record["body"])
    produced[report["host"]].add(report["reportId"])
    attempts[report["reportId"]] += 1
    made_at[report["reportId"]] = report["sentAt"]
runs = collections.Counter()
failed_runs = collections.Counter()
for line in open(os.path.join(directory, "runs.log")):
    _, host, what, code = line.split()
    runs[what] += 1
    if code != "0":
        failed_runs[(what, code)] += 1
samples = dict((h, int(n)) for h, n in query(
    "SELECT h.name, count(*) FROM report_samples r JOIN checks c ON c.host_id = r.host_id AND c.id = ANY(r.check_ids) "
    "JOIN hosts h ON h.id = c.host_id WHERE c.name = 'memory' GROUP BY h.name"))
lost_total = 0
print("%-10s %9s %7s %5s %8s" % ("host", "produced", "stored", "lost", "samples"))
for host in hosts:
    lost = produced[host] - stored[host]
    lost_total += len(lost)
    print("%-10s %9d %7d %5d %8d" % (host, len(produced[host]), len(produced[host] & stored[host]), len(lost), samples.get(host, 0)))
produced_total = sum(len(v) for v in produced.values())


def epoch(iso):
    return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


lost_reports = sorted((epoch(made_at[r]) - stop_at, h, attempts[r]) for h in hosts for r in produced[h] - stored[h])
if lost_reports:
    print("lost reports (made at seconds after the stop, attempts): "
          + ", ".join("%s %+.0f s %d×" % (h, t, n) for t, h, n in lost_reports[:20]))
    print("  the outage lasted %.0f s; a run retries for at most 40 s, then exits 3 and keeps its report in its spool for a "
          "later run (docs/sender.md, Delivery): a report missing here was still in a spool when the test ended" % (start_at - stop_at))
retried = sum(1 for n in attempts.values() if n > 1)
print("sender runs: %s; failed: %s; reports sent more than once (retries): %d"
      % (dict(runs), {"%s exit %s" % k: v for k, v in failed_runs.items()}, retried))
said = collections.Counter()
for host in hosts:
    path = os.path.join(directory, "sender-%s.err" % host)
    for line in open(path) if os.path.exists(path) else []:
        said[re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+(\.\d+)?", "N", line.strip())[:200]] += 1
for line, count in said.most_common(4):
    print("  senders said %d×: %s" % (count, line))
acked = [p for p in probes if p[1] == "200"]
probe_lost = [p for p in acked if p[3] not in stored["faults-probe"]]
refused_but_stored = [p for p in probes if p[1] != "200" and p[3] in stored["faults-probe"]]
print("probe: %d acknowledged, %d of them missing; %d refused yet stored" % (len(acked), len(probe_lost), len(refused_but_stored)))
target("every acknowledged report stored", not probe_lost, "%d missing" % len(probe_lost))
target("every report the senders produced stored", lost_total == 0 and produced_total > 0,
       "%d of %d lost" % (lost_total, produced_total))
samples_ok = all(samples.get(h, 0) == len(stored[h]) for h in hosts)
target("one memory sample per stored report", samples_ok)

# 3. Journal: every entry of every host's journal stored, once (the table's key makes twice impossible).
journal = dict((h, int(n)) for h, n in query("SELECT host, count(*) FROM journal_entries GROUP BY host"))
short = {h: journal.get(h, 0) for h in hosts if journal.get(h, 0) != journal_entries}
print("journal entries stored per host (of %d): %s" % (journal_entries, {h: journal.get(h, 0) for h in hosts}))
target("every journal entry stored once", not short, "short: %s" % short if short else "")

# 4. The stand-in: one "storage unreachable", one "reachable again", both delivered.
down, up, other = [], [], []
path = os.path.join(directory, "telegram", "messages.jsonl")
for line in open(path) if os.path.exists(path) else []:
    record = json.loads(line)
    text = (record.get("message") or {}).get("text", "")
    if "storage unreachable" in text:
        down.append(record)
    elif "storage reachable again" in text:
        up.append(record)
    elif record["method"] == "POST" and "<b>after-restart</b>" not in text:
        other.append(record)
delivered_down = [r for r in down if r["status"] == 200]
delivered_up = [r for r in up if r["status"] == 200]
for r in delivered_down + delivered_up:
    print("message at +%.1f s after the stop: %s" % (r["at"] - stop_at, r["message"]["text"]))
print("other messages at the stand-in: %d %s" % (len(other), [r["message"]["text"].split("\n")[0] for r in other][:10]))
target('one "storage unreachable" message', len(delivered_down) == 1 and len(down) == 1, "%d sent" % len(down))
target("one recovery message", len(delivered_up) == 1 and len(up) == 1, "%d sent" % len(up))

# 5. Evaluation (heartbeats, no-data, host down) resumes: the leader beats every 5 s in evaluator_beats.
last_beat = float(query("SELECT coalesce(extract(epoch FROM max(beat_at)), 0) FROM evaluator_beats")[0][0])
print("evaluator: last beat in evaluator_beats %+.1f s after PostgreSQL started again (%.0f s before this check)"
      % (last_beat - start_at, time.time() - last_beat))
target("evaluation resumes after the restart", last_beat > start_at + 5,
       "last evaluator beat %+.1f s after the restart" % (last_beat - start_at))

# 6. Alerting after the restart: a flip at ingest, and a heartbeat missed after the restart.
beat_at = float(open(os.path.join(directory, "beat_at")).read())
after_restart = [r for r in (json.loads(line) for line in open(path)) if r["status"] == 200
                 and "<b>after-restart</b>" in ((r.get("message") or {}).get("text", ""))]
disk_alert = [r for r in after_restart if "<code>disk:/</code>" in r["message"]["text"]]
missed = [r for r in after_restart if "<code>beat</code>" in r["message"]["text"]]
for r in disk_alert + missed:
    print("after the restart, %.1f s after the ping: %s" % (r["at"] - beat_at, r["message"]["text"].replace("\n", " | ")))
target("an alert at ingest after the restart reaches Telegram", len(disk_alert) == 1)
target("a heartbeat missed after the restart alerts (the evaluator leads again)", len(missed) == 1,
       "no message within 30 s of a 5 s + 1 s deadline" if not missed else "")

alive = open(os.path.join(directory, "alive")).read().strip() == "yes"
target("the backend stays up", alive)
shutdown = open(os.path.join(directory, "shutdown")).read().strip()
print("SIGTERM to the backend at the end: %s" % shutdown)
target("the backend stops on SIGTERM afterwards", shutdown.startswith("exited 0"), shutdown)

print("result\tpg-stop: reports lost\t%d\treports\t-\t-\t-" % lost_total)
print("result\tpg-stop: ingest recovery after restart\t%.1f\ts\t-\t-\t-" % recovery)
if failures:
    print("FAIL pg-stop: " + "; ".join(failures))
    sys.exit(1)
print("PASS pg-stop: %d probes during the %.0f s outage all 503 (slowest %.2f s); %d reports and %d journal entries stored, none lost; "
      "one outage and one recovery message" % (len(during), start_at - stop_at, slowest, produced_total, sum(journal.values())))

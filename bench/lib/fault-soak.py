"""Drives and judges bench/faults.sh soak: SENDERS simulated senders in one asyncio process, each on
its own kept-alive HTTP/1.1 connection, POST a report of OBSERVATIONS observations (unique reportId
and sentAt) every INTERVAL seconds for SECONDS, starts spread over the first interval. Samples the
backend's VmRSS every 10 s. Prints latency p50/p99/max, the RSS series, target, result and PASS/FAIL
lines; exits 1 on a failure.
Usage: fault-soak.py URL TOKEN BACKEND_PID DATABASE_URL SENDERS SECONDS INTERVAL OBSERVATIONS"""
import asyncio
import collections
import datetime
import json
import os
import random
import subprocess
import sys
import time
import urllib.parse
import uuid

url, token, backend_pid, database_url = sys.argv[1:5]
senders, seconds, interval, observations = int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8])
parts = urllib.parse.urlsplit(url)
latencies = []
statuses = collections.Counter()
errors = collections.Counter()
error_examples = {}
connects = 0
reconnects = 0
rss = []  # (seconds since start, KiB)
cpu = []  # (seconds since start, CPU seconds of the backend)


def vm_rss():
    with open("/proc/%s/status" % backend_pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds():
    with open("/proc/%s/stat" % backend_pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            body += await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        body = b""
    return status, body, headers.get("connection", "").lower() == "close"


def note(kind, example):
    errors[kind] += 1
    error_examples.setdefault(kind, example)


async def sender(index, start, end):
    global connects, reconnects
    host = "soak-%04d" % index
    rng = random.Random(index)
    names = ["memory"] + ["disk:/d%d" % i for i in range(observations - 1)]
    reader = writer = None
    at = start + interval * index / senders
    loop = asyncio.get_running_loop()
    while at < end:
        await asyncio.sleep(max(0, at - loop.time()))
        sent = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
        body = json.dumps({"version": 1, "host": host, "sentAt": sent, "reportId": str(uuid.uuid4()), "sender": "soak/1",
                           "observations": [{"name": n, "kind": "memory" if n == "memory" else "disk",
                                             "value": round(rng.uniform(10, 80), 2), "unit": "%"} for n in names]}).encode()
        request = (b"POST /api/v1/report HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"
                   b"Content-Length: %d\r\n\r\n" % (parts.netloc.encode(), token.encode(), len(body))) + body
        for attempt in range(2):
            fresh = False
            if writer is None or reader.at_eof():
                if writer is not None:
                    reconnects += 1
                    writer.close()
                try:
                    reader, writer = await asyncio.wait_for(asyncio.open_connection(parts.hostname, parts.port), 30)
                except (OSError, asyncio.TimeoutError) as error:
                    note("connect", repr(error))
                    writer = None
                    break
                connects += 1
                fresh = True
            begin = loop.time()
            try:
                writer.write(request)
                await writer.drain()
                status, answer, close = await asyncio.wait_for(read_response(reader), 30)
            except asyncio.TimeoutError:
                note("timeout", "no answer within 30 s")
                writer.close()
                writer = None
                break
            except (ConnectionError, asyncio.IncompleteReadError, OSError) as error:
                writer.close()
                writer = None
                if not fresh and attempt == 0:
                    reconnects += 1  # the server closed an idle kept-alive connection: resend once
                    continue
                note("connection", repr(error))
                break
            latencies.append(loop.time() - begin)
            statuses[status] += 1
            if status != 200:
                note("HTTP %d" % status, answer[:300].decode("utf-8", "replace"))
            if close:
                writer.close()
                writer = None
            break
        at += interval
    if writer is not None:
        writer.close()


async def sample_rss(start, end):
    loop = asyncio.get_running_loop()
    k = 0
    while True:
        at = start + 10 * k
        if at > end + 1:
            break
        await asyncio.sleep(max(0, at - loop.time()))
        rss.append((at - start, vm_rss()))
        cpu.append((at - start, cpu_seconds()))
        if k % 6 == 0:
            print("[%s] t=%4.0f s: %d requests, %d errors, backend RSS %.1f MB" % (
                time.strftime("%H:%M:%S"), at - start, len(latencies), sum(errors.values()), rss[-1][1] / 1024),
                file=sys.stderr, flush=True)
        k += 1


async def main():
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.5
    end = start + seconds
    await asyncio.gather(sample_rss(start, end), *(sender(i, start, end) for i in range(senders)))


load_before = os.getloadavg()
asyncio.run(main())
load_after = os.getloadavg()

latencies.sort()


def pct(p):
    return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else float("nan")


ok = statuses.get(200, 0)
expected = int(senders * seconds / interval)
stored = int(subprocess.run(["psql", database_url, "-Atc", "SELECT count(*) FROM ingested_reports"],
                            capture_output=True, text=True, check=True).stdout)
print("%d senders, a report of %d observations every %.0f s for %.0f s: %d requests (%d planned), %d answered 200, "
      "%d stored; %d connections opened, %d re-opened after the server closed them"
      % (senders, observations, interval, seconds, len(latencies) + sum(v for k, v in errors.items() if not k.startswith("HTTP")),
         expected, ok, stored, connects, reconnects))
print("load average (1, 5, 15 min) before: %.2f %.2f %.2f; after: %.2f %.2f %.2f (other work on the machine shows in the tail)"
      % (load_before + load_after))
print("errors: %s" % (dict(errors) or "none"))
for kind, example in error_examples.items():
    print("  %s, e.g. %s" % (kind, example))
print("latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (pct(50), pct(99), pct(100)))
print("backend RSS every 10 s (MB): " + " ".join("%.1f" % (k / 1024) for _, k in rss))
warm = min(rss, key=lambda s: abs(s[0] - 120)) if rss else (0, 0)
last = rss[-1] if rss else (0, 0)
growth = (last[1] - warm[1]) / warm[1] * 100 if warm[1] else float("nan")
peak = max((k for _, k in rss), default=0)
cpu_share = (cpu[-1][1] - cpu[0][1]) / (cpu[-1][0] - cpu[0][0]) * 100 if len(cpu) > 1 else float("nan")
print("RSS: %.1f MB at %.0f s (warm), %.1f MB at the end (%.0f s), peak %.1f MB: %+.1f %% after warm-up; backend CPU %.0f %% of a core"
      % (warm[1] / 1024, warm[0], last[1] / 1024, last[0], peak / 1024, growth, cpu_share))

failures = []


def target(name, good, detail=""):
    print("target soak %s: %s%s" % (name, "met" if good else "MISSED", " (" + detail + ")" if detail else ""))
    if not good:
        failures.append(name + (": " + detail if detail else ""))


target("no errors, every answer 200", not errors and ok >= expected * 0.99, "%d of %d, errors %s" % (ok, expected, dict(errors)))
target("every acknowledged report stored", stored == ok, "%d stored, %d acknowledged" % (stored, ok))
target("RSS growth after warm-up < 10 %", growth < 10, "%+.1f %%" % growth)
print("result\tsoak: latency p50\t%.1f\tms\t-\t-\t-" % pct(50))
print("result\tsoak: latency p99\t%.1f\tms\t-\t-\t-" % pct(99))
print("result\tsoak: latency max\t%.1f\tms\t-\t-\t-" % pct(100))
print("result\tsoak: RSS growth after warm-up\t%.1f\t%%\t-\t-\t-" % growth)
if failures:
    print("FAIL soak: " + "; ".join(failures))
    sys.exit(1)
print("PASS soak: %d reports from %d senders, all 200; p50 %.1f ms, p99 %.1f ms, max %.1f ms; RSS %.1f -> %.1f MB (%+.1f %%)"
      % (ok, senders, pct(50), pct(99), pct(100), warm[1] / 1024, last[1] / 1024, growth))

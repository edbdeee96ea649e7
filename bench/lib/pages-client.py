#!/usr/bin/env python3
"""bench/pages.sh's client: seeds reports through the API, logs in like a browser, and times pages.

  pages-client.py seed BASE TOKEN HOSTS CHECKS
      one POST /api/v1/report per host (8 at a time), CHECKS observations each: memory, a RAID,
      four disks, gauges; one host in 25 has a disk above 90 % and one in 100 a degraded RAID, so the
      dashboard has alerts to sort first; one in 40 has memory at 93 %, which does not alert from one
      report (the memory rule wants it sustained). Prints "alerting N", the checks expected to alert.
  pages-client.py time BASE EMAIL PASSWORD RUNS PATH
      GET /login (cookie mt_login and the form's _csrf), POST /login (cookie mt_session), then on that
      one keep-alive connection 5 warm-up GETs of PATH and RUNS timed ones: time.perf_counter() from
      sending the request to the last byte of the body. Prints "p50 p95 max rows bytes" (milliseconds,
      nearest rank; rows: the page's check or journal rows, bytes: the body's size).
"""
import http.client, json, math, re, sys, threading, time, urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone


def connection(base):
    parts = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)


def observations(index, count):
    alerting = 0
    disk_alert = index % 25 == 0
    memory_alert = index % 40 == 1
    raid_degraded = index % 100 == 2
    out = [
        {"name": "memory", "kind": "memory", "value": 93.0 if memory_alert else 35.0 + index % 40, "unit": "%",
         "details": {"totalBytes": 16 << 30}},
        {"name": "raid:md0", "kind": "raid", "status": "degraded" if raid_degraded else "ok",
         "details": {"level": "raid1", "devices": "2", "active": "1" if raid_degraded else "2"}},
    ]
    alerting += raid_degraded
    mounts = ["/", "/var", "/home", "/srv"]
    gauges = ["load1", "load5", "cpu_temp", "open_files", "tcp_established", "processes", "uptime_days", "swap_used"]
    for n in range(count - 2):
        if n < len(mounts):
            full = disk_alert and n == 1
            alerting += full
            out.append({"name": f"disk:{mounts[n]}", "kind": "disk", "value": 95.5 if full else 20.0 + (index * 7 + n * 13) % 60,
                        "unit": "%", "details": {"device": f"/dev/sda{n + 1}", "totalBytes": 500 << 30}})
        else:
            name = gauges[(n - len(mounts)) % len(gauges)] + ("" if n - len(mounts) < len(gauges) else f"_{n}")
            out.append({"name": name, "kind": "gauge", "value": round((index * 31 + n * 17) % 1000 / 10, 1)})
    return out[:count], alerting


def seed(base, token, hosts, checks):
    sent_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    local = threading.local()
    alerting = 0
    lock = threading.Lock()

    def report(index):
        nonlocal alerting
        host = f"host-{index:04d}"
        items, alerts = observations(index, checks)
        body = json.dumps({"version": 1, "host": host, "bootId": f"boot-{index}", "sentAt": sent_at,
                           "sender": "metrics-sender bench", "observations": items})
        if not hasattr(local, "conn"):
            local.conn = connection(base)
        local.conn.request("POST", "/api/v1/report", body, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = local.conn.getresponse()
        answer = response.read()
        if response.status != 200:
            raise SystemExit(f"report for {host}: HTTP {response.status}: {answer[:200]!r}")
        with lock:
            alerting += alerts

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(report, range(hosts)))
    print(f"alerting {alerting}")


def login(base, email, password):
    conn = connection(base)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = re.search(r"mt_login=([^;]+)", response.getheader("Set-Cookie") or "")
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page)
    if response.status != 200 or not cookie or not csrf:
        raise SystemExit(f"GET /login: HTTP {response.status}, no mt_login cookie or _csrf field")
    form = urllib.parse.urlencode({"_csrf": csrf.group(1), "email": email, "password": password})
    conn.request("POST", "/login", form, {"Cookie": f"mt_login={cookie.group(1)}", "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    session = re.search(r"mt_session=([^;]+)", response.getheader("Set-Cookie") or "")
    if response.status != 303 or not session:
        raise SystemExit(f"POST /login: HTTP {response.status}, no session")
    return conn, f"mt_session={session.group(1)}"


def timed(base, email, password, runs, path):
    conn, cookie = login(base, email, password)
    samples = []
    body = b""
    for i in range(5 + runs):
        start = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != 200:
            raise SystemExit(f"GET {path}: HTTP {response.status}: {body[:300]!r}")
        if i >= 5:
            samples.append(elapsed)
    samples.sort()
    rank = lambda q: samples[max(0, math.ceil(q * len(samples)) - 1)]
    rows = len(re.findall(rb'<tr class="(?:check|entry) ', body))
    print(f"{rank(0.5):.1f} {rank(0.95):.1f} {samples[-1]:.1f} {rows} {len(body)}")


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1] == "time":
        timed(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])
    else:
        raise SystemExit(__doc__)

#!/usr/bin/env python3
"""bench/attack.sh's client: runs one attack against a live backend on 127.0.0.1 and prints what was
sent, the answer (status, time), the backend's CPU seconds and RSS during the attack (/proc/PID/stat,
/proc/PID/status), the latency of GET /healthz and of another host's real report during it, and one
"PASS name: reason" or "FAIL name: reason" line. Standard library only; every loop is bounded.

  attack-client.py ATTACK [ARGS...]      ATTACK: loki-labels, nul-details, ping-create-host, login-next,
                                          login-throttle, ping-flood, ping-burst N, check-limit,
                                          half-open, token-guess, ping-cache-control, clock-ahead
  attack-client.py probe OUT STOP        (internal) probes until the file STOP exists, then writes OUT
  attack-client.py sender BINARY TREE... metrics-sender collect --dry-run --root TREE (no backend)

Settings come from the environment: BASE (http://127.0.0.1:PORT), PID (the backend's), ALL_TOKEN (an
all-hosts token), HOST and HOST_TOKEN (the attacker's host and its token), BYSTANDER and BYSTANDER_TOKEN
(the other host), PING_KEY (HOST's ping key), EMAIL and PASSWORD (a user), VICTIM (another user's email),
IDLE_TIMEOUT (the backend's HTTP_IDLE_TIMEOUT, seconds), PROBE_MAX_MS (slowest probe still fast: 1000).
"""
import concurrent.futures
import datetime
import http.client
import json
import os
import random
import re
import resource
import selectors
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

E = os.environ
BASE = E.get("BASE", "")
_parts = urllib.parse.urlsplit(BASE)
ADDR, PORT = _parts.hostname or "127.0.0.1", _parts.port or 80
assert ADDR == "127.0.0.1", "traffic goes to 127.0.0.1 only"
PROBE_MAX_MS = float(E.get("PROBE_MAX_MS", "1000"))
ENGINE = E.get("ENGINE", "-")
SUFFIX = "" if ENGINE == "-" else f" ({ENGINE})"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# An attack with a set-up phase (half-open opens its connections first) sets this to when the state it
# is about (all connections held) began: the probes are judged from then, those before are only shown.
WINDOW = {}


# --- HTTP -------------------------------------------------------------------------------------

class Answer:
    def __init__(self, status, headers, body, seconds):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    def header(self, name):
        return self.headers.get(name.lower())

    def text(self, limit=200):
        return " ".join(self.body.decode("utf-8", "replace").split())[:limit]

    def __str__(self):
        return f"{self.status} in {self.seconds * 1000:.1f} ms: {self.text(160)!r}"


def request(method, path, body=None, headers=None, conn=None, timeout=30):
    """One request; on a fresh connection unless conn is given. Answer.status is the HTTP status or
    'error: …' when there was no answer."""
    own = conn is None
    if own:
        conn = http.client.HTTPConnection(ADDR, PORT, timeout=timeout)
    if isinstance(body, str):
        body = body.encode()
    start = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        headers = {}
        for k, v in response.getheaders():  # several Set-Cookie headers: one per line
            headers[k.lower()] = headers[k.lower()] + "\n" + v if k.lower() in headers else v
        answer = Answer(response.status, headers, data, time.perf_counter() - start)
    except (OSError, http.client.HTTPException) as error:
        answer = Answer(f"error: {type(error).__name__} {error}", {}, b"", time.perf_counter() - start)
        conn.close()
    if own:
        conn.close()
    return answer


def now_text(offset=0):
    at = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=offset)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def report_body(host, observations, sent_at=None):
    return json.dumps({"version": 1, "host": host, "sentAt": sent_at or now_text(), "reportId": str(uuid.uuid4()),
                       "sender": "bench/attack", "observations": observations})


def post_report(token, host, observations, sent_at=None, conn=None):
    return request("POST", "/api/v1/report", report_body(host, observations, sent_at),
                   {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, conn=conn)


def read_api(path):
    answer = request("GET", path, headers={"Authorization": f"Bearer {E['ALL_TOKEN']}"})
    try:
        return answer, json.loads(answer.body) if answer.status == 200 else None
    except ValueError:
        return answer, None


def quote(name):
    return urllib.parse.quote(name, safe="")


# --- the backend's process --------------------------------------------------------------------

def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime: fields 14 and 15


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# --- probes: a process of its own, so the attack's threads do not slow what they time ------------

def probe_main(out, stop):
    pid = int(E["PID"])
    records, lock, peak = [], threading.Lock(), [0]
    deadline = time.time() + 600
    done = threading.Event()

    def sampler():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb(pid))
            time.sleep(0.05)

    def loop(kind):
        n = 0
        while not done.is_set():
            start = time.time()
            if kind == "healthz":
                answer = request("GET", "/healthz", timeout=10)
            else:
                n += 1
                answer = post_report(E["BYSTANDER_TOKEN"], E["BYSTANDER"],
                                     [{"name": "memory", "kind": "memory", "value": 30 + n % 20, "unit": "%"}])
            with lock:
                records.append({"kind": kind, "start": start, "end": time.time(), "status": answer.status,
                                "ms": answer.seconds * 1000})
            time.sleep(0.1)

    threads = [threading.Thread(target=sampler)] + [threading.Thread(target=loop, args=(k,)) for k in ("healthz", "report")]
    for thread in threads:
        thread.start()
    parent = os.getppid()
    while not os.path.exists(stop) and time.time() < deadline and os.getppid() == parent:
        with lock:
            kinds = {r["kind"] for r in records}
        if kinds == {"healthz", "report"} and not os.path.exists(out + ".ready"):
            open(out + ".ready", "w").close()
        time.sleep(0.02)
    done.set()
    for thread in threads:
        thread.join(30)
    with open(out, "w") as f:
        json.dump({"peak_rss_kb": peak[0], "records": records}, f)


class Watch:
    """CPU, RSS and probes over one attack."""

    def __init__(self):
        self.pid = int(E["PID"])
        self.dir = tempfile.mkdtemp(prefix="attack-probe-")
        self.out, self.stop_file = os.path.join(self.dir, "out.json"), os.path.join(self.dir, "stop")
        self.rss0, self.cpu0 = rss_kb(self.pid), cpu_seconds(self.pid)
        self.process = subprocess.Popen([sys.executable, __file__, "probe", self.out, self.stop_file],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        for _ in range(200):  # both probes answered once before the attack: at most 10 s
            if os.path.exists(self.out + ".ready"):
                break
            time.sleep(0.05)
        self.rss0 = rss_kb(self.pid)
        self.cpu0 = cpu_seconds(self.pid)
        self.t0 = time.time()

    def stop(self):
        self.t1 = time.time()
        try:
            self.cpu = cpu_seconds(self.pid) - self.cpu0
        except OSError:  # the backend died; attack.sh says so
            self.cpu = -1
        self.rss1 = rss_kb(self.pid)
        time.sleep(0.35)  # a probe that starts after a short attack still counts as "during"
        open(self.stop_file, "w").close()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        data = json.load(open(self.out)) if os.path.exists(self.out) else {"peak_rss_kb": 0, "records": []}
        self.peak = max(data["peak_rss_kb"], self.rss0, self.rss1)
        self.probes, self.setup = {}, {}
        t0 = WINDOW.get("start", self.t0)
        for kind in ("healthz", "report"):
            mine = [r for r in data["records"] if r["kind"] == kind]
            during = [r for r in mine if r["end"] >= t0 and r["start"] <= self.t1]
            if not during:
                during = [r for r in mine if r["start"] >= t0][:1]
            self.probes[kind] = during
            self.setup[kind] = [r for r in mine if r["end"] >= self.t0 and r["start"] < t0]

    def lines(self):
        out = [f"   backend: {self.cpu:.2f} CPU s in {self.t1 - self.t0:.2f} s; RSS {self.rss0 / 1024:.1f} MB before, "
               f"peak {self.peak / 1024:.1f} MB, {self.rss1 / 1024:.1f} MB after"]
        for kind, label in (("healthz", "GET /healthz"), ("report", "other host's report")):
            setup = sorted(r["ms"] for r in self.setup[kind])
            if setup:
                out.append(f"   {label} while {WINDOW['setup']} (shown, not judged): {len(setup)} probes, status "
                           f"{'/'.join(sorted({str(r['status']) for r in self.setup[kind]}))}, p50 {setup[len(setup) // 2]:.1f} ms, max {setup[-1]:.1f} ms")
            probes = self.probes[kind]
            if not probes:
                out.append(f"   {label}: no probe answered during the attack")
                continue
            statuses = sorted({str(r["status"]) for r in probes})
            ms = sorted(r["ms"] for r in probes)
            out.append(f"   {label} {WINDOW.get('during', 'during it')}: {len(ms)} probes, status {'/'.join(statuses)}, "
                       f"p50 {ms[len(ms) // 2]:.1f} ms, max {ms[-1]:.1f} ms")
        return out

    def problem(self):
        """Why the probes say the backend did not stay fast, or None."""
        for kind, label in (("healthz", "/healthz"), ("report", "the other host's report")):
            probes = self.probes[kind]
            if not probes:
                return f"{label} was not probed"
            bad = [r for r in probes if r["status"] != 200]
            if bad:
                return f"{label} answered {bad[0]['status']}"
            slowest = max(r["ms"] for r in probes)
            if slowest > PROBE_MAX_MS:
                return f"{label} took {slowest:.0f} ms (> {PROBE_MAX_MS:.0f} ms)"
        return None

    def measures(self):
        worst = lambda kind: max((r["ms"] for r in self.probes[kind]), default=-1)
        return {"cpu_s": round(self.cpu, 3), "peak_rss_mb": round(self.peak / 1024, 1),
                "healthz_max_ms": round(worst("healthz"), 1), "report_max_ms": round(worst("report"), 1)}


def run(name, title, attack):
    """attack(say) -> (ok, reason, answer_seconds); say(line) prints under the attack's heading."""
    print(f"== {name}{SUFFIX}: {title}", flush=True)
    say = lambda line: print("   " + line, flush=True)
    try:
        watch = Watch()
    except OSError as error:
        print(f"FAIL {name}{SUFFIX}: the backend (pid {E.get('PID')}) is not running: {error}", flush=True)
        return
    try:
        ok, reason, seconds = attack(say)
    except Exception as error:  # a crash of the attack is the attack's FAIL, not the script's
        ok, reason, seconds = False, f"the attack itself failed: {type(error).__name__}: {error}", -1
    finally:
        watch.stop()
    for line in watch.lines():
        print(line)
    problem = watch.problem()
    if ok and problem:
        ok, reason = False, f"{reason}; but {problem}"
    m = watch.measures()
    answer_ms = round(seconds * 1000, 1) if seconds >= 0 else -1
    print("\t".join(str(v) for v in ("measures", name, ENGINE, answer_ms, m["cpu_s"], m["peak_rss_mb"], m["healthz_max_ms"], m["report_max_ms"])))
    print(f"{'PASS' if ok else 'FAIL'} {name}{SUFFIX}: {reason}", flush=True)


# --- the attacks --------------------------------------------------------------------------------

def loki_labels(say):
    labels = {"host": E["HOST"]}
    labels.update({f"l{i:05d}": "v" for i in range(20_000 - 1)})
    base_ns = time.time_ns()
    values = [[str(base_ns + i), f"line {i}"] for i in range(2_000)]
    body = json.dumps({"streams": [{"stream": labels, "values": values}]}).encode()
    say(f"sent: POST /loki/api/v1/push, host token, one stream with {len(labels):,} labels and {len(values):,} entries "
        f"({len(body) / 1000:.0f} KB JSON)")
    answer = request("POST", "/loki/api/v1/push", body, {"Authorization": f"Bearer {E['HOST_TOKEN']}", "Content-Type": "application/json"})
    say(f"answer: {answer}")
    ok = answer.status == 400 and "64" in answer.text(1000) and answer.seconds < 1
    reason = (f"400 naming the 64-label limit in {answer.seconds:.3f} s" if ok else
              f"wanted 400 naming 64 labels within 1 s, got {answer.status} in {answer.seconds:.3f} s")
    return ok, reason, answer.seconds


def nul_details(say):
    observation = {"name": "nul-job", "kind": "heartbeat", "status": "ok", "details": {"output": "a\u0000b", "k\u0000": ["\u0000"]}}
    body = report_body(E["HOST"], [observation])
    say(f"sent: POST /api/v1/report, details {json.dumps(observation['details'])} (JSON escapes \\u0000)")
    answer = request("POST", "/api/v1/report", body, {"Authorization": f"Bearer {E['HOST_TOKEN']}", "Content-Type": "application/json"})
    say(f"answer: {answer}")
    read, check = read_api(f"/api/v1/checks/{quote(E['HOST'])}/nul-job")
    details = (check or {}).get("details")
    say(f"read back: GET /api/v1/checks/{E['HOST']}/nul-job: {read.status}, details {json.dumps(details)}")
    expected = {"output": "a\\x00b", "k\\x00": ["\\x00"]}
    ok = answer.status == 200 and details == expected
    reason = ("200, details stored with \\x00 for the NUL" if ok else
              f"wanted 200 and details {json.dumps(expected)}, got {answer.status} and {json.dumps(details)}")
    return ok, reason, answer.seconds


def ping_create_host(say):
    first = post_report(E["HOST_TOKEN"], E["HOST"], [{"name": "memory", "kind": "memory", "value": 20, "unit": "%"}])
    _, before = read_api(f"/api/v1/checks/{quote(E['HOST'])}/host")
    say(f"before: a report from {E['HOST']} ({first.status}); its 'host' check: kind {(before or {}).get('kind')}")
    path = f"/ping/{E['PING_KEY']}/host?create=1"
    say(f"sent: GET /ping/<ping key of {E['HOST']}>/host?create=1")
    answer = request("GET", path)
    say(f"answer: {answer}")
    read, after = read_api(f"/api/v1/checks/{quote(E['HOST'])}/host")
    kind = (after or {}).get("kind")
    say(f"after: GET /api/v1/checks/{E['HOST']}/host: {read.status}, kind {kind}, every {(after or {}).get('every')}")
    second = request("GET", f"/ping/{E['PING_KEY']}/host")
    say(f"and a plain ping of the slug afterwards: {second}")
    ok = answer.status == 409 and kind not in (None, "heartbeat") and second.status in (404, 409)
    reason = (f"409, the 'host' check is still of kind {kind}" if ok else
              f"wanted 409 and the host check left alone, got {answer.status}, kind {kind}, then {second.status}")
    return ok, reason, answer.seconds


def login_form(conn, path="/login", headers=None):
    answer = request("GET", path, headers=headers, conn=conn)
    cookie = re.search(r"mt_login=([^;]+)", answer.header("set-cookie") or "")
    csrf = re.search(rb'name="_csrf" value="([^"]+)"', answer.body)
    nxt = re.search(rb'name="next" value="([^"]*)"', answer.body)
    return answer, (cookie.group(1) if cookie else None), (csrf.group(1).decode() if csrf else None), (nxt.group(1).decode() if nxt else None)


def post_login(conn, cookie, csrf, email, password, nxt=None, headers=None):
    form = {"_csrf": csrf, "email": email, "password": password}
    if nxt is not None:
        form["next"] = nxt
    hdrs = {"Cookie": f"mt_login={cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    hdrs.update(headers or {})
    return request("POST", "/login", urllib.parse.urlencode(form), hdrs, conn=conn)


def login_next(say):
    conn = http.client.HTTPConnection(ADDR, PORT, timeout=30)
    evil = "/%09/evil.example"
    form, cookie, csrf, nxt = login_form(conn, f"/login?next={evil}")
    say(f"sent: GET /login?next={evil}: {form.status}, the form's next field {nxt!r}")
    answer = post_login(conn, cookie, csrf, E["EMAIL"], E["PASSWORD"], nxt=urllib.parse.unquote(evil))
    session = re.search(r"mt_session=([^;]+)", answer.header("set-cookie") or "")
    say(f"sent: POST /login, right password, next={urllib.parse.unquote(evil)!r} (a tab): {answer.status}, "
        f"Location {answer.header('location')!r} in {answer.seconds * 1000:.0f} ms")
    again = request("GET", f"/login?next={evil}", headers={"Cookie": f"mt_session={session.group(1)}"} if session else {}, conn=conn)
    say(f"sent: GET /login?next={evil} logged in: {again.status}, Location {again.header('location')!r}")
    variants = {}
    for variant in ("//evil.example", "/\\evil.example", "https://evil.example", "/%5Cevil.example"):
        v = request("GET", f"/login?next={urllib.parse.quote(variant, safe='%')}", headers={"Cookie": f"mt_session={session.group(1)}"} if session else {}, conn=conn)
        variants[variant] = v.header("location")
    say(f"other next= values, logged in: {variants}")
    conn.close()
    ok = (answer.status == 303 and answer.header("location") == "/dashboard" and session is not None
          and again.status in (302, 303) and again.header("location") == "/dashboard"
          and all(v == "/dashboard" for v in variants.values()))
    reason = ("Location /dashboard after the login and for the logged-in user" if ok else
              f"wanted 303 to /dashboard twice, got {answer.status} {answer.header('location')!r} and {again.status} {again.header('location')!r}; others {variants}")
    return ok, reason, answer.seconds


def login_throttle(say):
    conn = http.client.HTTPConnection(ADDR, PORT, timeout=30)
    _, cookie, csrf, _ = login_form(conn)
    conn.close()
    barrier = threading.Barrier(30, timeout=30)

    def wrong(i):
        c = http.client.HTTPConnection(ADDR, PORT, timeout=60)
        c.connect()
        barrier.wait()
        return post_login(c, cookie, csrf, E["VICTIM"], f"wrong-password-{i}")

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(wrong, range(30)))
    took = time.perf_counter() - start
    counts = {}
    for a in answers:
        counts[a.status] = counts.get(a.status, 0) + 1
    slowest = max(a.seconds for a in answers)
    say(f"sent: 30 parallel POST /login for {E['VICTIM']} with wrong passwords")
    say(f"answers: {counts} in {took:.2f} s (slowest {slowest:.2f} s)")
    part1 = counts.get(401, 0) <= 6 and counts.get(401, 0) + counts.get(429, 0) == 30

    # Behind a trusted proxy: the address is X-Forwarded-For's, so one client is locked, not all.
    conn = http.client.HTTPConnection(ADDR, PORT, timeout=30)
    statuses = []
    for i in range(21):
        _, cookie, csrf, _ = login_form(conn, headers={"X-Forwarded-For": "203.0.113.7"})
        a = post_login(conn, cookie, csrf, f"guess-{i}-{E['VICTIM']}", "wrong-password", headers={"X-Forwarded-For": "203.0.113.7"})
        statuses.append(a.status)
    say(f"sent: 21 wrong logins (21 emails) with X-Forwarded-For: 203.0.113.7 (TRUSTED_PROXIES=127.0.0.1): {statuses}")
    _, cookie, csrf, _ = login_form(conn, headers={"X-Forwarded-For": "203.0.113.7"})
    locked = post_login(conn, cookie, csrf, E["EMAIL"], E["PASSWORD"], headers={"X-Forwarded-For": "203.0.113.7"})
    say(f"then the right password from 203.0.113.7: {locked.status}, Retry-After {locked.header('retry-after')}")
    _, cookie, csrf, _ = login_form(conn, headers={"X-Forwarded-For": "203.0.113.8"})
    other = post_login(conn, cookie, csrf, E["EMAIL"], E["PASSWORD"], headers={"X-Forwarded-For": "203.0.113.8"})
    say(f"and the right password from 203.0.113.8: {other.status} in {other.seconds * 1000:.0f} ms, Location {other.header('location')!r}")
    conn.close()
    part2 = (all(s in (401, 429) for s in statuses) and statuses.count(401) >= 20 and locked.status == 429 and other.status == 303)
    ok = part1 and part2
    reasons = []
    reasons.append(f"{counts.get(401, 0)} of 30 parallel got 401, {counts.get(429, 0)} got 429" + ("" if part1 else " (wanted ≤ 6 × 401, rest 429)"))
    reasons.append(f"203.0.113.7 locked ({locked.status}), 203.0.113.8 logged in ({other.status})" if part2 else
                   f"wanted 203.0.113.7 locked after 20 × 401 and 203.0.113.8 let in, got {statuses.count(401)} × 401, then {locked.status} and {other.status}")
    return ok, "; ".join(reasons), slowest


def heartbeat(name):
    answer = request("POST", "/api/v1/heartbeats", json.dumps({"host": E["HOST"], "name": name, "every": "1h", "grace": "1h"}),
                     {"Authorization": f"Bearer {E['ALL_TOKEN']}", "Content-Type": "application/json"})
    if answer.status not in (200, 201):
        raise RuntimeError(f"POST /api/v1/heartbeats: {answer}")
    return json.loads(answer.body)["pingId"]


def pings(count, ping_id, threads=8):
    body = b"x" * 102_400
    local = threading.local()

    def one(i):
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection(ADDR, PORT, timeout=30)
        return request("POST", f"/ping/{ping_id}", body, {"Content-Type": "text/plain"}, conn=local.conn)

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        answers = list(pool.map(one, range(count)))
    return answers, time.perf_counter() - start


def ping_flood(say):
    ping_id = heartbeat("flood-job")
    with open(E["PING_ID_FILE"], "w") as f:
        f.write(ping_id)
    answers, took = pings(200, ping_id)
    counts = {}
    for a in answers:
        counts[a.status] = counts.get(a.status, 0) + 1
    limited = [a for a in answers if a.status == 429]
    say(f"sent: 200 POST /ping/<uuid of {E['HOST']}/flood-job> with 102,400-byte bodies, 8 connections")
    say(f"answers: {counts} in {took:.2f} s; slowest {max(a.seconds for a in answers) * 1000:.0f} ms; "
        f"a 429 says {limited[0].text(40)!r}" if limited else f"answers: {counts} in {took:.2f} s")
    allowed = counts.get(200, 0)
    ok = 30 <= allowed <= 30 + int(took) + 1 and allowed + len(limited) == 200
    reason = (f"{allowed} accepted (the burst of 30, plus one a second), {len(limited)} got 429" if ok else
              f"wanted 30 (+1/s) accepted and the rest 429, got {counts}")
    with open(E["PING_ID_FILE"] + ".accepted", "w") as f:
        f.write(str(allowed))
    return ok, reason, max(a.seconds for a in answers)


def ping_burst(count):
    """No watch: between restarts of the backend (whose rate limit lives in memory)."""
    ping_id = open(E["PING_ID_FILE"]).read().strip()
    answers, took = pings(count, ping_id, threads=4)
    allowed = sum(1 for a in answers if a.status == 200)
    print(f"   after a restart: {count} more pings, {allowed} accepted, {sum(1 for a in answers if a.status == 429)} got 429 ({took:.2f} s)")
    print(f"accepted {allowed}")


def check_limit(say):
    answers = []
    say(f"sent: 5 POST /api/v1/report from {E['INVENTOR']}'s own token, each 1,000 new gauges (g<report>_<n>)")
    for r in range(5):
        observations = [{"name": f"g{r}_{n:04d}", "kind": "gauge", "value": n} for n in range(1000)]
        answer = post_report(E["INVENTOR_TOKEN"], E["INVENTOR"], observations)
        answers.append(answer)
        say(f"report {r + 1}: {answer}")
    read, data = read_api(f"/api/v1/checks?host={quote(E['INVENTOR'])}")
    checks = [c for c in (data or {}).get("checks", []) if c.get("host") == E["INVENTOR"]]
    own = [c for c in checks if c["name"] != "host"]
    say(f"then GET /api/v1/checks?host={E['INVENTOR']}: {read.status}, {len(checks)} checks ({len(own)} besides 'host')")
    refused = all(a.status == 422 and "MAX_CHECKS_PER_HOST" in a.text(1000) for a in answers[1:])
    ok = answers[0].status == 200 and refused and read.status == 200 and len(own) <= 1000
    reason = (f"the first stored, the other four 422 naming MAX_CHECKS_PER_HOST; {len(own)} checks" if ok else
              f"wanted 200 then 4 × 422 naming MAX_CHECKS_PER_HOST and ≤ 1000 checks, got {[a.status for a in answers]} and {len(own)}")
    return ok, reason, max(a.seconds for a in answers[1:])


def accept_queue():
    """Connections the kernel holds for the backend's listening socket that it has not accepted yet
    (/proc/net/tcp's rx_queue of the LISTEN row); while that queue is full, new connections wait for a
    SYN retransmit (1 s), whatever the backend does."""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] == f"0100007F:{PORT:04X}" and fields[3] == "0A":
                return int(fields[4].split(":")[1], 16)
    return 0


def half_open(say):
    idle = float(E.get("IDLE_TIMEOUT", "3"))
    head = f"GET /api/v1/hosts HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nUser-Agent: slow\r\n".encode()  # no blank line: never ends
    sockets, failed, start, opened_at = [], [], time.time(), {}
    while len(sockets) + len(failed) < 2000 and time.time() - start < 30:
        s = socket.socket()
        s.settimeout(5)
        try:
            s.connect((ADDR, PORT))
            s.sendall(head)
            s.setblocking(False)
            opened_at[s] = time.time()
            sockets.append(s)
        except OSError as error:
            failed.append(str(error))
            s.close()
    peak_queue, waited = accept_queue(), time.time()
    while accept_queue() > 0 and time.time() - waited < 10:
        time.sleep(0.02)
    opened = time.time()
    WINDOW.update(start=opened, setup="the connections were opened and accepted", during="while all were held")
    say(f"sent: {len(sockets)} connections, each a request head that never ends ({len(head)} bytes, no blank line), "
        f"opened in {waited - start:.2f} s; the backend's accept queue then {peak_queue}, empty {opened - waited:.2f} s later"
        + (f"; {len(failed)} failed to open: {failed[0]}" if failed else ""))
    health = request("GET", "/healthz", timeout=10)
    report = post_report(E["BYSTANDER_TOKEN"], E["BYSTANDER"], [{"name": "memory", "kind": "memory", "value": 33, "unit": "%"}])
    say(f"while all are held: GET /healthz {health}; the other host's report {report.status} in {report.seconds * 1000:.1f} ms")
    selector = selectors.DefaultSelector()
    for s in sockets:
        selector.register(s, selectors.EVENT_READ)
    closed, answered, deadline = {}, 0, opened + idle + 10
    while len(closed) < len(sockets) and time.time() < deadline:
        for key, _ in selector.select(timeout=0.5):
            try:
                data = key.fileobj.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if data:
                answered += 1
                continue
            closed[key.fileobj] = time.time() - opened_at[key.fileobj]
            selector.unregister(key.fileobj)
    times = sorted(closed.values())
    all_closed_by = max((opened_at[s] + t for s, t in closed.items()), default=opened) - opened
    for s in sockets:
        s.close()
    if times:
        say(f"closed by the backend: {len(times)} of {len(sockets)}, {times[0]:.1f} s to {times[-1]:.1f} s after each was opened "
            f"(HTTP_IDLE_TIMEOUT={idle:g}s), all by {all_closed_by:.1f} s after the last was opened; {answered} got bytes before the close")
    else:
        say(f"closed by the backend: none within {idle + 10:g} s")
    ok = (not failed and len(sockets) == 2000 and health.status == 200 and report.status == 200 and len(times) == len(sockets)
          and times[0] >= idle * 0.8 and all_closed_by <= idle + 3)
    reason = (f"/healthz {health.status} in {health.seconds * 1000:.0f} ms with 2,000 held; none closed before {times[0]:.1f} s, "
              f"all {all_closed_by:.1f} s after the last was opened" if ok else
              f"wanted 2,000 held, /healthz 200, none closed before {idle * 0.8:g} s and all within {idle + 3:g} s of the last opened; "
              f"held {len(sockets)}, /healthz {health.status}, closed {len(times)}" + (f", {times[0]:.1f}–{all_closed_by:.1f} s" if times else ""))
    return ok, reason, health.seconds


def token_guess(say):
    rng = random.Random(7)
    tokens = ["mt_" + "".join(rng.choice("0123456789abcdef") for _ in range(64)) for _ in range(10_000)]
    body = report_body("guessed-host", [{"name": "memory", "kind": "memory", "value": 1, "unit": "%"}]).encode()
    local = threading.local()

    def one(token):
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection(ADDR, PORT, timeout=30)
        return request("POST", "/api/v1/report", body, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, conn=local.conn)

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(one, tokens))
    took = time.perf_counter() - start
    counts = {}
    for a in answers:
        counts[a.status] = counts.get(a.status, 0) + 1
    ms = sorted(a.seconds * 1000 for a in answers)
    say(f"sent: 10,000 POST /api/v1/report, each with a different unknown token (mt_ + 64 hex), 16 keep-alive connections")
    say(f"answers: {counts} in {took:.1f} s ({len(answers) / took:.0f}/s); p50 {ms[len(ms) // 2]:.1f} ms, max {ms[-1]:.1f} ms")
    real = post_report(E["BYSTANDER_TOKEN"], E["BYSTANDER"], [{"name": "memory", "kind": "memory", "value": 34, "unit": "%"}])
    say(f"then the other host's real token: {real}")
    ok = set(counts) <= {401, 503} and real.status == 200 and real.seconds < PROBE_MAX_MS / 1000
    reason = (f"every guess 401 or 503 ({counts.get(401, 0)} × 401, {counts.get(503, 0)} × 503), the real token then "
              f"{real.status} in {real.seconds * 1000:.1f} ms" if ok else
              f"wanted only 401/503 and the real token fast, got {counts} and {real.status} in {real.seconds * 1000:.0f} ms")
    return ok, reason, real.seconds


def ping_cache_control(say):
    expected = "max-age=0, no-cache, no-store, must-revalidate, private"
    answers = {}
    slug = f"cache-{uuid.uuid4().hex[:8]}"
    answers["create (201)"] = request("GET", f"/ping/{E['PING_KEY']}/{slug}?create=1")
    answers["success GET"] = request("GET", f"/ping/{E['PING_KEY']}/{slug}")
    answers["HEAD"] = request("HEAD", f"/ping/{E['PING_KEY']}/{slug}/start")
    answers["POST fail"] = request("POST", f"/ping/{E['PING_KEY']}/{slug}/fail", "boom")
    answers["unknown uuid (404)"] = request("GET", f"/ping/{uuid.uuid4()}")
    answers["bad exit status (400)"] = request("GET", f"/ping/{E['PING_KEY']}/{slug}/256")
    answers["create=1 of 'host' (409)"] = request("GET", f"/ping/{E['PING_KEY']}/host?create=1")
    for _ in range(40):
        a = request("GET", f"/ping/{E['PING_KEY']}/{slug}")
        if a.status == 429:
            answers["rate limited (429)"] = a
            break
    say(f"sent: pings by slug {slug} (ping key of {E['HOST']}): create, success, HEAD start, POST fail, an unknown uuid, exit 256, create 'host', then until 429")
    wrong = []
    for label, a in answers.items():
        cc = a.header("cache-control")
        say(f"{label}: {a.status}, Cache-Control {cc!r}")
        if cc != expected:
            wrong.append(f"{label} ({a.status}): {cc!r}")
    ok = not wrong and "rate limited (429)" in answers
    reason = (f"all {len(answers)} answers (200, 201, 400, 404, 409, 429) carry Cache-Control: {expected}" if ok else
              f"missing or different Cache-Control: {wrong or 'no 429 reached'}")
    return ok, reason, answers["success GET"].seconds


def clock_ahead(say):
    host = E["CLOCK_HOST"]
    ahead = post_report(E["ALL_TOKEN"], host, [{"name": "disk:/", "kind": "disk", "value": 40, "unit": "%"}], sent_at=now_text(3600))
    say(f"sent: a report for {host} stamped 1 hour ahead ({now_text(3600)}), disk:/ at 40 %: {ahead}")
    _, hosts = read_api("/api/v1/hosts")
    first_offset = next((h for h in (hosts or {}).get("hosts", []) if h.get("name") == host), {}).get("clockOffset")
    say(f"GET /api/v1/hosts: {host}'s clockOffset {first_offset!r}")
    time.sleep(1.1)
    right = post_report(E["ALL_TOKEN"], host, [{"name": "disk:/", "kind": "disk", "value": 95, "unit": "%"}])
    say(f"sent: a correctly stamped report ({now_text()}), disk:/ at 95 %: {right}")
    read, check = read_api(f"/api/v1/checks/{quote(host)}/disk:%2F")
    value = (check or {}).get("value")
    say(f"GET /api/v1/checks/{host}/disk:%2F: {read.status}, value {value}, state {(check or {}).get('state')}, observedAt {(check or {}).get('observedAt')}")
    hosts_answer, hosts = read_api("/api/v1/hosts")
    entry = next((h for h in (hosts or {}).get("hosts", []) if h.get("name") == host), {})
    offset = entry.get("clockOffset")
    say(f"GET /api/v1/hosts: {hosts_answer.status}, {host}'s clockOffset {offset!r}")
    ok = (ahead.status == 200 and right.status == 200 and value == 95 and isinstance(first_offset, (int, float))
          and first_offset > 3000 and isinstance(offset, (int, float)))
    reason = (f"the check shows 95; clockOffset {first_offset:.0f} s after the report ahead, {offset:.1f} s after the right one" if ok else
              f"wanted the check at 95 and a clockOffset near 3600 s, got value {value}, clockOffset {first_offset!r} then {offset!r}")
    return ok, reason, right.seconds


def sender(binary, trees):
    print("== sender-odd-mounts: metrics-sender collect --dry-run --root TREE on mounts with a tab, a newline, non-UTF-8 bytes, 250-character paths")
    problems = []
    for tree in trees:
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run([binary, "collect", "--dry-run", "--root", tree, "--host", "fixture"], capture_output=True, timeout=30,
                              env={"PATH": "/usr/bin:/bin", "METRICS_STATE_DIR": tempfile.mkdtemp(prefix="attack-sender-")})
        took = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            report = json.loads(done.stdout)
            names = [o["name"] for o in report["observations"]]
        except (ValueError, KeyError, TypeError) as error:
            report, names = None, []
            problems.append(f"{tree}: invalid JSON ({error})")
        tabbed = [o for o in (report or {}).get("observations", []) if "\\x09" in o["name"]]
        lines = open(os.path.join(tree, "proc/self/mountinfo"), "rb").read().count(b"\n")
        print(f"   sent: {os.path.basename(tree)}: {lines} mountinfo lines")
        print(f"   answer: exit {done.returncode} in {took * 1000:.0f} ms (user+sys {after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime:.3f} s, "
              f"max RSS of the children so far {after.ru_maxrss / 1024:.1f} MB), {len(done.stdout)} bytes of JSON, "
              f"{len(names)} observations, stderr {done.stderr.decode(errors='replace').strip()[:200]!r}")
        for o in tabbed:
            print(f"   the tab mount: {json.dumps(o)[:300]}")
        if done.returncode != 0:
            problems.append(f"{tree}: exit {done.returncode}")
        if not tabbed:
            problems.append(f"{tree}: no observation for the mount with a tab")
        if os.path.basename(tree) == "tab-measured" and tabbed and tabbed[0].get("value") is None:
            problems.append("the tab mount that exists was not measured")
    print(f"measures\tsender-odd-mounts\t-\t{took * 1000:.1f}\t-1\t-1\t-1\t-1")
    if problems:
        print("FAIL sender-odd-mounts: " + "; ".join(problems))
    else:
        print("PASS sender-odd-mounts: exit 0 and valid JSON; the tab is kept as \\x09 in a valid name, the existing mount measured")


ATTACKS = {
    "loki-labels": ("a Loki push with 20,000 labels and 2,000 entries from a host token", loki_labels),
    "nul-details": ("a report whose details contain \\u0000", nul_details),
    "ping-create-host": ("GET /ping/<ping-key>/host?create=1", ping_create_host),
    "login-next": ("/login?next=/%09/evil.example, logged out and logged in", login_next),
    "login-throttle": ("30 parallel wrong passwords for one email; one address behind a trusted proxy", login_throttle),
    "ping-flood": ("200 pings with 100 kB bodies to one ping URL", ping_flood),
    "check-limit": ("one host token, five reports of 1,000 invented gauges", check_limit),
    "half-open": ("2,000 connections holding a request head that never ends", half_open),
    "token-guess": ("10,000 distinct well-formed unknown bearer tokens", token_guess),
    "ping-cache-control": ("Cache-Control on ping answers", ping_cache_control),
    "clock-ahead": ("a report stamped 1 hour ahead, then a correct one", clock_ahead),
}

if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    what = sys.argv[1]
    if what == "probe":
        probe_main(sys.argv[2], sys.argv[3])
    elif what == "sender":
        sender(sys.argv[2], sys.argv[3:])
    elif what == "ping-burst":
        ping_burst(int(sys.argv[2]))
    elif what in ATTACKS:
        title, attack = ATTACKS[what]
        run(what, title, attack)
    else:
        raise SystemExit(__doc__)

#!/usr/bin/env python3
"""The pages in a real headless Chromium against a real metrics-backend (embedded SQLite).

Logs in, finds the degraded RAID alert first, silences it, opens the host page, filters the
journal by host and text, pages to older entries, expands a row, sees the maintenance windows,
sends a test message to a webhook channel, and logs out. Saves screenshots of the dashboard,
host page and journal. Exits 1 on the first failed step.
"""
import http.server, json, os, queue, shutil, subprocess, sys, tempfile, threading, time, traceback, urllib.error, urllib.request
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BACKEND = os.path.abspath(os.path.join(ROOT, os.environ.get("METRICS_BACKEND", ".build/debug/metrics-backend")))
SHOTS = os.path.abspath(os.path.join(ROOT, os.environ.get("E2E_SCREENSHOTS", "test-results/screenshots")))
EMAIL, PASSWORD = "e2e@example.com", "correct horse battery"
BOOT = "0f5c1a2b3c4d4e5f8a9b0c1d2e3f4a5b"

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    print("FAIL setup: selenium is not installed (python3 -m pip install 'selenium>=4.15,<5')")
    sys.exit(1)


class Backend:
    def __init__(self):
        self.data = tempfile.mkdtemp(prefix="e2e-")
        # A fresh environment: no DATABASE_URL / JOURNAL_DATABASE_URL, so the embedded SQLite under DATA_DIR.
        self.env = {"PATH": "/usr/bin:/bin", "DATA_DIR": self.data, "LOG_LEVEL": "warning"}
        assert "DATABASE_URL" not in self.env and "JOURNAL_DATABASE_URL" not in self.env
        # A maintenance window for /maintenance, and a webhook channel for /channels' test button.
        rules = os.path.join(self.data, "rules.toml")
        with open(rules, "w") as f:
            f.write('[maintenance."nightly-backup"]\ncron = "0 3 * * *"\nduration = "1h"\ntimezone = "Europe/Berlin"\nhosts = ["backup-*"]\n')
        self.env["ALERT_RULES_FILE"] = rules
        self.hooks = []
        hooks = self.hooks

        class Hook(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                hooks.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0")))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.hook_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        threading.Thread(target=self.hook_server.serve_forever, daemon=True).start()
        self.env["WEBHOOK_URL"] = f"http://127.0.0.1:{self.hook_server.server_address[1]}/hook"
        self.err = open(os.path.join(self.data, "stderr.log"), "w+")
        self.process = None

    def run(self, args, stdin=None):
        out = subprocess.run([BACKEND] + args, input=stdin, env=self.env, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise AssertionError(f"metrics-backend {' '.join(args)} exited {out.returncode}: {out.stderr.strip()}")
        return out.stdout.strip()

    def start(self):
        self.process = subprocess.Popen([BACKEND, "serve", "--hostname", "127.0.0.1", "--port", "0"], env=self.env,
                                        stdout=subprocess.PIPE, stderr=self.err, text=True)
        lines = queue.Queue()

        def drain():  # keeps reading so the pipe never fills
            for out in self.process.stdout:
                lines.put(out)
            lines.put(None)
        threading.Thread(target=drain, daemon=True).start()
        deadline = time.time() + 60
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.time()))
            except queue.Empty:
                raise AssertionError("the backend printed no 'listening on' line within 60 s")
            if line is None:
                raise AssertionError(f"the backend exited ({self.process.wait()}) before listening")
            if "metrics-backend listening on http://" in line:
                self.base = line.split("listening on ")[1].strip()
                return

    def stop(self):
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def stderr_tail(self):
        self.err.seek(0)
        return "".join(self.err.readlines()[-30:])

    def post(self, path, body, token, content_type="application/json"):
        request = urllib.request.Request(self.base + path, data=body.encode(), method="POST",
                                         headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                assert 200 <= response.status < 300, f"POST {path}: {response.status}"
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise AssertionError(f"POST {path}: {error.code} {error.read()[:500]!r}") from None


def parse_iso(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def iso(seconds):
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def report(host, sent_at, degraded):
    raid_status = "degraded" if degraded else "ok"
    members = [{"device": "sda1", "slot": 0, "state": "active"},
               {"device": "sdb1", "slot": 1, "state": "faulty" if degraded else "active"}]
    return json.dumps({"version": 1, "host": host, "sentAt": iso(sent_at), "observations": [
        {"name": "memory", "kind": "memory", "value": 42.5, "unit": "%"},
        {"name": "disk:/", "kind": "disk", "value": 55 + (sent_at % 7), "unit": "%"},
        {"name": "raid:md0", "kind": "raid", "status": raid_status, "details": {
            "level": "raid1", "disksRequired": 2, "disksActive": 1 if degraded else 2, "disksFailed": 1 if degraded else 0, "members": members}},
    ]})


def journal_lines(host, count, start_seq):
    now = time.time()
    lines = []
    for i in range(count):
        seq = start_seq + i
        at = int((now - 1700 + i * 10) * 1_000_000)
        message = f"request {seq} needle-42 served" if i % 2 == 0 else f"request {seq} plain"
        cursor = f"s=5d1f0b6e2a3c4b5d8e9f0a1b2c3d4e5f;i={seq:x};b={BOOT};m={seq * 1000:x};t={at:x};x=abcdef0123456789"
        lines.append(json.dumps({"realtimeUsec": at, "cursor": cursor, "bootId": BOOT, "unit": "app.service", "identifier": "app",
                                 "pid": 42, "priority": 6 if i % 5 else 3, "transport": "journal", "message": message}))
    return "\n".join(lines) + "\n"


JOURNAL = (("db-1", 160, 1), ("web-1", 40, 1000))  # every other line says needle-42, web-1's too (the host filter must drop them)
NEEDLES_DB1 = (JOURNAL[0][1] + 1) // 2


def seed(backend, token):
    for round in range(2):  # two reports each, a few seconds apart, so the charts have two samples
        if round:
            time.sleep(3)
        now = int(time.time())
        backend.post("/api/v1/report", report("db-1", now, True), token)
        for host in ("web-1", "web-2"):
            backend.post("/api/v1/report", report(host, now, False), token)
    for host, count, start in JOURNAL:
        answer = backend.post(f"/api/v1/journal?host={host}", journal_lines(host, count, start), token, "application/x-ndjson")
        assert answer.get("stored") == count, f"journal for {host}: {answer}"


def main():
    for path in (BACKEND, "/usr/bin/chromium", os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")):
        if not os.path.exists(path):
            print(f"FAIL setup: {path} is missing (scripts/install-deps chromium chromium-driver; swift build)")
            return 1
    os.makedirs(SHOTS, exist_ok=True)
    backend = Backend()
    driver = None
    step = "setup"
    try:
        step = "create the user and the token"
        backend.run(["user", "add", EMAIL], stdin=PASSWORD + "\n")
        token = backend.run(["token", "create", "--all-hosts"])
        step = "start the backend"
        backend.start()
        step = "seed reports and journal over HTTP"
        seed(backend, token)
        step = "start headless chromium"
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
        base = backend.base
        path = lambda: driver.current_url.split(base, 1)[-1]

        def until(condition, what):
            WebDriverWait(driver, 15).until(condition, f"waited 15 s for {what}; at {driver.current_url}")

        def shot(name):
            file = os.path.join(SHOTS, name + ".png")
            driver.save_screenshot(file)
            print(f"screenshot: {file}")

        def passed(text):
            print(f"ok   {text}")

        step = "log in"
        driver.get(base + "/dashboard")
        until(lambda d: path().startswith("/login"), "/dashboard without a session to land on /login")
        driver.find_element(By.ID, "email").send_keys(EMAIL)
        driver.find_element(By.ID, "password").send_keys("wrong password")
        driver.find_element(By.ID, "login-submit").click()
        until(lambda d: d.find_elements(By.ID, "login-error"), "#login-error after a wrong password")
        assert path().startswith("/login"), f"a wrong password left the login page: {driver.current_url}"
        assert driver.find_element(By.ID, "login-error").is_displayed(), "#login-error is hidden"
        driver.find_element(By.ID, "email").clear()
        driver.find_element(By.ID, "email").send_keys(EMAIL)
        driver.find_element(By.ID, "password").clear()
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.ID, "login-submit").click()
        until(lambda d: path().startswith("/dashboard"), "the right password to land on /dashboard")
        passed("a wrong password is refused; the right one lands on the dashboard")

        step = "the degraded RAID alert comes first"
        first = driver.find_element(By.CSS_SELECTOR, "#checks tbody tr")
        seen = f"first row: {first.get_attribute('outerHTML')[:300]}"
        assert first.get_attribute("data-state") == "alert", seen
        assert first.get_attribute("data-host") == "db-1", seen
        assert first.get_attribute("data-name").startswith("raid:"), seen
        assert "degraded" in first.text, seen
        shot("dashboard")
        passed("the first row is db-1's degraded RAID, alerting")

        first_name = first.get_attribute("data-name")
        step = "silence it"
        first.find_element(By.CSS_SELECTOR, "details.menu > summary").click()
        first.find_element(By.CSS_SELECTOR, "form.silence button.silence-1h").click()
        until(lambda d: d.find_elements(By.ID, "notice"), "#notice after silencing")
        notice = driver.find_element(By.ID, "notice").text
        assert "Silenced" in notice, f"#notice says {notice!r}"
        name = first_name
        row = driver.find_element(By.CSS_SELECTOR, f'#checks tr[data-host="db-1"][data-name="{name}"]')
        assert row.find_elements(By.CSS_SELECTOR, ".silenced"), row.get_attribute("outerHTML")[:400]
        passed("silenced for 1 h, and the row says so")

        step = "the host page"
        row.find_element(By.CSS_SELECTOR, "td.host a").click()
        until(lambda d: d.find_elements(By.ID, "host-name"), "the host page's #host-name")
        host_name = driver.find_element(By.ID, "host-name").text
        assert host_name == "db-1", f"#host-name is {host_name!r}"
        raids = driver.find_elements(By.ID, "raids")
        assert raids, "no #raids section"
        members = {li.text.split()[0]: li.get_attribute("class") or "" for li in raids[0].find_elements(By.CSS_SELECTOR, "ul.members li")}
        assert set(members) == {"sda1", "sdb1"}, f"#raids members: {members} ({raids[0].text!r})"
        assert "failed" in members["sdb1"] and "failed" not in members["sda1"], f"the faulty member is not marked: {members}"
        assert driver.find_elements(By.CSS_SELECTOR, "#charts svg.chart"), "no #charts svg.chart"
        shot("host")
        passed("the host page shows the array's members and charts")

        step = "filter the journal by host and text"
        driver.get(base + "/journal")
        for field, text in (("filter-host", "db-1"), ("filter-text", "needle-42")):
            driver.find_element(By.ID, field).clear()
            driver.find_element(By.ID, field).send_keys(text)
        Select(driver.find_element(By.CSS_SELECTOR, "select[name=limit]")).select_by_value("50")
        driver.find_element(By.ID, "journal-search").click()
        until(lambda d: "q=needle-42" in d.current_url, "the search to load")

        def check_rows(rows):
            for r in rows:
                host = r.find_element(By.CSS_SELECTOR, "td.host").text
                text = r.find_element(By.CSS_SELECTOR, ".message .text").get_attribute("textContent")
                assert host == "db-1" and "needle-42" in text, f"row {r.get_attribute('data-id')}: {host!r} {text!r}"
            times = [parse_iso(r.find_element(By.CSS_SELECTOR, "time[datetime]").get_attribute("datetime")) for r in rows]
            assert times == sorted(times, reverse=True), f"a page is not newest first: {[t.isoformat() for t in times]}"
            return [r.get_attribute("data-id") for r in rows], times

        rows = driver.find_elements(By.CSS_SELECTOR, "#journal tbody tr[data-id]")
        assert len(rows) == 50, f"{len(rows)} rows, not 50"
        first_ids, first_times = check_rows(rows)
        assert len(set(first_ids)) == 50, "a row repeated within the page"
        shot("journal")
        passed("50 entries, all db-1 and all containing needle-42")

        step = "page to older entries"
        driver.find_element(By.ID, "page-older").click()
        until(lambda d: "before=" in d.current_url, "the older page (before= in the URL)")
        older = driver.find_elements(By.CSS_SELECTOR, "#journal tbody tr[data-id]")
        assert 0 < len(older) <= 50, f"{len(older)} older rows"
        older_ids, older_times = check_rows(older)
        repeated = set(older_ids) & set(first_ids)
        assert not repeated, f"rows on both pages: {sorted(repeated)}"
        assert max(older_times) < first_times[-1], f"older page reaches {max(older_times)}, first page ends at {first_times[-1]}"
        assert len(first_ids) + len(older_ids) == NEEDLES_DB1, f"{len(first_ids)} + {len(older_ids)} rows, not the {NEEDLES_DB1} seeded"
        passed(f"the older page has {len(older)} further entries, none repeated")

        step = "expand a row"
        older[0].find_element(By.CSS_SELECTOR, "details summary").click()
        fields = older[0].find_element(By.CSS_SELECTOR, "dl.fields")
        until(lambda d: fields.is_displayed(), "dl.fields to show")
        assert "cursor" in fields.text
        passed("a row expands to its fields")

        step = "see the maintenance windows"
        driver.get(base + "/maintenance")
        until(lambda d: "nightly-backup" in d.page_source, "/maintenance to list nightly-backup")
        assert "Europe/Berlin" in driver.page_source, "the window's time zone is not shown"
        passed("/maintenance lists the rules file's window")

        step = "send a test message from the Channels page"
        driver.get(base + "/channels")
        row = driver.find_element(By.XPATH, "//table[@id='channels']//tr[td/code[text()='webhook']]")
        row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        until(lambda d: d.find_elements(By.ID, "notice"), "#notice after the test message")
        notice = driver.find_element(By.ID, "notice").text
        assert "Sent a test message to webhook" in notice, f"#notice says {notice!r}"
        # The webhook also gets the seeded alerts; the test message is the one from metrics-backend.
        tests = [hook for hook in backend.hooks if hook.get("host") == "metrics-backend" and hook.get("check") == "test"]
        assert len(tests) == 1, f"the webhook got {len(tests)} test messages among {len(backend.hooks)} requests"
        passed("the test button sent one message to the webhook")

        step = "log out"
        driver.find_element(By.ID, "logout").click()
        until(lambda d: path().startswith("/login"), "/login after logging out")
        driver.get(base + "/dashboard")
        until(lambda d: path().startswith("/login"), "/dashboard after logout to redirect to /login")
        passed("logged out, and the dashboard sends back to login")
        return 0
    except Exception as error:
        reason = str(error).strip() or repr(error)
        print(f"FAIL {step}: {type(error).__name__}: {reason}")
        traceback.print_exc()
        if driver:
            try:
                file = os.path.join(SHOTS, "failure.png")
                driver.save_screenshot(file)
                print(f"screenshot: {file}")
                print("url:", driver.current_url)
            except Exception:
                pass
        print("backend stderr (tail):\n" + backend.stderr_tail())
        return 1
    finally:
        if driver:
            driver.quit()
        backend.stop()
        shutil.rmtree(backend.data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

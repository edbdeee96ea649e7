"""A proxy on loopback in front of a real metrics-backend that injects the faults a network and a
crashing backend cause. Usage: fault_proxy.py DIR BACKEND_PORT PLAN
PLAN is a comma-separated list, one word per POST in order; the last word repeats:
  pass      forward and relay the answer
  lost-ack  forward (the backend commits), then answer 500 as if the reply was lost
  fail      answer 500 without forwarding
  fail-until-healed  answer 500 until the file DIR/healed exists, then pass
  poison=MARKER  answer 503 without forwarding when the body contains MARKER, else pass
                 (a report the backend keeps refusing while later ones go through)
  slow-poison=MARKER  the same, but answer after 2 s (a batch whose failure comes after
                 later batches were acknowledged)
It writes DIR/port once listening, appends each request's outcome to DIR/log, and records each
request (path, headers, gunzipped body) as a JSON line in DIR/requests.jsonl."""
import gzip
import http.client
import json
import http.server
import os
import sys
import time

import port_file  # noqa: E402  (beside this script)

os.closerange(3, 65536)  # tests run in parallel: keep no other test's pipe open
directory, backend_port, plan = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global count
        word = plan[min(count, len(plan) - 1)]
        count += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if word == "fail-until-healed":
            word = "pass" if os.path.exists(os.path.join(directory, "healed")) else "fail"
        plain = gzip.decompress(body) if self.headers.get("Content-Encoding") == "gzip" else body
        if word.startswith("poison="):
            word = "poisoned" if word[len("poison="):].encode() in plain else "pass"
        if word.startswith("slow-poison="):
            word = "slow-poisoned" if word[len("slow-poison="):].encode() in plain else "pass"
        with open(os.path.join(directory, "log"), "a") as f:
            f.write(word + "\n")
        record = {"path": self.path, "headers": dict(self.headers), "body": plain.decode("utf-8", "replace")}
        with open(os.path.join(directory, "requests.jsonl"), "a") as f:
            f.write(json.dumps(record) + "\n")
        if word == "fail":
            return self.reply(500, b'{"error": "injected failure"}')
        if word == "poisoned":
            return self.reply(503, b'{"error": "injected: this report is poison"}')
        if word == "slow-poisoned":
            time.sleep(2)
            return self.reply(503, b'{"error": "injected: this batch is poison"}')
        connection = http.client.HTTPConnection("127.0.0.1", backend_port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        connection.request("POST", self.path, body=body, headers=headers)
        answer = connection.getresponse()
        data = answer.read()
        if word == "lost-ack":
            return self.reply(500, b'{"error": "injected: the reply was lost"}')
        self.reply(answer.status, data)

    def reply(self, status, data):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


port_file.serve(directory, Handler)

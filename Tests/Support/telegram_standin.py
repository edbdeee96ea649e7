"""A stand-in for Telegram's Bot API on loopback, for tests and bench/alerts.sh (the real API is
not reachable here); any other POST path is a generic webhook, and a GET is recorded as a ping
(SELF_HEARTBEAT_URL). Usage: telegram_standin.py DIR
It answers POST /bot<token>/sendMessage as Telegram does, in the mode named by the file DIR/mode
(read on every request, so a test can change it while the backend runs):
  ok        200 {"ok": true, ...}
  500       500, as an overloaded API does
  429 N     429 with parameters.retry_after = N
  hang      no answer for 30 s
  400       400 "chat not found" (final)
An optional DIR/fail-first N answers 500 to the first N requests whatever the mode.
In every mode it keeps Telegram's documented limits on sendMessage (core.telegram.org/bots/faq,
"My bot is hitting limits"): at most one message a second in a private chat, at most 20 a minute
in a group (a chat id starting with "-"), answered with 429 and parameters.retry_after; and
text of 1 to 4096 characters, answered with 400 "message is too long".
It writes DIR/port once listening and appends every request, with the status it got and its
arrival time, as a JSON line to DIR/messages.jsonl."""
import json
import http.server
import os
import sys
import threading
import time

import port_file  # noqa: E402  (beside this script)

os.closerange(3, 65536)  # tests run in parallel: keep no other test's pipe open
directory = sys.argv[1]
lock = threading.Lock()
count = 0
sent = {}  # chat id -> arrival times of accepted messages


def over_limit(chat, now):
    """Seconds until the chat may get another message, or 0."""
    group = str(chat).startswith("-")
    window, most = (60.0, 20) if group else (1.0, 1)
    # A little slack for clock jitter between the sender's timer and our arrival times.
    recent = [t for t in sent.get(chat, []) if now - t < window - 0.05]
    sent[chat] = recent
    if len(recent) < most:
        return 0
    return max(1, int(recent[0] + window - now + 0.999))


def read(name, default):
    try:
        with open(os.path.join(directory, name)) as f:
            return f.read().strip() or default
    except FileNotFoundError:
        return default


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global count
        arrived = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            count += 1
            number = count
        mode = read("mode", "ok")
        if number <= int(read("fail-first", "0")):
            mode = "500"
        try:
            message = json.loads(body)
        except ValueError:
            message = None
        limited = 0
        if isinstance(message, dict) and self.path.endswith("/sendMessage") and mode == "ok":
            text = message.get("text")
            if not isinstance(text, str) or not 1 <= len(text) <= 4096:
                mode = "too-long"
            else:
                with lock:
                    limited = over_limit(message.get("chat_id"), arrived)
                    if not limited:
                        sent.setdefault(message.get("chat_id"), []).append(arrived)
        if not isinstance(message, dict):
            status, answer = 400, {"ok": False, "error_code": 400, "description": "Bad Request: not a JSON object"}
        elif mode == "too-long":
            status, answer = 400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
        elif limited:
            status, answer = 429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {limited}",
                                   "parameters": {"retry_after": limited}}
        elif mode == "hang":
            time.sleep(30)
            status, answer = 500, {"ok": False, "error_code": 500, "description": "hung"}
        elif mode == "500":
            status, answer = 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        elif mode.startswith("429"):
            wait = int(mode.split()[1]) if len(mode.split()) > 1 else 1
            status, answer = 429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {wait}",
                                   "parameters": {"retry_after": wait}}
        elif mode == "400":
            status, answer = 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
        else:
            status, answer = 200, {"ok": True, "result": {"message_id": number, "date": int(arrived)}}
        record = {"path": self.path, "method": "POST", "status": status, "at": arrived, "message": message}
        with lock, open(os.path.join(directory, "messages.jsonl"), "a") as f:
            f.write(json.dumps(record) + "\n")
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with lock, open(os.path.join(directory, "messages.jsonl"), "a") as f:
            f.write(json.dumps({"path": self.path, "method": "GET", "status": 200, "at": time.time(), "message": None}) + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, *args):
        pass


port_file.serve(directory, Handler)

"""A stand-in for the chat services the backend notifies and that cannot run here: ntfy, Slack,
Discord, Matrix and Gotify, on loopback. Usage: channel_standin.py DIR
Each request is checked against its service's documented API (method, path, auth, JSON schema,
length limits) and answered as that service answers, by path:
  POST /ntfy                                  ntfy's JSON publishing (the server's root)
  POST /slack/services/...                    a Slack incoming webhook
  POST /discord/api/webhooks/ID/TOKEN         a Discord webhook
  PUT  /_matrix/client/v3/rooms/ROOM/send/m.room.message/TXN
  POST /gotify/message                        Gotify, app token in X-Gotify-Key
The secrets it accepts are in DIR/secrets.json ({"ntfy": ..., "matrix": ..., "gotify": ...}).
The mode in DIR/mode (read on every request) picks the answer to a valid request:
  ok      success
  429     the service's rate limit answer (Retry-After / retry_after / retry_after_ms)
  500     a server error
  final   the service's final error for a gone destination (404 no_service, Unknown Webhook,
          M_FORBIDDEN, ...)
It writes DIR/port once listening and appends every request as a JSON line to DIR/requests.jsonl:
{"service", "method", "path", "headers", "body", "status", "answer", "at"}."""
import json
import http.server
import os
import re
import sys
import threading
import time
import urllib.parse

import port_file  # noqa: E402  (beside this script)

os.closerange(3, 65536)  # tests run in parallel: keep no other test's pipe open
directory = sys.argv[1]
lock = threading.Lock()


def read(name, default):
    try:
        with open(os.path.join(directory, name)) as f:
            return f.read().strip() or default
    except FileNotFoundError:
        return default


def secrets():
    return json.loads(read("secrets.json", "{}"))


def problem(body, field, kind, limit=None):
    """Why `field` of the JSON body breaks the schema, or None."""
    value = body.get(field)
    if not isinstance(value, kind):
        return f"{field} must be {kind.__name__}"
    if limit is not None and isinstance(value, str) and len(value.encode("utf-16-le")) // 2 > limit:
        return f"{field}: Must be {limit} or fewer in length."
    return None


def ntfy(handler, body, mode):
    token = secrets().get("ntfy")
    if token and handler.headers.get("Authorization") != f"Bearer {token}":
        return 401, {"code": 40101, "http": 401, "error": "unauthorized", "link": "https://ntfy.sh/docs/publish/#authentication"}, {}
    why = (problem(body, "topic", str) or problem(body, "message", str) or problem(body, "title", str)
           or problem(body, "priority", int) or problem(body, "markdown", bool))
    if not why and not re.fullmatch(r"[-_A-Za-z0-9]{1,64}", body["topic"]):
        why = "invalid topic"
    if not why and not 1 <= body["priority"] <= 5:
        why = "invalid priority"
    if not why and len(body["message"].encode()) > 4096:
        why = "message too large"
    if not why and "click" in body and not str(body["click"]).startswith(("http://", "https://")):
        why = "invalid click URL"
    if why:
        return 400, {"code": 40000, "http": 400, "error": f"invalid request: {why}"}, {}
    if mode == "429":
        return 429, {"code": 42901, "http": 429, "error": "limit reached: too many requests"}, {}
    if mode == "final":
        return 403, {"code": 40301, "http": 403, "error": "forbidden"}, {}
    if mode == "500":
        return 500, {"code": 50001, "http": 500, "error": "internal server error"}, {}
    return 200, {"id": "abc", "time": int(time.time()), "event": "message", "topic": body["topic"], "message": body["message"]}, {}


def slack(handler, body, mode):
    if not isinstance(body.get("text"), str) or not body["text"].strip():
        return 400, "invalid_payload", {}
    if len(body["text"]) > 40000:
        return 400, "msg_too_long", {}
    if mode == "429":
        return 429, "rate_limited", {"Retry-After": "7"}
    if mode == "final":
        return 404, "no_service", {}
    if mode == "500":
        return 500, "internal_error", {}
    return 200, "ok", {}


def discord(handler, body, mode):
    if not re.fullmatch(r"/discord/api/webhooks/\d+/[-_A-Za-z0-9]+", handler.path.split("?")[0]):
        return 404, {"message": "404: Not Found", "code": 0}, {}
    why = problem(body, "content", str, 2000)
    mentions = body.get("allowed_mentions")
    if not why and not (isinstance(mentions, dict) and isinstance(mentions.get("parse"), list)):
        why = "allowed_mentions.parse must be a list"
    if why:
        return 400, {"message": "Invalid Form Body", "code": 50035, "errors": {"content": why}}, {}
    if not body["content"].strip():
        return 400, {"message": "Cannot send an empty message", "code": 50006}, {}
    if mode == "429":
        return 429, {"message": "You are being rate limited.", "retry_after": 1.5, "global": False}, {"Retry-After": "2"}
    if mode == "final":
        return 404, {"message": "Unknown Webhook", "code": 10015}, {}
    if mode == "500":
        return 500, {"message": "500: Internal Server Error", "code": 0}, {}
    return 204, None, {}


def matrix(handler, body, mode):
    if handler.headers.get("Authorization") != f"Bearer {secrets().get('matrix')}":
        return 401, {"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token passed."}, {}
    parts = handler.path.split("?")[0].split("/")
    # /_matrix/client/v3/rooms/ROOM/send/m.room.message/TXN: the room id arrives percent-encoded.
    if len(parts) != 9 or parts[6] != "send" or parts[7] != "m.room.message" or not parts[8]:
        return 404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"}, {}
    room = urllib.parse.unquote(parts[5])
    if "!" in parts[5] or ":" in parts[5] or not re.fullmatch(r"![^:]+:.+", room):
        return 400, {"errcode": "M_INVALID_PARAM", "error": f"room id not percent-encoded: {parts[5]}"}, {}
    why = problem(body, "msgtype", str) or problem(body, "body", str)
    if not why and "formatted_body" in body:
        why = problem(body, "formatted_body", str) or ("format must be org.matrix.custom.html" if body.get("format") != "org.matrix.custom.html" else None)
    if not why and len(json.dumps(body).encode()) > 65536:
        why = "event too large"
    if why:
        return 400, {"errcode": "M_BAD_JSON", "error": why}, {}
    if mode == "429":
        return 429, {"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests", "retry_after_ms": 2500}, {}
    if mode == "final":
        return 403, {"errcode": "M_FORBIDDEN", "error": "User @bot:example.org not in room"}, {}
    if mode == "500":
        return 500, {"errcode": "M_UNKNOWN", "error": "Internal server error"}, {}
    return 200, {"event_id": "$" + parts[8]}, {}


def gotify(handler, body, mode):
    if handler.headers.get("X-Gotify-Key") != secrets().get("gotify"):
        return 401, {"error": "Unauthorized", "errorCode": 401,
                     "errorDescription": "you need to provide a valid access token or user credentials to access this api"}, {}
    why = problem(body, "message", str) or (problem(body, "title", str) if "title" in body else None) \
        or (problem(body, "priority", int) if "priority" in body else None)
    if not why and not body["message"]:
        why = "Field 'message' is required"
    extras = body.get("extras", {})
    if not why and not (isinstance(extras, dict) and all(re.fullmatch(r"[a-z]+::[a-z]+", k) for k in extras)):
        why = "extras keys must be namespaced like client::display"
    if why:
        return 400, {"error": "Bad Request", "errorCode": 400, "errorDescription": why}, {}
    if mode == "final":
        return 403, {"error": "Forbidden", "errorCode": 403, "errorDescription": "you are not allowed to access this api"}, {}
    if mode in ("500", "429"):
        return 500, {"error": "Internal Server Error", "errorCode": 500, "errorDescription": "database is locked"}, {}
    return 200, {"id": 1, "appid": 1, "message": body["message"], "title": body.get("title", ""),
                 "priority": body.get("priority", 0), "date": time.strftime("%Y-%m-%dT%H:%M:%SZ")}, {}


ROUTES = [("POST", "/ntfy", "ntfy", ntfy), ("POST", "/slack/", "slack", slack), ("POST", "/discord/", "discord", discord),
          ("PUT", "/_matrix/client/v3/rooms/", "matrix", matrix), ("POST", "/gotify/message", "gotify", gotify)]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self):
        arrived = time.time()
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        mode = read("mode", "ok")
        service, status, answer, headers = None, 404, "not found", {}
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        for method, prefix, name, handle in ROUTES:
            if self.command == method and self.path.split("?")[0].startswith(prefix):
                service = name
                if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
                    status, answer = 415, "Content-Type must be application/json"
                elif not isinstance(body, dict):
                    status, answer = 400, "the body is not a JSON object"
                else:
                    status, answer, headers = handle(self, body, mode)
                break
        record = {"service": service, "method": self.command, "path": self.path, "status": status, "answer": answer, "at": arrived,
                  "headers": {k: v for k, v in self.headers.items()}, "body": body}
        with lock, open(os.path.join(directory, "requests.jsonl"), "a") as f:
            f.write(json.dumps(record) + "\n")
        data = b"" if answer is None else (answer.encode() if isinstance(answer, str) else json.dumps(answer).encode())
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if isinstance(answer, str) else "application/json")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_POST = handle_any
    do_PUT = handle_any

    def log_message(self, *args):
        pass


port_file.serve(directory, Handler)

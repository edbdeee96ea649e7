"""An HTTP server on loopback that records every request (headers, gunzipped body) as JSON lines
and answers from a script of status codes. Usage: recording_http_server.py DIR STATUS[,STATUS...]
It writes DIR/port once listening, DIR/requests.jsonl as requests arrive; the last status repeats."""
import gzip
import http.server
import json
import os
import sys

os.closerange(3, 65536)  # tests run in parallel: keep no other test's pipe open
directory, script = sys.argv[1], [int(s) for s in sys.argv[2].split(",")]
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        record = {"path": self.path, "headers": dict(self.headers), "body": body.decode("utf-8", "replace")}
        with open(os.path.join(directory, "requests.jsonl"), "a") as f:
            f.write(json.dumps(record) + "\n")
        status = script[min(count, len(script) - 1)]
        count += 1
        reply = b'{"observations": 1, "samplesStored": 1}' if status < 300 else \
            b'{"error": "host is not valid", "field": "host"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(directory, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(directory, "port.tmp"), os.path.join(directory, "port"))
server.serve_forever()

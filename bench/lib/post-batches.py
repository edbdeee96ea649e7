"""Posts NDJSON batch files to a backend over one kept-alive connection, gzip-compressed as the
sender sends them, and prints "entries seconds" for the posting alone (compression is done first).
Usage: post-batches.py URL TOKEN HOST FILE..."""
import gzip
import http.client
import sys
import time
import urllib.parse

url, token, host, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
parts = urllib.parse.urlsplit(url)
bodies = []
entries = 0
for name in files:
    data = open(name, "rb").read()
    entries += data.count(b"\n")
    bodies.append(gzip.compress(data, 1))
connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"}
path = "/api/v1/journal?host=" + urllib.parse.quote(host)
start = time.monotonic()
for body in bodies:
    connection.request("POST", path, body=body, headers=headers)
    answer = connection.getresponse()
    text = answer.read()
    if answer.status != 200:
        sys.exit("HTTP %d: %s" % (answer.status, text[:300]))
elapsed = time.monotonic() - start
print(entries, "%.3f" % elapsed)

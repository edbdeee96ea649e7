#!/usr/bin/env python3
"""Holds many half-open connections to a server, in a process of its own: the test process must
not hold thousands of descriptors, because Foundation's Process.run, which other tests call at
the same time, breaks when descriptors above 1024 are open.

Usage: hold_connections.py PORT COUNT SECONDS
Opens COUNT connections to 127.0.0.1:PORT, each sending a request head that never ends, prints
"open N", waits SECONDS, then prints "closed M": how many the server has closed by then.
"""
import resource
import socket
import sys
import time

port, count, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
held = []
try:
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        connection.setblocking(False)
        held.append(connection)
except OSError as error:
    print(f"failed after {len(held)}: {error}", flush=True)
    sys.exit(1)
print(f"open {len(held)}", flush=True)
time.sleep(seconds)
closed = 0
for connection in held:
    try:
        while connection.recv(512):
            pass  # whatever the server said before closing
        closed += 1
    except BlockingIOError:
        pass  # still open
    except OSError:
        closed += 1  # reset
print(f"closed {closed}", flush=True)

"""Writes a real journal of N entries into DIR with systemd-journal-remote, from Journal Export
Format: several units, two boots, container entries, a few binary messages, spread over the last
SPREAD seconds (default 300), so a sender's default start window of 10 minutes holds them all.
The entries are split over FILES journal files in order (default 2), as after a rotation. With BIG,
the middle entry's message is BIG bytes of control characters (JSON escapes each as six bytes).
Usage: make_journal.py N DIR [SPREAD] [FILES] [BIG]. The tests and bench/journal.sh both use it."""
import os
import random
import subprocess
import sys
import time

count, directory = int(sys.argv[1]), sys.argv[2]
spread = float(sys.argv[3]) if len(sys.argv) > 3 else 300.0
os.makedirs(directory, exist_ok=True)
remote = next(p for p in ("/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote") if os.path.exists(p))
files = int(sys.argv[4]) if len(sys.argv) > 4 else 2
big = int(sys.argv[5]) if len(sys.argv) > 5 else 0
rng = random.Random(7)
boots = ["6f1e2d3c4b5a49788796a5b4c3d2e1f0", "0a1b2c3d4e5f47689788a9b0c1d2e3f4"]
units = [("nginx.service", "nginx"), ("sshd.service", "sshd"), ("cron.service", "CRON"), ("postgresql.service", "postgres"), ("docker.service", "dockerd")]
start = int((time.time() - spread) * 1_000_000)
step = max(1, int(spread * 1_000_000 / max(count, 1)))
procs = []
for f in range(files):
    name = "system.journal" if f == files - 1 else "system@%032x-%016x-%016x.journal" % (f + 1, f + 1, start + f)
    procs.append(subprocess.Popen([remote, "--output=" + os.path.join(directory, name), "-"], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
for i in range(count):
    out = procs[i * files // max(count, 1)].stdin
    boot = boots[0] if i < count // 3 else boots[1]
    unit, ident = units[i % len(units)]
    fields = [
        b"__REALTIME_TIMESTAMP=%d" % (start + i * step),
        b"__MONOTONIC_TIMESTAMP=%d" % (1_000_000 + i * step),
        b"_BOOT_ID=" + boot.encode(),
        b"_HOSTNAME=bench-host",
        b"_SYSTEMD_UNIT=" + unit.encode(),
        b"SYSLOG_IDENTIFIER=" + ident.encode(),
        b"_PID=%d" % (1000 + i % 50),
        b"PRIORITY=%d" % (rng.choice([3, 4, 5, 6, 6, 6, 7])),
        b"_TRANSPORT=journal",
    ]
    if i % 10 == 0:
        fields += [b"CONTAINER_NAME=app-%d" % (i % 3), b"CONTAINER_ID=%012x" % (i % 3)]
    entry = b"\n".join(fields) + b"\n"
    if big and i == count // 2:
        payload = bytes(j % 31 + 1 for j in range(big))
        entry += b"MESSAGE\n" + len(payload).to_bytes(8, "little") + payload + b"\n"
    elif i % 1000 == 999:
        payload = b"binary \xff\xfe payload %d" % i
        entry += b"MESSAGE\n" + len(payload).to_bytes(8, "little") + payload + b"\n"
    else:
        entry += b"MESSAGE=request %d from 10.0.%d.%d took %d ms status %d\n" % (i, i % 256, (i * 7) % 256, rng.randint(1, 900), rng.choice([200, 200, 200, 404, 500]))
    out.write(entry + b"\n")
status = 0
for proc in procs:
    proc.stdin.close()
    status |= proc.wait()
sys.exit(status)

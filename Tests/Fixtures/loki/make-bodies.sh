#!/usr/bin/env bash
# Makes the golden Loki push bodies here, as Promtail, Alloy and Vector send them: protobuf
# encoded by `protoc --encode` from push.proto and the .txtpb texts, then compressed with raw
# (block) snappy by python-snappy. Also the hostile bodies: a snappy bomb, a bad varint and
# streams with 10,000 and 100 labels. Fetches nothing; needs protoc (Debian's protobuf-compiler) and a
# python with python-snappy. Usage: PYTHON=$(scripts/python-clients) Tests/Fixtures/loki/make-bodies.sh
set -euo pipefail
cd "$(dirname "$0")"
python=${PYTHON:-python3}
"$python" -c 'import snappy' 2>/dev/null || { echo "needs python-snappy: PYTHON=/path/to/python with it installed" >&2; exit 1; }
command -v protoc >/dev/null || { echo "needs protoc (apt-get install protobuf-compiler)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for name in promtail alloy; do
  protoc --encode=logproto.PushRequest push.proto < "$name.txtpb" > "$work/$name.pb"
done
# 10,000 labels on one stream (a label text past its 64 KiB), and 100 (past 64 labels), beside a
# good stream, through protoc like the others.
for count in 10000 100; do
  "$python" - "$count" > "$work/labels.txtpb" <<'PY'
import sys
pairs = ", ".join(f'l{i:05}=\\"v{i}\\"' for i in range(int(sys.argv[1])))
print('streams { labels: "{host=\\"web-1\\", %s}" entries { timestamp { seconds: 1796083200 } line: "x" } }' % pairs)
print('streams { labels: "{host=\\"web-1\\"}" entries { timestamp { seconds: 1796083200 } line: "kept" } }')
PY
  protoc --encode=logproto.PushRequest push.proto < "$work/labels.txtpb" > "$work/labels-$count.pb"
done

"$python" - "$work" <<'PY'
import snappy, sys
work = sys.argv[1]
for name in ("promtail", "alloy", "labels-10000", "labels-100"):
    raw = open(f"{work}/{name}.pb", "rb").read()
    open(f"{name}.snappy", "wb").write(snappy.compress(raw))
# A snappy bomb: the length preamble declares 4 GiB - 1 and a literal of 8 bytes follows.
open("bomb.snappy", "wb").write(bytes([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 7 << 2]) + b"12345678")
# A varint of eleven bytes where streams' length should be: valid snappy around bad protobuf.
open("bad-varint.snappy", "wb").write(snappy.compress(bytes([0x0A]) + bytes([0xFF] * 10) + bytes([0x01]) + b"rest"))
PY
echo "made: $(ls *.snappy | tr '\n' ' ')"

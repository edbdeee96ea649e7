"""What the Telegram stand-in's delivered messages covered, for bench/alerts.sh: each (host,
check) with the arrival time of the first message that covers it, by name (a single message, or
a group's "• host · check" line) or as one of a group's "N more" on the page its link names
(read through GET /api/v1/notifications/ID). Also counts the messages and the duplicates."""
import json
import os
import re
import urllib.request

single = re.compile(r"^\S+ (?:ALERT|NO DATA|OK|FLAPPING|STILL \S+(?: DATA)?) <b>(.*?)</b> · <code>(.*?)</code>")
line = re.compile(r"^• <b>(.*?)</b>(?: · <code>(.*?)</code>)? — ")
group = re.compile(r"/notifications/(\d+)\"")


def unescape(text):
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


class Coverage:
    def __init__(self, standin, url, token):
        self.log = os.path.join(standin, "messages.jsonl")
        self.url, self.token = url, token
        self.groups = {}  # group id -> [(host, check)], fetched once
        self.covered, self.messages, self.duplicates, self.refused = {}, 0, 0, 0

    def members(self, gid):
        if gid in self.groups:
            return self.groups[gid]
        req = urllib.request.Request(f"{self.url}/api/v1/notifications/{gid}", headers={"Authorization": "Bearer " + self.token})
        with urllib.request.urlopen(req, timeout=60) as answer:
            body = json.loads(answer.read())
        members = [(n["message"]["host"], n["message"]["check"]) for n in body["notifications"]]
        # The message can arrive before its group is recorded as delivered: ask again next pass.
        if all(n.get("deliveredAt") for n in body["notifications"]):
            self.groups[gid] = members
        return members

    def read(self):
        """Reads the log again from the start; returns {(host, check): first arrival}."""
        self.covered, self.messages, self.duplicates, self.refused = {}, 0, 0, 0
        if not os.path.exists(self.log):
            return self.covered
        for raw in open(self.log):
            try:
                record = json.loads(raw)
            except json.JSONDecodeError:
                continue  # the stand-in is still writing this line: the next pass reads it whole
            if record["status"] != 200:
                self.refused += record["status"] == 429
                continue
            text = record["message"]["text"]
            self.messages += 1
            keys = []
            first = text.split("\n", 1)[0]
            m = single.match(first)
            if m:
                keys.append((unescape(m.group(1)), unescape(m.group(2))))
            else:
                for row in text.split("\n"):
                    m = line.match(row)
                    if m:
                        keys.append((unescape(m.group(1)), unescape(m.group(2) or "host")))
                for gid in group.findall(text):
                    keys.extend(self.members(gid))
            for key in set(keys):
                if key in self.covered:
                    self.duplicates += 1
                else:
                    self.covered[key] = record["at"]
        return self.covered

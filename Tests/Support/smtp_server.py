"""A real SMTP server for the email channel's tests: aiosmtpd (Debian's python3-aiosmtpd, so run
it with /usr/bin/python3) on loopback, requiring STARTTLS and then AUTH (PLAIN or LOGIN).
Usage: smtp_server.py DIR CERT KEY USER PASSWORD [implicit]
With `implicit` it speaks TLS from the first byte (smtps://, port 465's way) instead of STARTTLS.
It writes DIR/port once listening and appends every message it takes as a JSON line to
DIR/messages.jsonl: the envelope, who logged in, the raw message, and the message as Python's
email package reads it (decoded subject, text and HTML parts). DIR/mode (read per message) may
say 451 or 550 to answer DATA with that temporary or final error instead."""
import email
import email.policy
import json
import os
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

import port_file  # noqa: E402  (beside this script)

os.closerange(3, 65536)  # tests run in parallel: keep no other test's pipe open
directory, cert, key, user, password = sys.argv[1:6]
implicit = sys.argv[6:7] == ["implicit"]


def mode():
    try:
        with open(os.path.join(directory, "mode")) as f:
            return f.read().strip()
    except FileNotFoundError:
        return "ok"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == user.encode() and auth_data.password == password.encode()
    # handled=False: aiosmtpd answers 535 itself (with handled=True it would answer nothing).
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


class Handler:
    async def handle_DATA(self, server, session, envelope):
        if mode() == "451":
            return "451 4.3.0 Mail server temporarily rejected message"
        if mode() == "550":
            return "550 5.7.1 Message rejected as spam"
        raw = envelope.original_content.decode("utf-8", "replace")
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        parts = {part.get_content_type(): part.get_content() for part in parsed.walk() if not part.is_multipart()}
        record = {"mailFrom": envelope.mail_from, "rcptTos": envelope.rcpt_tos, "login": session.auth_data.login.decode() if session.auth_data else None,
                  "tls": session.ssl is not None or implicit, "raw": raw, "at": time.time(),
                  "headers": {name: str(value) for name, value in parsed.items()}, "parts": parts,
                  "contentType": parsed.get_content_type(), "defects": [str(d) for d in parsed.defects]}
        with open(os.path.join(directory, "messages.jsonl"), "a") as f:
            f.write(json.dumps(record) + "\n")
        return "250 2.0.0 OK: queued"


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
# aiosmtpd counts only STARTTLS as TLS for auth_require_tls, so implicit TLS turns that check off.
tls = {"ssl_context": context, "auth_require_tls": False} if implicit else {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
controller = Controller(Handler(), hostname="127.0.0.1", port=port, auth_required=True,
                        authenticator=authenticator, server_hostname="localhost", **tls)
controller.start()
port_file.write_port(directory, port)
while True:
    time.sleep(3600)

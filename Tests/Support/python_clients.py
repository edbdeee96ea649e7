"""Drives the backend with real client libraries from PyPI (scripts/python-clients makes their
venv), the way their users call them. Usage: python_clients.py loki URL HOST_TOKEN
or python_clients.py healthchecks URL PING_ID PING_KEY SLUG. Exits non-zero on any refusal."""
import logging
import sys

mode, url = sys.argv[1], sys.argv[2]

if mode == "loki":
    token = sys.argv[3]
    import logging_loki
    from loki_logger_handler.loki_logger_handler import LokiLoggerHandler

    class Strict(logging_loki.LokiHandler):
        def handleError(self, record):  # a refused push fails the run instead of printing
            raise

    # python-logging-loki knows only basic auth: the token is the password.
    basic = logging.getLogger("billing")
    basic.addHandler(Strict(url=f"{url}/loki/api/v1/push", tags={"unit": "billing.service"}, auth=("anyone", token), version="1"))
    basic.error("invoice run failed: 3 of 120 customers")
    basic.warning("retrying in 5 minutes")

    # loki-logger-handler: a bearer token in its headers, gzip-compressed JSON, structured metadata.
    handler = LokiLoggerHandler(url=f"{url}/loki/api/v1/push", labels={"container": "worker"}, timeout=3600,
                                compressed=True, additional_headers={"Authorization": f"Bearer {token}"},
                                enable_structured_loki_metadata=True, loki_metadata={"team": "payments"})
    queued = logging.getLogger("worker")
    queued.addHandler(handler)
    queued.error("queue stalled")
    handler._send()  # its own flush, which its thread runs on a timer and at exit
    print("loki clients sent")
elif mode == "healthchecks":
    ping_id, ping_key, slug = sys.argv[3], sys.argv[4], sys.argv[5]
    from healthchecks_io import Client

    with Client(ping_url=f"{url}/ping/", ping_key=ping_key) as client:
        results = [client.start_ping(uuid=ping_id), client.success_ping(uuid=ping_id),
                   client.fail_ping(slug=slug), client.exit_code_ping(exit_code=0, slug=slug)]
    if not all(ok for ok, _ in results):
        sys.exit(f"a ping was refused: {results}")
    print("healthchecks pings sent")
else:
    sys.exit(f"unknown mode {mode}")

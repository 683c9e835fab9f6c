"""A local HTTP SMS gateway for tests. Like real gateways, it sends a message once per
idempotency key (`out_id`), however often the same key is posted."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeSmsGateway:
    def __init__(self, statuses=(), delay_first: float = 0.0):
        self.statuses = list(statuses)  # answers for the first requests, then 200
        self.delay_first = delay_first
        self.requests: list[dict] = []
        self.delivered: dict[str, dict] = {}
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with gateway.lock:
                    number = len(gateway.requests)
                    gateway.requests.append(body)
                    status = gateway.statuses[number] if number < len(gateway.statuses) else 200
                if number == 0 and gateway.delay_first:
                    time.sleep(gateway.delay_first)
                if status == 200:
                    with gateway.lock:
                        gateway.delivered.setdefault(body["out_id"], body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"ok": true}' if status == 200 else b'{"ok": false}')
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client (a killed worker) is gone; the message was still sent

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

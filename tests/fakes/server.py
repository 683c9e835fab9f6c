"""A threaded HTTP/1.1 server on a free port (keep-alive, so SDK sessions reuse connections)."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class Request:
    def __init__(self, handler: BaseHTTPRequestHandler, body: bytes):
        parts = urlsplit(handler.path)
        self.method = handler.command
        self.path = parts.path or "/"
        self.raw_query = parts.query
        self.headers = handler.headers
        self.body = body


class FakeServer:
    """Subclasses implement `handle(request) -> (status, headers, body)`."""

    def __init__(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                # Headers and body in one segment: no Nagle / delayed-ACK stall per call.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self, self.rfile.read(length) if length else b"")
                status, headers, body = fake.handle(request)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self._headers_buffer.append(b"\r\n" + body)
                self.flush_headers()

            do_GET = do_POST = _serve

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        """host:port, what the SDKs take as their endpoint."""
        return f"127.0.0.1:{self.server.server_address[1]}"

    def handle(self, request: Request):
        raise NotImplementedError

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

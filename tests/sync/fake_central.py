"""A scriptable HTTPS stand-in for staffgate-central, for the agent's sync
tests: it serves rosters with ETag / If-None-Match / Prefer: wait, collects
events, and can turn hostile (tampered, older, expired, garbage, huge or
slow-drip answers) on demand. The real central has its own tests; this one
exists to misbehave in ways the real one never would.

It also answers the password endpoints (docs/design.md §10) from a plain
dict, so the agent's side is tested without the real central:
POST /v1/auth/verify and /v1/auth/change, with `passwords`, `locked`,
`reset` and `auth_down` (503) to script them.
"""

import http.server
import json
import os
import ssl
import subprocess
import threading
import time


def make_ca_and_cert(directory, name="ca"):
    """Creates NAME.pem (a CA) and NAME-server.{crt,key} for 127.0.0.1/localhost."""
    def run(*cmd):
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    ca_key, ca_pem = os.path.join(directory, name + ".key"), os.path.join(directory, name + ".pem")
    key, csr = os.path.join(directory, name + "-server.key"), os.path.join(directory, name + "-server.csr")
    crt, ext = os.path.join(directory, name + "-server.crt"), os.path.join(directory, name + ".ext")
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", ca_key, "-out", ca_pem, "-days", "2", "-subj", "/CN=staffgate test CA " + name)
    run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key, "-out", csr, "-subj", "/CN=localhost")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
        "-out", crt, "-days", "2", "-extfile", ext)
    return ca_pem, crt, key


class FakeCentral:
    def __init__(self, cert, key, token, pub_pem_path):
        self.token = token
        with open(pub_pem_path, "rb") as f:
            self.pub_pem = f.read()
        self.lock = threading.Condition()
        self.envelope = None        # bytes of the current good envelope
        self.serial = 0
        self.mode = "normal"        # or: tampered, older, expired, garbage, huge, slowdrip,
                                    # redirect (to hostile_body), down
        self.hostile_body = b""
        self.events = []            # every event received (dicts), duplicates included
        self.roster_requests = 0
        self.events_down = False
        self.passwords = {}         # account -> password; absent: not_managed
        self.locked = set()         # accounts answered locked_out
        self.reset = set()          # accounts answered reset_required (right password)
        self.auth_down = False      # password endpoints answer 503
        self.auth_requests = []     # (path, body dict) of every password call
        self.min_length = 12
        self.closed = False         # close(): kept-alive connections hang up too
        self.auth_delay_s = 0.0     # password endpoints answer after this long
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _reply(self, code, body=b"", headers=()):
                self.send_response(code)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def _authorised(self):
                if self.headers.get("Authorization") != "Bearer " + outer.token:
                    self._reply(401, b'{"error":"unauthorized","message":"bad token"}')
                    return False
                return True

            def do_GET(self):
                if outer.closed:
                    self.close_connection = True
                    return
                if not self._authorised():
                    return
                if self.path == "/v1/keys":
                    return self._reply(200, outer.pub_pem)
                if self.path == "/v1/redirected":
                    return self._reply(200, outer.hostile_body, [("ETag", '"999"')])
                if self.path != "/v1/roster":
                    return self._reply(404)
                outer.roster_requests += 1
                mode = outer.mode
                if mode == "down":
                    return self._reply(503, b'{"error":"unavailable"}')
                if mode == "redirect":
                    return self._reply(302, b"", [("Location", "/v1/redirected")])
                if mode in ("tampered", "older", "expired", "garbage", "huge"):
                    return self._reply(200, outer.hostile_body, [("ETag", '"999"')])
                if mode == "slowdrip":
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(outer.hostile_body)))
                    self.end_headers()
                    for i in range(len(outer.hostile_body)):
                        if outer.mode != "slowdrip":
                            return
                        self.wfile.write(outer.hostile_body[i:i + 1])
                        self.wfile.flush()
                        time.sleep(0.5)
                    return
                inm = self.headers.get("If-None-Match")
                wait = 0
                prefer = self.headers.get("Prefer", "")
                if prefer.startswith("wait="):
                    wait = min(60, int(prefer[5:]))
                with outer.lock:
                    if inm == '"%d"' % outer.serial and wait > 0:
                        outer.lock.wait_for(lambda: inm != '"%d"' % outer.serial
                                            or outer.mode != "normal", timeout=wait)
                    if outer.mode != "normal":
                        return self._reply(304)
                    if inm == '"%d"' % outer.serial:
                        return self._reply(304, b"", [("ETag", '"%d"' % outer.serial)])
                    body = outer.envelope or b""
                    serial = outer.serial
                self._reply(200, body, [("ETag", '"%d"' % serial),
                                        ("Content-Type", "application/json")])

            def do_POST(self):
                if outer.closed:
                    self.close_connection = True
                    return
                if not self._authorised():
                    return
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if self.path in ("/v1/auth/verify", "/v1/auth/change"):
                    return self._password(self.path, json.loads(body))
                if self.path != "/v1/events":
                    return self._reply(404)
                if outer.events_down:
                    return self._reply(503, b'{"error":"unavailable"}')
                batch = json.loads(body)
                with outer.lock:
                    outer.events.extend(batch)
                self._reply(202, b'{"accepted":%d}' % len(batch))

            def _password(self, path, req):
                if outer.auth_delay_s:
                    time.sleep(outer.auth_delay_s)
                with outer.lock:
                    outer.auth_requests.append((path, req))
                    if outer.auth_down:
                        return self._reply(503, b'{"error":"unavailable"}')
                    account = req.get("account")
                    known = outer.passwords.get(account)
                    if path == "/v1/auth/verify":
                        if known is None:
                            result = "not_managed"
                        elif account in outer.locked:
                            result = "locked_out"
                        elif req.get("password") != known:
                            result = "bad_credentials"
                        elif account in outer.reset:
                            result = "reset_required"
                        else:
                            result = "ok"
                        return self._reply(200, json.dumps({"result": result}).encode())
                    if known is None:
                        return self._reply(404, b'{"error":"not_managed","message":"no"}')
                    if req.get("old") != known:
                        return self._reply(422, json.dumps({
                            "error": "bad_credentials",
                            "message": "The current password is not correct."}).encode())
                    if len(req.get("new", "")) < outer.min_length:
                        return self._reply(422, json.dumps({
                            "error": "weak_password",
                            "message": "The password is shorter than %d characters"
                                       % outer.min_length}).encode())
                    outer.passwords[account] = req["new"]
                    outer.reset.discard(account)
                    return self._reply(200, b"{}")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = "https://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, envelope, serial):
        with self.lock:
            self.envelope, self.serial, self.mode = envelope, serial, "normal"
            self.lock.notify_all()

    def turn_hostile(self, mode, body=b""):
        with self.lock:
            self.mode, self.hostile_body = mode, body
            self.lock.notify_all()

    def event_ids(self, type_=None):
        with self.lock:
            return [e.get("id") for e in self.events if type_ is None or e.get("type") == type_]

    def close(self):
        self.closed = True
        self.mode = "down"
        self.httpd.shutdown()
        self.httpd.server_close()

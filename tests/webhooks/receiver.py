"""A webhook receiver on loopback for tests/webhooks.rs.

Verifies EVERY delivery with the `standardwebhooks` package (Webhook(secret).verify) against
the secrets the test registered for the path, and appends what it received to
<dir>/received.jsonl: the path, the webhook-id, the payload and which secrets verified it.
A delivery no secret verifies is recorded with "verified": false and answered 400.

Control (from the test): POST /_secret/<name> with the secret as body adds a secret for
/hook/<name>; POST /_redirect/<name> makes /hook/<name> answer a redirect; POST
/_drop/<name> makes the next delivery to /hook/<name> be recorded and its connection closed
without an answer (a receiver that dies after doing the work, before saying so).

usage: receiver.py <port> <dir>; prints the port it listens on.
"""

import json
import os
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook

PORT, DIR = int(sys.argv[1]), sys.argv[2]
STATE = os.path.join(DIR, "state.json")
LOG = os.path.join(DIR, "received.jsonl")


def load():
    try:
        with open(STATE) as f:
            return json.load(f)
    except FileNotFoundError:
        return {"secrets": {}, "redirect": [], "drop": []}


def save(state):
    with open(STATE, "w") as f:
        json.dump(state, f)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, code, headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("content-length", "0")
        self.end_headers()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        parts = self.path.strip("/").split("/")
        state = load()
        if parts[0] == "_secret":
            state["secrets"].setdefault(parts[1], []).append(body.decode())
            save(state)
            return self.answer(204)
        if parts[0] in ("_redirect", "_drop"):
            state[parts[0][1:]].append(parts[1])
            save(state)
            return self.answer(204)
        if parts[0] == "redirected":
            with open(LOG, "a") as f:
                f.write(json.dumps({"path": self.path, "redirected": True}) + "\n")
            return self.answer(204)
        name = parts[1] if len(parts) > 1 else ""
        if name in state["redirect"]:
            return self.answer(307, [("location", "/redirected/" + name)])
        headers = {k.lower(): v for k, v in self.headers.items()}
        verified = []
        for i, secret in enumerate(state["secrets"].get(name, [])):
            try:
                Webhook(secret).verify(body, headers)
                verified.append(i)
            except Exception:
                pass
        record = {
            "path": self.path,
            "name": name,
            "id": headers.get("webhook-id"),
            "signature": headers.get("webhook-signature"),
            "verified": bool(verified),
            "verified_with": verified,
            "payload": json.loads(body) if verified else None,
        }
        with open(LOG, "a") as f:
            f.write(json.dumps(record) + "\n")
        if name in state["drop"]:
            state["drop"].remove(name)
            save(state)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.answer(204 if verified else 400)


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()

"""A real SMTP server on loopback for the tests (aiosmtpd), keeping what it receives.

Usage: smtp_sink.py PORT DIR. Listens on 127.0.0.1:PORT (0 picks a free port), prints
"listening PORT" once ready, and for each message writes DIR/<n>.eml (the raw bytes) and
DIR/<n>.json: the envelope and the message as Python's email parser reads it (headers, the
plain-text and HTML parts, and the inline parts' Content-IDs and types).
"""

import json
import os
import sys
import time
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, out):
        self.out = out
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        raw = envelope.original_content or envelope.content
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        parts = {"text": None, "html": None, "inline": []}
        for part in msg.walk():
            if part.is_multipart():
                continue
            ctype = part.get_content_type()
            if ctype == "text/plain" and parts["text"] is None:
                parts["text"] = part.get_content()
            elif ctype == "text/html" and parts["html"] is None:
                parts["html"] = part.get_content()
            else:
                parts["inline"].append(
                    {
                        "content_id": part.get("Content-ID"),
                        "type": ctype,
                        "bytes": len(part.get_payload(decode=True) or b""),
                    }
                )
        summary = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": {k: str(v) for k, v in msg.items()},
            **parts,
        }
        base = os.path.join(self.out, f"{self.n:04d}")
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        with open(base + ".json.part", "w") as f:
            json.dump(summary, f)
        os.rename(base + ".json.part", base + ".json")
        return "250 OK"


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    if port == 0:
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
    controller = Controller(Keep(out), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"listening {port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()

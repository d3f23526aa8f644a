#!/usr/bin/env python3
"""One client creating companies on two servers in turn, for the latency at light load.

    bench/light_load.py RUN SLICES SECONDS NAME=BASE=TOKEN NAME=BASE=TOKEN

Each server gets SLICES slices of SECONDS seconds, alternated (A, B, A, B, ...), one request at
a time over one kept-alive connection, so a stall of the disk or of the machine lands in either
server's slices by chance rather than in one server's whole measurement. Prints, per server, the
requests, their p50 and p99 in ms, and the non-2xx answers. RUN (1 to 99) keeps the CNPJs of
successive runs over one database apart, as bench/lua/create_companies.lua does.
"""
import http.client
import json
import sys
import time
import urllib.parse


def cnpj(base: int) -> str:
    """The 14-digit CNPJ of a 12-digit base: two mod-11 check digits."""
    d = [int(c) for c in f"{base:012d}"]
    for length in (12, 13):
        total, w = 0, length - 7
        for i in range(length):
            total += d[i] * w
            w -= 1
            if w < 2:
                w = 9
        r = total % 11
        d.append(0 if r < 2 else 11 - r)
    return "".join(map(str, d))


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000


def main():
    run, slices, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    servers = []
    for arg in sys.argv[4:]:
        name, base, token = arg.split("=", 2)
        url = urllib.parse.urlsplit(base)
        conn = http.client.HTTPConnection(url.hostname, url.port)
        servers.append({"name": name, "conn": conn, "token": token, "lat": [], "bad": 0, "n": 0})
    for _ in range(slices):
        for s in servers:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                s["n"] += 1
                # 3 in the tens of millions keeps these apart from wrk's threads (1 and 2).
                ident = run * 1_000_000_000 + 30_000_000 + s["n"]
                body = json.dumps({"legal_name": f"Empresa {ident} Ltda", "cnpj": cnpj(ident)})
                t0 = time.perf_counter()
                s["conn"].request(
                    "POST",
                    "/api/v1/companies",
                    body=body,
                    headers={
                        "Authorization": f"Bearer {s['token']}",
                        "Content-Type": "application/json",
                    },
                )
                resp = s["conn"].getresponse()
                resp.read()
                s["lat"].append(time.perf_counter() - t0)
                if not 200 <= resp.status < 300:
                    s["bad"] += 1
    for s in servers:
        print(
            f"{s['name']} {len(s['lat'])} {percentile(s['lat'], 0.50):.2f} "
            f"{percentile(s['lat'], 0.99):.2f} {s['bad']}"
        )


if __name__ == "__main__":
    main()

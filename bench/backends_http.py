#!/usr/bin/env python3
"""Coding over HTTP against running `verbatim serve` processes, for
bench/backends.sh (standard library only).

    backends_http.py latency URL N
        Posts N codings one after another on source 1 (the first creates
        the code "Banc"); prints p50 / p95 in ms.

    backends_http.py load URL[,URL...] CLIENTS SECONDS BIN STUDY CODER
        CLIENTS threads, client k on server k modulo the servers, each
        posting codings without pause for SECONDS on its own source with
        spans no other client uses. Then `BIN coding list --json` on STUDY
        checks that every acknowledged coding is stored exactly once and
        that no passage is stored twice. Prints acknowledged codings/s,
        p50 / p95 latency, errors, and the check.

A server is `verbatim serve --coder CODER`; the CSRF token is the cookie
the first page sets. Exit status 1 when a check fails.
"""
import http.client
import json
import re
import subprocess
import sys
import threading
import time


class Client:
    """One keep-alive connection with its session cookie."""

    def __init__(self, url):
        m = re.match(r"http://([\d.]+):(\d+)", url)
        if not m:
            sys.exit(f"not a served address: {url}")
        self.conn = http.client.HTTPConnection(m.group(1), int(m.group(2)), timeout=60)
        self.conn.request("GET", "/")
        page = self.conn.getresponse()
        self.cookie = page.getheader("set-cookie").split(";")[0]
        page.read()
        self.token = self.cookie.split("=", 1)[1]

    def code(self, body):
        """Posts one coding; returns (status, parsed body or text)."""
        self.conn.request("POST", "/api/codings", json.dumps(body), {
            "Content-Type": "application/json", "Cookie": self.cookie,
            "X-CSRF-Token": self.token})
        r = self.conn.getresponse()
        data = r.read()
        return r.status, (json.loads(data) if r.status == 200 else data[:200])


def pct(ms, q):
    ms = sorted(ms)
    return ms[min(len(ms) - 1, int(q * len(ms)))]


def code_id(url):
    """Returns the id of the code "Banc", created by a first coding."""
    status, body = Client(url).code({"source_id": 1, "start": 0, "end": 5,
                                     "new_code": {"name": "Banc"}})
    if status != 200:
        sys.exit(f"the first coding was refused ({status}): {body}")
    return body["coding"]["code_id"]


def latency(url, n):
    code = code_id(url)
    c = Client(url)
    lat = []
    for i in range(n):
        t = time.perf_counter()
        status, body = c.code({"source_id": 1, "start": 10 * i + 10,
                               "end": 10 * i + 50, "code_id": code})
        lat.append((time.perf_counter() - t) * 1000)
        if status != 200:
            sys.exit(f"coding {i} was refused ({status}): {body}")
    print(f"{n} codings over HTTP: p50 {pct(lat, .5):.2f} ms, p95 {pct(lat, .95):.2f} ms")


def load(urls, clients, seconds, bin_, study, coder):
    code = code_id(urls[0])
    acked, lat, errors = [], [], []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    ready = threading.Barrier(clients)

    def run(k):
        c = Client(urls[k % len(urls)])
        mine, ms = [], []
        ready.wait()
        i = 0
        while time.monotonic() < stop:
            # Source k+2 (source 1 holds the latency run), a span of its own.
            body = {"source_id": k + 2, "start": 3 * i, "end": 3 * i + 20, "code_id": code}
            t = time.perf_counter()
            try:
                status, reply = c.code(body)
            except Exception as e:  # a dropped connection counts as an error
                with lock:
                    errors.append(repr(e))
                c = Client(urls[k % len(urls)])
                i += 1
                continue
            ms.append((time.perf_counter() - t) * 1000)
            if status == 200 and reply["new"]:
                mine.append(reply["coding"]["id"])
            else:
                with lock:
                    errors.append(f"{status} {reply}")
            i += 1
        with lock:
            acked.extend(mine)
            lat.extend(ms)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - began
    listed = json.loads(subprocess.run(
        [bin_, "coding", "list", "--project", study, "--coder", coder, "--json"],
        check=True, capture_output=True, text=True).stdout)
    ids = [c["id"] for c in listed]
    keys = [(c["source"], c["code"], c["start"], c["end"]) for c in listed]
    missing = set(acked) - set(ids)
    twice = len(ids) - len(set(ids)) + len(keys) - len(set(keys))
    ok = not missing and twice == 0 and len(set(acked)) == len(acked)
    print(f"{len(urls)} server(s), {clients} clients, {took:.0f} s: "
          f"{len(acked) / took:.0f} acknowledged codings/s ({len(acked)} in all), "
          f"p50 {pct(lat, .5):.1f} ms, p95 {pct(lat, .95):.1f} ms, {len(errors)} errors; "
          f"stored {len(ids)} codings, {len(missing)} acknowledged but missing, "
          f"{twice} stored twice: {'OK' if ok else 'FAILED'}")
    for e in errors[:5]:
        print("  error:", e)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "latency":
        latency(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 8 and sys.argv[1] == "load":
        load(sys.argv[2].split(","), int(sys.argv[3]), float(sys.argv[4]),
             sys.argv[5], sys.argv[6], sys.argv[7])
    else:
        sys.exit(__doc__)

#!/usr/bin/env python3
"""Coding round trip over HTTP: POST /api/codings N times on a demo study.

    python3 bench/coding_post.py BIN [N]

Creates a demo study in bench/out/, starts `BIN serve` on it, takes the
page's CSRF token, posts N codings one after another (40 chars each on
source 3) and prints the p50 / p95 / max latency in ms. Used to state the
cost of `synchronous = FULL` (see BENCHMARKS.md, "Durability").
"""
import http.client, json, os, re, statistics, subprocess, sys, time

bin_, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
os.makedirs(out, exist_ok=True)
study = os.path.join(out, "coding_post.vbt")
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(study + suffix):
        os.remove(study + suffix)
subprocess.run([bin_, "demo", "--project", study], check=True, capture_output=True)
server = subprocess.Popen([bin_, "serve", "--project", study, "--coder", "amira",
                           "--addr", "127.0.0.1:0"], stdout=subprocess.PIPE, text=True)
try:
    url = re.search(r"http://([\d.]+):(\d+)", server.stdout.readline())
    host, port = url.group(1), int(url.group(2))
    c = http.client.HTTPConnection(host, port)
    c.request("GET", "/")
    page = c.getresponse()
    cookie = page.getheader("set-cookie").split(";")[0]
    page.read()
    token = cookie.split("=", 1)[1]
    lat = []
    for i in range(n):
        body = json.dumps({"source_id": 3, "start": 10 * i, "end": 10 * i + 40, "code_id": 1})
        t = time.perf_counter()
        c.request("POST", "/api/codings", body, {"Content-Type": "application/json",
                  "Cookie": cookie, "X-CSRF-Token": token})
        r = c.getresponse(); r.read()
        lat.append((time.perf_counter() - t) * 1000)
        assert r.status == 200, r.status
    lat.sort()
    print(f"{n} codings: p50 {statistics.median(lat):.1f} ms, p95 {lat[int(.95 * n)]:.1f} ms, max {lat[-1]:.1f} ms")
finally:
    server.kill()

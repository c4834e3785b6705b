#!/usr/bin/env python3
"""Whole-process search timings beside ripgrep, and /api/search over HTTP.

Called by bench/search.sh for one tier (standard library only):

    python3 bench/search_process.py BIN STUDY TXT_DIR QUERIES.json RUNS [CODINGS]

For every query of QUERIES.json (the gen_corpus workload; q8 needs codings
and is skipped), RUNS times each, median and max in ms:

- cli: `verbatim search --project STUDY --limit 50 --json QUERY` as a whole
  process (wall and CPU, user + sys) (open the study, check the index, count every hit, cut 50 KWIC
  lines, print), after one warm-up run;
- rg: `rg -L -c -i -F TEXT TXT_DIR` over the tier's .txt files (-L: the
  tiers are folders of symbolic links, which rg skips without it; lines that
  contain the text, per file: a count, no context);
- http: `GET /api/search?q=QUERY&limit=50` on `verbatim serve`, started once
  and warmed with one request per query;
- pages: the home, sources (pages 1, 2 and 100), participants, codes, reader
  (the middle source) and search pages on the same server, each timed
  once cold (the first view after the start, which fills the study-wide
  lists the server keeps) and then RUNS times, and `GET /api/deidentify`
  the first time (a scan of every source) and again (kept until the
  study changes), unless SKIP_DEID=1; PAGES_ONLY=1 leaves out every
  search (the CLI's, `/api/search` and the search page: no index is
  built), for a study just imported;
- coding: CODINGS (default 50) `POST /api/codings` one after another on
  the middle source as coder `bench` (added with `verbatim coder add` if
  missing), the first creating the code, then the home page again (its
  lists are kept across codings);
- then the server's resident and peak memory (VmRSS, VmHWM).

Every server figure is given twice: wall ms (request to last byte) and
the server process's CPU ms per request (utime + stime from
/proc/PID/stat before and after the requests, divided by their number;
10 ms ticks, so a single cold view is rounded to 10 ms), which a loaded
machine does not inflate. The load average at the end is recorded.

Prints one JSON object.
"""
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request


def ours(text):
    return f'"{text}"' if any(not c.isalnum() for c in text) else text


def timed(cmd, runs):
    """Returns the wall and CPU (user + sys) ms of each run."""
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        wall.append((time.perf_counter() - t) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return wall, cpu


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(pid):
    got = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                key, value = line.split(":")
                got[key] = int(value.split()[0]) / 1024
    return got


def cpu_ms(pid):
    """Returns the process's CPU time so far (user + sys, /proc/PID/stat
    fields 14 and 15, in clock ticks), in ms: the server's own work,
    which other processes on a loaded machine do not inflate."""
    with open(f"/proc/{pid}/stat") as f:
        # The command name (field 2) may hold spaces: split after its ')'.
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def request(base, path, body=None, headers=None):
    """Returns the ms from request to last byte, and the body."""
    req = urllib.request.Request(base + path, data=body, headers=headers or {})
    t = time.perf_counter()
    data = urllib.request.urlopen(req).read()
    return (time.perf_counter() - t) * 1000, data


def pages(base, pid, middle, runs):
    """Times every page cold, then RUNS times warm: wall ms per request
    and the server's CPU ms per request (its CPU time before and after)."""
    out = {}
    paths = ["/api/deidentify", "/", "/sources", "/sources?page=2", "/sources?page=100",
             "/participants", "/codes", f"/sources/{middle}", "/search?q=fatigue",
             "/api/deidentify"]
    if os.environ.get("SKIP_DEID") == "1":
        paths = [p for p in paths if p != "/api/deidentify"]
    if os.environ.get("PAGES_ONLY") == "1":
        paths = [p for p in paths if not p.startswith("/search")]
    for path in paths:
        c0 = cpu_ms(pid)
        cold, body = request(base, path)
        c1 = cpu_ms(pid)
        times = [cold] if path == "/api/deidentify" else [
            request(base, path)[0] for _ in range(runs)]
        c2 = cpu_ms(pid)
        warm_cpu = (c1 - c0) if path == "/api/deidentify" else (c2 - c1) / runs
        key = "/sources/ID (reader)" if path == f"/sources/{middle}" else path
        key = key if key not in out else key + " (again)"
        out[key] = {"cold_ms": cold, "cold_cpu_ms": c1 - c0,
                    "ms": statistics.median(times), "max_ms": max(times),
                    "cpu_ms": warm_cpu, "kb": len(body) / 1024}
    return out


def coding(base, middle, n):
    """POSTs n codings of 40 chars on the middle source; returns their ms."""
    req = urllib.request.Request(base + "/")
    with urllib.request.urlopen(req) as r:
        cookie = r.headers["set-cookie"].split(";")[0]
        r.read()
    token = cookie.split("=", 1)[1]
    headers = {"Content-Type": "application/json", "Cookie": cookie, "X-CSRF-Token": token}
    lat, code = [], None
    # A new code each run: a study kept between runs already has the last.
    name = f"Bench {time.strftime('%Y%m%d-%H%M%S')}"
    for i in range(n):
        body = {"source_id": middle, "start": 100 * i, "end": 100 * i + 40}
        body.update({"code_id": code} if code else {"new_code": {"name": name}})
        ms, data = request(base, "/api/codings", json.dumps(body).encode(), headers)
        lat.append(ms)
        reply = json.loads(data)
        code = code or reply["coding"]["code_id"]
    return lat


def main():
    binary, study, txt, queries, runs = sys.argv[1:6]
    codings = int(sys.argv[6]) if len(sys.argv) > 6 else 50
    runs = int(runs)
    queries = [q for q in json.load(open(queries)) if "scope" not in q]
    if os.environ.get("PAGES_ONLY") == "1":
        queries = []
    subprocess.run([binary, "coder", "add", "bench", "--project", study],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    port = free_port()
    server = subprocess.Popen(
        [binary, "serve", "--project", study, "--coder", "bench",
         "--addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    server.stdout.readline()
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        middle = max(1, len(os.listdir(txt)) // 2)
        page_times = pages(base, server.pid, middle, runs)
        for q in queries:
            text = q["query"]
            role = ["--role", "participants"] if q.get("speaker") else []
            cli, cli_cpu = timed([binary, "search", "--project", study, "--limit", "50",
                                  "--json", ours(text)] + role, runs)
            rg, rg_cpu = timed(["rg", "-L", "-c", "-i", "-F", text, txt], runs)
            params = {"q": ours(text), "limit": "50", "context": "40"}
            if q.get("speaker"):
                params["role"] = "participants"
            url = f"/api/search?{urllib.parse.urlencode(params)}"
            first, body = request(base, url)
            total = json.loads(body)["total"]
            c0 = cpu_ms(server.pid)
            http = [request(base, url)[0] for _ in range(runs)]
            http_cpu = (cpu_ms(server.pid) - c0) / runs
            rows.append({
                "id": q["id"], "query": ours(text), "total": total,
                "cli_ms": statistics.median(cli), "cli_max_ms": max(cli),
                "cli_cpu_ms": statistics.median(cli_cpu),
                "rg_ms": statistics.median(rg), "rg_max_ms": max(rg),
                "rg_cpu_ms": statistics.median(rg_cpu),
                "http_first_ms": first,
                "http_ms": statistics.median(http), "http_max_ms": max(http),
                "http_cpu_ms": http_cpu,
            })
        c0 = cpu_ms(server.pid)
        lat = coding(base, middle, codings)
        coding_cpu = (cpu_ms(server.pid) - c0) / max(1, codings)
        home_after, _ = request(base, "/")
        mem = memory(server.pid)
    finally:
        server.terminate()
        server.wait()
    lat_sorted = sorted(lat)
    print(json.dumps({"runs": runs, "server_rss_mb": mem.get("VmRSS"),
                      "server_peak_mb": mem.get("VmHWM"), "queries": rows,
                      "pages": page_times,
                      "coding": {"n": len(lat), "p50_ms": statistics.median(lat),
                                 "p95_ms": lat_sorted[int(0.95 * (len(lat) - 1))],
                                 "max_ms": max(lat), "cpu_ms": coding_cpu,
                                 "home_after_ms": home_after},
                      "loadavg": open("/proc/loadavg").read().split()[:3]},
                     indent=1))


if __name__ == "__main__":
    main()

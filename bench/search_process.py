#!/usr/bin/env python3
"""Whole-process search timings beside ripgrep, and /api/search over HTTP.

Called by bench/search.sh for one tier (standard library only):

    python3 bench/search_process.py BIN STUDY TXT_DIR QUERIES.json RUNS

For every query of QUERIES.json (the gen_corpus workload; q8 needs codings
and is skipped), RUNS times each, median and max in ms:

- cli: `verbatim search --project STUDY --limit 50 --json QUERY` as a whole
  process (wall and CPU, user + sys) (open the study, check the index, count every hit, cut 50 KWIC
  lines, print), after one warm-up run;
- rg: `rg -c -i -F TEXT TXT_DIR` over the tier's .txt files (lines that
  contain the text, per file: a count, no context);
- http: `GET /api/search?q=QUERY&limit=50` on `verbatim serve`, started once
  and warmed with one request per query;
- pages: the home, sources, participants, codes, reader (the middle source)
  and search pages on the same server, and `GET /api/deidentify` the first
  time (a scan of every source) and again (kept until the study changes);
  then the server's resident and peak memory (VmRSS, VmHWM).

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


def main():
    binary, study, txt, queries, runs = sys.argv[1:6]
    runs = int(runs)
    queries = [q for q in json.load(open(queries)) if "scope" not in q]
    port = free_port()
    server = subprocess.Popen(
        [binary, "serve", "--project", study, "--addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    server.stdout.readline()
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        for q in queries:
            text = q["query"]
            role = ["--role", "participants"] if q.get("speaker") else []
            cli, cli_cpu = timed([binary, "search", "--project", study, "--limit", "50",
                                  "--json", ours(text)] + role, runs)
            rg, rg_cpu = timed(["rg", "-c", "-i", "-F", text, txt], runs)
            params = {"q": ours(text), "limit": "50", "context": "40"}
            if q.get("speaker"):
                params["role"] = "participants"
            url = f"{base}/api/search?{urllib.parse.urlencode(params)}"
            total = json.load(urllib.request.urlopen(url))["total"]
            http = []
            for _ in range(runs):
                t = time.perf_counter()
                urllib.request.urlopen(url).read()
                http.append((time.perf_counter() - t) * 1000)
            rows.append({
                "id": q["id"], "query": ours(text), "total": total,
                "cli_ms": statistics.median(cli), "cli_max_ms": max(cli),
                "cli_cpu_ms": statistics.median(cli_cpu),
                "rg_ms": statistics.median(rg), "rg_max_ms": max(rg),
                "rg_cpu_ms": statistics.median(rg_cpu),
                "http_ms": statistics.median(http), "http_max_ms": max(http),
            })
        pages = {}
        middle = max(1, len(os.listdir(txt)) // 2)
        for path in ["/api/deidentify", "/", "/sources", "/participants", "/codes",
                     f"/sources/{middle}", "/search?q=fatigue", "/api/deidentify"]:
            times = []
            for i in range(1 if path == "/api/deidentify" else runs):
                t = time.perf_counter()
                body = urllib.request.urlopen(base + path).read()
                times.append((time.perf_counter() - t) * 1000)
            key = "/sources/ID (reader)" if path == f"/sources/{middle}" else path
            key = key if key not in pages else key + " (again)"
            pages[key] = {"ms": statistics.median(times), "max_ms": max(times),
                          "kb": len(body) / 1024}
        mem = memory(server.pid)
    finally:
        server.terminate()
        server.wait()
    print(json.dumps({"runs": runs, "server_rss_mb": mem.get("VmRSS"),
                      "server_peak_mb": mem.get("VmHWM"), "queries": rows,
                      "pages": pages}, indent=1))


if __name__ == "__main__":
    main()

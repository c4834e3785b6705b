#!/usr/bin/env python3
"""The study-wide reads of the web pages, before and after migration 0022,
on one study: CPU ms of this process (time.process_time, which a loaded
machine hardly inflates) and wall ms, median of N (standard library only).

    python3 bench/scale_queries.py STUDY.vbt [N]

"before" is the statement the pages ran until migration 0022 (every turn
grouped), "after" the one they run now (`speaker_turns`); a study not yet
upgraded has no `speaker_turns` and prints only the former. The last line
reads the 100 texts of the middle page of the sources table and counts
their words, which a sources page did on every view before.
"""
import sqlite3, statistics, sys, time
db, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
Q = {
 "summaries, turns part (before: every turn grouped)":
   "SELECT source_id, speaker, count(*), min(ordinal) AS first FROM turns WHERE speaker <> '' GROUP BY source_id, speaker ORDER BY source_id, first",
 "summaries, turns part (after: speaker_turns)":
   "SELECT source_id, speaker, turns FROM speaker_turns ORDER BY source_id, first_ordinal",
 "speaker labels (before)":
   "SELECT t.source_id, s.name, s.kind, s.site, t.speaker, count(*), min(t.ordinal) AS first FROM turns t JOIN sources s ON s.id = t.source_id WHERE t.speaker <> '' GROUP BY t.source_id, t.speaker ORDER BY t.source_id, first",
 "speaker labels (after)":
   "SELECT t.source_id, s.name, s.kind, s.site, t.speaker, t.turns, t.first_ordinal FROM speaker_turns t JOIN sources s ON s.id = t.source_id ORDER BY t.source_id, t.first_ordinal",
 "sources columns":
   "SELECT id, guid, name, format, kind, language, site, chars, imported_at, collected_on FROM sources ORDER BY id",
}
def run(sql):
    t = time.process_time(); w = time.perf_counter()
    rows = c.execute(sql).fetchall()
    return (time.process_time() - t) * 1000, (time.perf_counter() - w) * 1000, len(rows)
for name, sql in Q.items():
    try:
        runs = [run(sql) for _ in range(n)]
    except sqlite3.OperationalError as e:
        print(f"{name}: {e}"); continue
    print(f"{name}: CPU {statistics.median(r[0] for r in runs):.0f} ms, wall {statistics.median(r[1] for r in runs):.0f} ms, {runs[0][2]} rows")
def texts():
    t = time.process_time(); w = time.perf_counter()
    middle = c.execute("SELECT count(*) FROM sources").fetchone()[0] // 2
    ids = [r[0] for r in c.execute("SELECT id FROM sources ORDER BY id LIMIT 100 OFFSET ?", (middle,))]
    words = [len(c.execute("SELECT text FROM source_texts WHERE source_id = ?", (i,)).fetchone()[0].split()) for i in ids]
    return (time.process_time() - t) * 1000, (time.perf_counter() - w) * 1000, sum(words)
runs = [texts() for _ in range(n)]
print(f"word counts of one page's 100 texts (before, every view): CPU {statistics.median(r[0] for r in runs):.0f} ms, wall {statistics.median(r[1] for r in runs):.0f} ms, {runs[0][2]} words")
print("load", open("/proc/loadavg").read().split()[:3])

"""Stats, search and the CSV export on 1,000,000 events (24% in Helmand), against a bare script.

    python -m tests.benchmarks.answers [--database FILE] [--events 1000000] [--runs 20]

Without --database it generates the dataset and loads it with `conflict-events import` (about a
minute). It starts `conflict-events serve` (one worker, pinned to core 0) and, from this process
(pinned to core 1), times: a one-year stats query grouped by province; a `q=` search with a
province; the CSV export of every Helmand event, sampling the server's memory meanwhile; and a
bare Python script (sqlite3 + csv, no framework) writing the same Helmand rows to CSV.
"""

import argparse
import csv
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from tests.benchmarks.import_ndjson import rss_mb
from tests.conftest import start_server

STATS = "/v1/stats?date_from=2021-01-01&date_to=2021-12-31&group_by=province"
SEARCH = "/v1/events?q=checkpoint&province=Helmand"
SEARCH_RARE = "/v1/events?q=gunfight%20burnt&province=Helmand"
EXPORT = "/v1/events.csv?province=Helmand"


def build(events: int, workdir: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.benchmarks.import_ndjson",
            "--events",
            str(events),
            "--keep",
            str(workdir),
        ],
        check=True,
    )
    return workdir / "import.db"


def timed(client: httpx.Client, path: str, runs: int) -> tuple[float, float, int]:
    """Median and worst milliseconds over `runs` requests (after one warm-up), and a size."""
    response = client.get(path)
    assert response.status_code == 200, response.text
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    size = len(response.json().get("groups") or response.json().get("items") or [])
    return statistics.median(times), max(times), size


def export(client: httpx.Client, pid: int, encoding: str) -> tuple[float, float, float, float, int]:
    """Seconds to the first byte and to the last, peak server RSS before/during, rows.

    `encoding` is the Accept-Encoding sent: identity compares like with like with the bare
    script, gzip is what most clients ask for (lines are counted in the decoded text).
    """
    peak, stop = [rss_mb(pid)], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak.append(rss_mb(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    first = 0.0
    lines = 0
    with client.stream("GET", EXPORT, headers={"Accept-Encoding": encoding}) as response:
        for chunk in response.iter_bytes():
            if not first:
                first = time.perf_counter() - started
            lines += chunk.count(b"\n")
    total = time.perf_counter() - started
    stop.set()
    sampler.join()
    return first, total, peak[0], max(peak), lines - 1


BARE_SQL = """
SELECT e.*, (SELECT json_group_array(json_array(a.name, ea.role)) FROM event_actor ea
             JOIN actor a ON a.id = ea.actor_id WHERE ea.event_id = e.id) AS actor_list
FROM event e WHERE e.province_key = 'AF30' AND e.deleted_at IS NULL ORDER BY e.date DESC, e.id DESC
"""


def bare(database: Path, out: Path) -> tuple[float, int]:
    """The floor: sqlite3 and csv, the same rows and columns as the export, nothing else."""
    from app.exports.columns import COLUMNS

    started = time.perf_counter()
    connection = sqlite3.connect(database)
    connection.row_factory = sqlite3.Row
    rows = 0
    with out.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow([c.name for c in COLUMNS])
        for row in connection.execute(BARE_SQL):
            record = dict(row)
            record.update(json.loads(record.pop("details")))
            record["fatalities"] = json.loads(record["fatalities"] or "null")
            record["sources"] = json.loads(record["sources"])
            record["actors"] = [{"name": n, "role": r} for n, r in json.loads(record["actor_list"])]
            writer.writerow([c.value(record) for c in COLUMNS])
            rows += 1
    connection.close()
    return time.perf_counter() - started, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, help="an imported SQLite file to reuse")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ce-answers-"))
    database = args.database or build(args.events, workdir)
    os.sched_setaffinity(0, {1})
    server = start_server(f"sqlite:///{database}", workdir, CE_AUTO_SEED="false")
    subprocess.run(
        ["taskset", "-a", "-p", "-c", "0", str(server.process.pid)], check=True, capture_output=True
    )
    try:
        with httpx.Client(base_url=server.url, timeout=600) as client:
            results = {
                "stats, 2021 by province": timed(client, STATS, args.runs),
                "q=checkpoint + Helmand": timed(client, SEARCH, args.runs),
                "q=gunfight burnt + Helmand": timed(client, SEARCH_RARE, args.runs),
            }
            first, total, rss_before, rss_peak, exported = export(
                client, server.process.pid, "identity"
            )
            gzipped = export(client, server.process.pid, "gzip")
    finally:
        server.stop()
    floor, bare_rows = bare(database, workdir / "bare.csv")

    print(f"\n{database} ({database.stat().st_size / 1e9:.2f} GB); medians of {args.runs} runs")
    print(f"{'query':32} {'median ms':>10} {'worst ms':>10} {'items':>6}")
    for name, (median, worst, size) in results.items():
        print(f"{name:32} {median:10.1f} {worst:10.1f} {size:6}")
    print(
        f"\nCSV export of Helmand: {exported:,} rows in {total:.2f} s (first bytes after "
        f"{first * 1000:.0f} ms); server RSS {rss_before:.0f} MB before, {rss_peak:.0f} MB peak"
    )
    print(
        f"the same, gzipped:     {gzipped[4]:,} rows in {gzipped[1]:.2f} s; "
        f"server RSS {gzipped[3]:.0f} MB peak"
    )
    print(f"bare sqlite3 + csv:    {bare_rows:,} rows in {floor:.2f} s")
    print(f"export / bare (both uncompressed): {total / floor:.2f}x")


if __name__ == "__main__":
    main()

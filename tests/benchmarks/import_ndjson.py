"""`conflict-events import` of a generated NDJSON file into SQLite: time, rate and memory.

    python -m tests.benchmarks.import_ndjson [--events 1000000] [--keep DIR]

Generates the file deterministically (tests.benchmarks.dataset, each record with dataset and
external_id, as imports have), runs the real command in a subprocess, samples its resident memory
every 0.2 s, then shows that filtered queries use the indexes (ANALYZE is part of the import).
"""

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.dataset import events


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="keep the file and database in this folder")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="ce-import-"))
    workdir.mkdir(parents=True, exist_ok=True)
    source, database = workdir / "events.ndjson", workdir / "import.db"
    database.unlink(missing_ok=True)

    started = time.perf_counter()
    with source.open("w", encoding="utf-8") as out:
        for n, record in enumerate(events(args.events)):
            record |= {"dataset": "benchmark", "external_id": str(n)}
            out.write(json.dumps(record) + "\n")
    print(
        f"generated {args.events:,} records, {source.stat().st_size / 1e6:,.0f} MB, "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    env = os.environ | {"DATABASE_URL": f"sqlite:///{database}", "CE_DATA_DIR": str(workdir)}
    subprocess.run(
        [sys.executable, "-m", "app.ops.cli", "migrate"], env=env, check=True, capture_output=True
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.ops.cli", "import", str(source)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    samples: list[tuple[float, float]] = []
    while process.poll() is None:
        samples.append((time.perf_counter() - started, rss_mb(process.pid)))
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"import failed:\n{out}\n{err}")
    print(out.strip())
    memory = [mb for _, mb in samples if mb]
    tenth = max(1, len(memory) // 10)
    print(f"import: {elapsed:.1f} s, {args.events / elapsed:,.0f} records/s")
    peaks = [max(memory[i : i + tenth]) for i in range(0, len(memory), tenth)]
    print("memory (RSS, MB), peak of each tenth of the run: " + " ".join(f"{p:.0f}" for p in peaks))

    connection = sqlite3.connect(database)
    newest = "ORDER BY date DESC, id DESC LIMIT 51"
    queries = {
        "province + year": "SELECT id FROM event WHERE province_key = 'AF30' AND deleted_at IS NULL"
        f" AND span_start <= '2021-12-31' AND span_end >= '2021-01-01'"
        # the bounds on date that /v1/events derives from the table date_reach
        f" AND date >= '2021-01-01' AND date <= '2021-12-31' {newest}",
        "actor": "SELECT id FROM event WHERE id IN"
        f" (SELECT event_id FROM event_actor WHERE actor_id = 1) {newest}",
        "changes": "SELECT id FROM event WHERE updated_at > '2000-01-01'"
        " ORDER BY updated_at, id LIMIT 51",
    }
    analyzed = connection.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0]
    print(f"sqlite_stat1 rows after import: {analyzed}")
    for name, sql in queries.items():
        plan = " | ".join(row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql))
        begun = time.perf_counter()
        connection.execute(sql).fetchall()
        print(f"{name:16} {1000 * (time.perf_counter() - begun):7.1f} ms  {plan}")
    print(f"files in {workdir}" if args.keep else "")


if __name__ == "__main__":
    main()

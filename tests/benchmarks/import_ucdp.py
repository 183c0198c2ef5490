"""`conflict-events import --format ucdp` of 100,000 real UCDP GED rows, then again unchanged.

    python -m tests.benchmarks.import_ucdp [--rows 100000] [--keep DIR]

The rows are the 601 events of the GED 24.1 sample in tests/fixtures (Bangladesh), repeated; each
copy offsets the ids so that every row is new. The real command runs in a subprocess against a new
SQLite file, twice: the second run finds every row stored and unchanged.
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "ucdp-ged-241-bgd-sample.csv"


def write_rows(path: Path, count: int) -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [row for row in reader if not row[1].startswith("#")]
    at = header.index("id")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for n in range(count):
            copy, index = divmod(n, len(rows))
            row = list(rows[index])
            row[at] = str(int(row[at]) + copy * 10_000_000)
            writer.writerow(row)


def run(env: dict[str, str], path: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "app.ops.cli", "import", "--format", "ucdp", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import failed:\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep the file and database in this folder")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="ce-ucdp-"))
    workdir.mkdir(parents=True, exist_ok=True)
    source, database = workdir / "ged241-repeated.csv", workdir / "ucdp.db"
    database.unlink(missing_ok=True)
    write_rows(source, args.rows)
    env = os.environ | {"CE_DATABASE_URL": f"sqlite:///{database}", "CE_DATA_DIR": str(workdir)}
    first, report = run(env, source)
    print(report)
    print(f"first import: {first:.1f} s ({args.rows / first:,.0f} rows/s; target 15 s)")
    again, report = run(env, source)
    print(report)
    print(f"re-import, all unchanged: {again:.1f} s ({args.rows / again:,.0f} rows/s; target 10 s)")


if __name__ == "__main__":
    main()

"""SQLite and PostgreSQL side by side: filtered-list reads/s and creates/s with 1 and 4 workers.

    python -m tests.benchmarks.backends [--events 20000] [--seconds 10]

Needs wrk (Debian's package) and a PostgreSQL server (BENCH_DATABASE_URL, default this machine's
postgresql://postgres@127.0.0.1:5432/test, where a scratch database is created and dropped).
Each server runs `conflict-events serve` on 127.0.0.1; wrk uses 8 connections. With one worker the
server is pinned to core 0 and wrk to core 1; with four workers neither is pinned.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlmodel import Session

from app.core.database import make_engine, writer
from app.core.settings import Settings
from app.events.schemas import EventIn, EventInModel
from app.events.writes import EventWriter, prepared_or_422
from app.ops.schema import analyze, migrate
from app.ops.seeding import load_seeds
from tests.benchmarks.dataset import events
from tests.conftest import WRITE_KEY, LiveServer, start_server

READ_PATH = "/v1/events?province=Helmand&date_from=2021-01-01&date_to=2021-12-31&limit=50"
CREATE_BODY = {
    "kind": "offensive",
    "date": "2021-06-10",
    "country": "AFG",
    "province": "Kunduz",
    "actors": [{"name": "Taliban", "role": "initiator"}],
    "summary": "Benchmark create.",
    "sources": [{"publisher": "Benchmark Wire"}],
}


def load(url: str, count: int) -> float:
    settings = Settings(database_url=url)
    migrate(settings)
    engine = make_engine(settings)
    load_seeds(engine=engine, seeds_dir=settings.seeds_dir)
    adapter: TypeAdapter[EventInModel] = TypeAdapter(EventIn)
    started = time.perf_counter()
    records = events(count)
    while batch := list(islice(records, 1000)):
        with Session(writer(engine)) as session:
            event_writer = EventWriter(session, by="benchmark")
            event_writer.create_many([prepared_or_422(adapter.validate_python(r)) for r in batch])
            event_writer.commit()
    analyze(engine)
    engine.dispose()
    return time.perf_counter() - started


def wrk(url: str, seconds: int, *, pin: bool, script: str | None = None) -> dict[str, float]:
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", url]
    if script:
        command[1:1] = ["-s", script]
    if pin:
        command = ["taskset", "-c", "1", *command]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def ms(label: str) -> float:
        match = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out)
        if not match:
            return float("nan")
        return float(match[1]) * {"us": 0.001, "ms": 1, "s": 1000}[match[2]]

    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),  # type: ignore[index]
        "requests": float(re.search(r"(\d+) requests in", out)[1]),  # type: ignore[index]
        "p50": ms("50"),
        "p99": ms("99"),
        "errors": float(errors[1]) if errors else 0.0,
    }


def count_rows(url: str) -> int:
    engine = make_engine(Settings(database_url=url))
    with engine.connect() as connection:
        total = connection.execute(sa.text("SELECT count(*) FROM event")).scalar_one()
    engine.dispose()
    return int(total)


def serve(url: str, workdir: Path, workers: int) -> LiveServer:
    env = {"CE_AUTO_SEED": "false"}
    server = start_server(url, workdir, "--workers", str(workers), **env)
    if workers == 1:  # pin the server (and its threads) to core 0
        subprocess.run(
            ["taskset", "-a", "-p", "-c", "0", str(server.process.pid)],
            check=True,
            capture_output=True,
        )
    return server


def measure(name: str, url: str, workdir: Path, count: int, seconds: int) -> dict[str, Any]:
    print(f"[{name}] loading {count} events ...", flush=True)
    result: dict[str, Any] = {"load_s": load(url, count)}
    script = workdir / "create.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(json.dumps(CREATE_BODY))}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {WRITE_KEY}"\n'
    )
    for workers in (1, 4):
        server = serve(url, workdir, workers)
        try:
            if workers == 1:
                result["read"] = wrk(server.url + READ_PATH, seconds, pin=True)
            before = count_rows(url)
            created = wrk(server.url + "/v1/events", seconds, pin=workers == 1, script=str(script))
            time.sleep(1)  # let in-flight requests finish before counting
            created["stored"] = count_rows(url) - before
            result[f"create_{workers}"] = created
        finally:
            server.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    pg_base = sa.make_url(
        Settings(
            database_url=os.environ.get(
                "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
            )
        ).sqlalchemy_url
    )
    admin = sa.create_engine(pg_base, isolation_level="AUTOCOMMIT")
    scratch = "ce_bench_backends"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{scratch}"')
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        results["SQLite"] = measure(
            "SQLite", f"sqlite:///{workdir / 'bench.db'}", workdir, args.events, args.seconds
        )
        pg_url = pg_base.set(database=scratch).render_as_string(hide_password=False)
        results["PostgreSQL"] = measure("PostgreSQL", pg_url, workdir, args.events, args.seconds)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    admin.dispose()

    print(f"\n{args.events} events (+10 seeds); wrk 8 connections, {args.seconds} s per run")
    print(f"read:   GET {READ_PATH}")
    print("create: POST /v1/events (one offensive, Bearer write key)\n")
    print(f"{'':40} {'SQLite':>16} {'PostgreSQL':>16}")
    for (label, sqlite_cell), (_, postgres_cell) in zip(
        table(results["SQLite"]), table(results["PostgreSQL"]), strict=True
    ):
        print(f"{label:40} {sqlite_cell:>16} {postgres_cell:>16}")


def table(r: dict[str, Any]) -> list[tuple[str, str]]:
    errors = sum(r[k]["errors"] for k in ("read", "create_1", "create_4"))
    return [
        ("load through EventWriter (s)", f"{r['load_s']:.1f}"),
        ("read req/s, 1 worker", f"{r['read']['rps']:.0f}"),
        ("read p50 / p99 (ms)", f"{r['read']['p50']:.1f} / {r['read']['p99']:.1f}"),
        ("create req/s, 1 worker", f"{r['create_1']['rps']:.0f}"),
        (
            "create p50 / p99 (ms), 1 worker",
            f"{r['create_1']['p50']:.1f} / {r['create_1']['p99']:.1f}",
        ),
        ("create req/s, 4 workers", f"{r['create_4']['rps']:.0f}"),
        (
            "create p50 / p99 (ms), 4 workers",
            f"{r['create_4']['p50']:.1f} / {r['create_4']['p99']:.1f}",
        ),
        ("non-2xx answers (all runs)", f"{errors:.0f}"),
        (
            "creates answered / stored, 4 workers",
            f"{r['create_4']['requests']:.0f} / {r['create_4']['stored']}",
        ),
    ]


if __name__ == "__main__":
    main()

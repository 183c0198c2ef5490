"""Our server against Datasette on the same 1,000,000 events, asked the same questions for the
same rows and fields, with wrk; and the exports against a bare sqlite3 script.

    python -m tests.benchmarks.vs_datasette [--database FILE] [--events 1000000] [--seconds 6]
        [--rounds 3] [--table-view]

Without --database it generates the dataset (tests.benchmarks.dataset: single-day events, so a
date filter is a plain range) and loads it with `conflict-events import`. Datasette is
pip-installed into the benchmark's own virtual environment (in the work folder, made once).

How the comparison is kept fair:
- Datasette is asked the way a Datasette user asks for these rows: its SQL endpoint
  (`/db.json?sql=...&_shape=array`), immutable mode (`-i`), with the plain SQL such a user writes:
  the indexed columns, the actor join written out, `ORDER BY date DESC, id DESC LIMIT 50`, and
  the same 12 fields ours returns with `fields=`. Its table view (which counts rows and looks
  for facets on every page) is only a footnote (`--table-view`).
- Ours answers the same query with `fields=` (the same 12 fields) and with full records. Ours
  does more per request (actor names and roles, aliases resolved, spans, a signed cursor): that
  is part of the cost. Its access log is off, as Datasette's goes nowhere.
- Both answer the same rows: each query's ids are compared first.
- Both servers run one process pinned to core 0 (never at the same time); wrk (Debian's
  package: one thread, 8 connections, `--latency`) runs pinned to core 1. Each round runs every
  variant once, in a rotated order; the figures are the medians over the rounds.

Then each export (CSV and NDJSON, the 12 fields and full records, of Helmand's events) is
streamed and timed against a bare script reading the same rows with sqlite3 and writing them with
the standard library (csv, json), while our server's memory is sampled.
"""

import argparse
import csv
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

from tests.benchmarks.answers import build
from tests.benchmarks.import_ndjson import rss_mb
from tests.conftest import LiveServer, start_server

YEAR = ("2021-01-01", "2021-12-31")
MONTH = ("2021-05-01", "2021-05-31")
FIELDS = (
    "id",
    "kind",
    "date",
    "country",
    "province",
    "province_pcode",
    "district",
    "district_pcode",
    "latitude",
    "longitude",
    "summary",
    "external_id",
)
PAGE = "ORDER BY e.date DESC, e.id DESC LIMIT 50"


@dataclass
class Query:
    name: str
    ours: str  # path and query, without fields=
    sql: str  # what a Datasette user writes for the same 50 rows and 12 fields
    rates: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)


def queries(actor: str, actor_id: int) -> list[Query]:
    columns = ", ".join(f"e.{name}" for name in FIELDS)
    helmand = "e.province_key = 'AF30'"
    live = "e.deleted_at IS NULL"
    month = f"e.date BETWEEN '{MONTH[0]}' AND '{MONTH[1]}'"
    year = f"e.date BETWEEN '{YEAR[0]}' AND '{YEAR[1]}'"
    join = f"JOIN event_actor ea ON ea.event_id = e.id AND ea.actor_id = {actor_id}"
    named = quote(actor)
    return [
        Query(
            "province",
            "/v1/events?province=Helmand&limit=50",
            f"SELECT {columns} FROM event e WHERE {helmand} AND {live} {PAGE}",
        ),
        Query(
            "province + month",
            f"/v1/events?province=Helmand&date_from={MONTH[0]}&date_to={MONTH[1]}&limit=50",
            f"SELECT {columns} FROM event e WHERE {helmand} AND {month} AND {live} {PAGE}",
        ),
        Query(
            "actor + year",
            f"/v1/events?actor={named}&date_from={YEAR[0]}&date_to={YEAR[1]}&limit=50",
            f"SELECT {columns} FROM event e {join} WHERE {year} AND {live} {PAGE}",
        ),
        Query(
            "province + month + actor",
            f"/v1/events?province=Helmand&actor={named}&date_from={MONTH[0]}"
            f"&date_to={MONTH[1]}&limit=50",
            f"SELECT {columns} FROM event e {join} WHERE {helmand} AND {month} AND {live} {PAGE}",
        ),
    ]


def wrk(url: str, seconds: int) -> tuple[float, float, float]:
    """Requests/s, p50 and p99 in ms."""
    out = subprocess.run(
        ["taskset", "-c", "1", "wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        match = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out)
        if match is None:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise SystemExit(f"{url}: {non_2xx.group(1)} failed answers\n{out}")
    return float(rate.group(1)) if rate else 0.0, ms("50%"), ms("99%")


def datasette_venv(workdir: Path) -> Path:
    venv = workdir / "datasette-venv"
    if not (venv / "bin" / "datasette").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "datasette"], check=True)
    return venv / "bin" / "datasette"


class Datasette:
    def __init__(self, binary: Path, database: Path) -> None:
        self.binary, self.database = binary, database
        self.port = 8770 + os.getpid() % 100
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["taskset", "-c", "0", str(self.binary), "serve", "-i", str(self.database),
             "-p", str(self.port), "--setting", "sql_time_limit_ms", "60000",
             "--setting", "suggest_facets", "off", "--setting", "max_returned_rows", "1000"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/-/versions.json", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit("Datasette did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def path(self, sql: str) -> str:
        return f"/{self.database.stem}.json?sql={quote(sql)}&_shape=array"


class Ours:
    def __init__(self, database: Path, workdir: Path) -> None:
        self.database, self.workdir = database, workdir
        self.server: LiveServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    @property
    def pid(self) -> int:
        assert self.server is not None
        return self.server.process.pid

    def start(self) -> None:
        self.server = start_server(
            f"sqlite:///{self.database}",
            self.workdir,
            "--no-seed",
            CE_AUTO_SEED="false",
            CE_ACCESS_LOG="false",
        )
        subprocess.run(
            ["taskset", "-a", "-p", "-c", "0", str(self.pid)], check=True, capture_output=True
        )

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def same_rows(ours: Ours, datasette: Datasette, query: Query) -> dict[str, int]:
    """The page's bytes in each form; stops when ours and Datasette's rows differ."""
    ids = []
    sizes = {}
    for name, url in variants(ours, datasette, query).items():
        response = httpx.get(url, timeout=120)  # warms the caches, too
        assert response.status_code == 200, (url, response.text[:300])
        body = response.json()
        rows = body["items"] if isinstance(body, dict) else body
        ids.append([row["id"] for row in rows])
        sizes[name] = len(response.content)
    if any(i != ids[0] for i in ids):
        raise SystemExit(f"{query.name}: the servers answer different rows")
    return sizes


def variants(ours: Ours, datasette: Datasette, query: Query) -> dict[str, str]:
    found = {}
    if ours.server is not None:
        found["ours, full records"] = ours.url + query.ours
        found["ours, fields="] = ours.url + query.ours + "&fields=" + ",".join(FIELDS)
    if datasette.process is not None:
        found["Datasette SQL"] = datasette.url + datasette.path(query.sql)
    return found


def measure(
    servers: list[tuple[str, Callable[[], None], Callable[[], None]]],
    found: list[Query],
    ours: Ours,
    datasette: Datasette,
    seconds: int,
    rounds: int,
) -> float:
    """Every variant of every query, `rounds` times, each server alone, the order rotated by
    round; returns our server's peak RSS."""
    peak = 0.0
    for round_ in range(rounds):
        order = servers[round_ % len(servers) :] + servers[: round_ % len(servers)]
        for name, start, stop in order:
            start()
            try:
                for query in found:
                    for variant, url in variants(ours, datasette, query).items():
                        httpx.get(url, timeout=120)  # warm
                        query.rates.setdefault(variant, []).append(wrk(url, seconds))
                    if ours.server is not None:
                        peak = max(peak, rss_mb(ours.pid))
            finally:
                stop()
            print(f"  round {round_ + 1}: {name} done", file=sys.stderr, flush=True)
    return peak


def median(results: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return (
        statistics.median(r[0] for r in results),
        statistics.median(r[1] for r in results),
        statistics.median(r[2] for r in results),
    )


def download(url: str, pid: int | None) -> tuple[float, int, float]:
    """Seconds to stream a URL to the end, its bytes, and the server's peak RSS meanwhile."""
    peak, stop = [rss_mb(pid) if pid else 0.0], threading.Event()

    def sample() -> None:
        while pid and not stop.is_set():
            peak.append(rss_mb(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    size = 0
    started = time.perf_counter()
    with httpx.stream("GET", url, timeout=600, headers={"Accept-Encoding": "identity"}) as r:
        for chunk in r.iter_raw():
            size += len(chunk)
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    return elapsed, size, max(peak)


def floor(database: Path, out: Path, form: str) -> tuple[float, int]:
    """The bare floor: the same 12 fields of Helmand's rows, newest first, read with sqlite3
    and written with csv or json; seconds and bytes."""
    started = time.perf_counter()
    connection = sqlite3.connect(database)
    rows = connection.execute(
        f"SELECT {', '.join(FIELDS)} FROM event WHERE province_key = 'AF30' "
        "AND deleted_at IS NULL ORDER BY date DESC, id DESC"
    )
    with out.open("w", newline="", encoding="utf-8") as f:
        if form == "csv":
            writer = csv.writer(f, lineterminator="\r\n")
            writer.writerow(FIELDS)
            writer.writerows(rows)
        else:
            for row in rows:
                f.write(json.dumps(dict(zip(FIELDS, row, strict=True)), ensure_ascii=False))
                f.write("\n")
    connection.close()
    return time.perf_counter() - started, out.stat().st_size


def exports(ours: Ours, database: Path, workdir: Path) -> list[str]:
    lines = []
    ours.start()
    try:
        for form in ("csv", "ndjson"):
            bare_s, bare_bytes = floor(database, workdir / f"bare.{form}", form)
            url = f"{ours.url}/v1/events.{form}?province=Helmand"
            few_s, few_bytes, few_rss = download(f"{url}&fields={','.join(FIELDS)}", ours.pid)
            all_s, all_bytes, all_rss = download(url, ours.pid)
            per_byte = (few_s / few_bytes) / (bare_s / bare_bytes)
            lines.append(
                f"{form:6} 12 fields: ours {few_s:5.1f} s, {few_bytes / 1e6:5.0f} MB; bare "
                f"{bare_s:5.1f} s, {bare_bytes / 1e6:5.0f} MB; ours/bare per byte {per_byte:4.2f}x"
                f" | full records: {all_s:5.1f} s, {all_bytes / 1e6:5.0f} MB"
                f" | peak RSS {max(few_rss, all_rss):4.0f} MB"
            )
    finally:
        ours.stop()
    return lines


def table_view(datasette: Datasette, seconds: int) -> str:
    """The footnote: Datasette's table view for Helmand's page (it counts and looks for facets
    unless told not to; told here, as a user tuning it would)."""
    path = (
        f"/{datasette.database.stem}/event.json?province_key=AF30&deleted_at__isnull=1"
        "&_size=50&_sort_desc=date&_nocount=1&_nofacet=1&_shape=objects"
    )
    datasette.start()
    try:
        httpx.get(datasette.url + path, timeout=120)
        rate, p50, p99 = wrk(datasette.url + path, seconds)
    finally:
        datasette.stop()
    return f"Datasette table view, province page: {rate:.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, help="an imported SQLite file to reuse")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=6, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, help="keeps Datasette's venv between runs")
    parser.add_argument("--table-view", action="store_true", help="the footnote, too")
    parser.add_argument("--no-exports", action="store_true")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ce-vs-datasette-"))
    workdir.mkdir(parents=True, exist_ok=True)
    database = args.database or build(args.events, workdir)
    datasette = Datasette(datasette_venv(workdir), database)
    connection = sqlite3.connect(database)
    actor_id, actor = connection.execute(
        "SELECT a.id, a.name FROM actor a JOIN event_actor ea ON ea.actor_id = a.id "
        "GROUP BY a.id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    connection.close()
    os.sched_setaffinity(0, {1})
    ours = Ours(database, workdir)
    found = queries(actor, actor_id)

    # The same rows first: both up at once, for the check only.
    ours.start()
    datasette.start()
    try:
        sizes = {q.name: same_rows(ours, datasette, q) for q in found}
    finally:
        ours.stop()
        datasette.stop()
    peak = measure(
        [("ours", ours.start, ours.stop), ("Datasette", datasette.start, datasette.stop)],
        found,
        ours,
        datasette,
        args.seconds,
        args.rounds,
    )
    export_lines = [] if args.no_exports else exports(ours, database, workdir)
    footnote = table_view(datasette, args.seconds) if args.table_view else ""

    print(
        f"\n{database}: wrk -t1 -c8, {args.seconds} s per run, medians of {args.rounds} rounds;"
        " each server alone on core 0, wrk on core 1"
    )
    header = ("query", "ours full", "ours fields=", "Datasette SQL", "same-payload ratio")
    print(f"{header[0]:26} {header[1]:>22} {header[2]:>22} {header[3]:>22}   {header[4]}")
    for query in found:
        cells = []
        for variant in ("ours, full records", "ours, fields=", "Datasette SQL"):
            rate, p50, p99 = median(query.rates[variant])
            cells.append(f"{rate:6.0f}/s p50 {p50:4.1f} p99 {p99:5.1f}")
        ratio = median(query.rates["ours, fields="])[0] / median(query.rates["Datasette SQL"])[0]
        print(f"{query.name:26} {cells[0]:>22} {cells[1]:>22} {cells[2]:>22}   {ratio:5.2f}x")
    for name, size in sizes.items():
        print(f"page bytes, {name}: " + ", ".join(f"{k} {v:,}" for k, v in size.items()))
    print(f"our server's peak RSS during the pages: {peak:.0f} MB")
    for line in export_lines:
        print(line)
    if footnote:
        print(f"\nFootnote: {footnote}")


if __name__ == "__main__":
    main()

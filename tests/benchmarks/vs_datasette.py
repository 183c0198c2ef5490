"""Our server against Datasette on the same 1,000,000 events, with wrk; and the bare-Python floor.

    python -m tests.benchmarks.vs_datasette [--database FILE] [--events 1000000] [--seconds 10]

Without --database it generates the dataset and loads it with `conflict-events import` (about a
minute; tests.benchmarks.import_ndjson). Datasette is pip-installed into the benchmark's own
virtual environment (in the work folder, made once). Both servers run one process pinned to core
0; wrk (Debian's package: `--latency`, 8 connections, one thread) runs pinned to core 1, on each
query against ours and then against Datasette. Datasette is asked the equivalent question of its
table API: the same filters, 50 rows, newest first, without its row count and facets (which would
count a million rows per page). The floor is a bare Python function doing the same query with
sqlite3 and json.dumps. Then each streams the Helmand CSV, timed against a bare sqlite3 + csv
script, while our server's memory is sampled.
"""

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

from tests.benchmarks.answers import bare, build
from tests.benchmarks.import_ndjson import rss_mb
from tests.conftest import start_server

YEAR = ("2021-01-01", "2021-12-31")
MONTH = ("2021-05-01", "2021-05-31")
DS_PAGE = "_size=50&_nocount=1&_nofacet=1&_shape=objects&_sort_desc=date&deleted_at__isnull=1"
STATS_SQL = (
    "select province_key, count(*) as events, sum(fatalities_value) as fatalities, "
    + ", ".join(
        f"sum(case when fatalities_qualifier = '{q}' then 1 else 0 end) as {q}"
        for q in ("exact", "about", "at_least", "more_than", "at_most")
    )
    + " from event where deleted_at is null and span_end >= '2021-01-01' and "
    "span_start <= '2021-12-31' and date >= '2021-01-01' and date <= '2021-12-31' "
    "group by province_key"
)
# Datasette searches a table only when told which full-text table indexes it.
METADATA = {
    "databases": {"import": {"tables": {"event": {"fts_table": "event_fts", "fts_pk": "id"}}}}
}


@dataclass
class Query:
    name: str
    ours: str
    datasette: str
    floor_sql: str  # the bare floor's query (50 rows)


def queries(actor_id: int, actor: str, db: str) -> list[Query]:
    in_actor = f"id in (select event_id from event_actor where actor_id = {actor_id})"
    # The floor asks SQLite what our server asks it (a common actor or word checked per record).
    has_actor = (
        "exists (select 1 from event_actor ea where ea.event_id = event.id and "
        f"ea.actor_id = {actor_id})"
    )
    page = "order by date desc, id desc limit 50"
    helmand = "province_key = 'AF30' and deleted_at is null"
    month = f"date >= '{MONTH[0]}' and date <= '{MONTH[1]}'"
    year = f"date >= '{YEAR[0]}' and date <= '{YEAR[1]}'"
    return [
        Query(
            "province",
            "/v1/events?province=Helmand",
            f"/{db}/event.json?province_key=AF30&{DS_PAGE}",
            f"select * from event where {helmand} {page}",
        ),
        Query(
            "province + month",
            f"/v1/events?province=Helmand&date_from={MONTH[0]}&date_to={MONTH[1]}",
            f"/{db}/event.json?province_key=AF30&date__gte={MONTH[0]}&date__lte={MONTH[1]}"
            f"&{DS_PAGE}",
            f"select * from event where {helmand} and {month} {page}",
        ),
        Query(
            "actor + year",
            f"/v1/events?actor={quote(actor)}&date_from={YEAR[0]}&date_to={YEAR[1]}",
            f"/{db}/event.json?_where={quote(in_actor)}&date__gte={YEAR[0]}"
            f"&date__lte={YEAR[1]}&{DS_PAGE}",
            f"select * from event where {has_actor} and deleted_at is null and {year} {page}",
        ),
        Query(
            "province + month + actor",
            f"/v1/events?province=Helmand&actor={quote(actor)}&date_from={MONTH[0]}"
            f"&date_to={MONTH[1]}",
            f"/{db}/event.json?province_key=AF30&_where={quote(in_actor)}"
            f"&date__gte={MONTH[0]}&date__lte={MONTH[1]}&{DS_PAGE}",
            f"select * from event where {helmand} and {has_actor} and {month} {page}",
        ),
        Query(
            "q=checkpoint + province",
            "/v1/events?q=checkpoint&province=Helmand",
            f"/{db}/event.json?_search=checkpoint&province_key=AF30&{DS_PAGE}",
            "select * from event where exists (select 1 from event_fts where event_fts "
            f"match 'checkpoint' and event_fts.rowid = event.id) and {helmand} {page}",
        ),
        Query(
            "stats 2021 by province",
            f"/v1/stats?date_from={YEAR[0]}&date_to={YEAR[1]}&group_by=province",
            f"/{db}.json?sql={quote(STATS_SQL)}&_shape=array",
            STATS_SQL,
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


def floor_ms(database: Path, sql: str, runs: int = 200) -> float:
    """Milliseconds for a bare sqlite3 query and json.dumps of its rows."""
    connection = sqlite3.connect(database)
    connection.row_factory = sqlite3.Row
    started = time.perf_counter()
    for _ in range(runs):
        json.dumps([dict(row) for row in connection.execute(sql)])
    connection.close()
    return (time.perf_counter() - started) / runs * 1000


def datasette_venv(workdir: Path) -> Path:
    venv = workdir / "datasette-venv"
    if not (venv / "bin" / "datasette").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "datasette"], check=True)
    return venv / "bin" / "datasette"


def start_datasette(binary: Path, database: Path, port: int) -> subprocess.Popen[bytes]:
    metadata = database.parent / "datasette-metadata.json"
    metadata.write_text(json.dumps(METADATA).replace('"import"', json.dumps(database.stem)))
    process = subprocess.Popen(
        ["taskset", "-c", "0", str(binary), "serve", "-i", str(database), "-p", str(port),
         "--metadata", str(metadata), "--setting", "sql_time_limit_ms", "60000",
         "--setting", "suggest_facets", "off", "--setting", "max_returned_rows", "1000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/-/versions.json", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("Datasette did not start")


def download(url: str, pid: int | None) -> tuple[float, float]:
    """Seconds to stream a URL to the end, and the server's peak RSS meanwhile (MB)."""
    peak, stop = [rss_mb(pid) if pid else 0.0], threading.Event()

    def sample() -> None:
        while pid and not stop.is_set():
            peak.append(rss_mb(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    with httpx.stream("GET", url, timeout=600, headers={"Accept-Encoding": "identity"}) as r:
        for _ in r.iter_raw():
            pass
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    return elapsed, max(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, help="an imported SQLite file to reuse")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--workdir", type=Path, help="keeps Datasette's venv between runs")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ce-vs-datasette-"))
    workdir.mkdir(parents=True, exist_ok=True)
    database = args.database or build(args.events, workdir)
    binary = datasette_venv(workdir)
    connection = sqlite3.connect(database)
    actor_id, actor = connection.execute(
        "select a.id, a.name from actor a join event_actor ea on ea.actor_id = a.id "
        "group by a.id order by count(*) desc limit 1"
    ).fetchone()
    connection.close()
    os.sched_setaffinity(0, {1})
    ours = start_server(f"sqlite:///{database}", workdir, CE_AUTO_SEED="false")
    subprocess.run(
        ["taskset", "-a", "-p", "-c", "0", str(ours.process.pid)], check=True, capture_output=True
    )
    port = 8770 + os.getpid() % 100
    theirs = start_datasette(binary, database, port)
    ds_url = f"http://127.0.0.1:{port}"
    peak_rss = rss_mb(ours.process.pid)
    rows = []
    try:
        for query in queries(actor_id, actor, database.stem):
            answers = []
            for base, path in ((ours.url, query.ours), (ds_url, query.datasette)):
                response = httpx.get(base + path, timeout=120)  # warms the caches, too
                assert response.status_code == 200, (path, response.text[:300])
                answers.append(response.json())
            if "items" in answers[0]:  # the same question: the same page (ties in any order)
                ours_dates = [item["date"] for item in answers[0]["items"]]
                assert ours_dates == [row["date"] for row in answers[1]["rows"]], query.name
            ours_result = wrk(ours.url + query.ours, args.seconds)
            peak_rss = max(peak_rss, rss_mb(ours.process.pid))
            ds_result = wrk(ds_url + query.datasette, args.seconds)
            rows.append((query.name, ours_result, ds_result, floor_ms(database, query.floor_sql)))
            print(f"  {query.name}: done", file=sys.stderr, flush=True)
        export_ours, export_rss = download(
            f"{ours.url}/v1/events.csv?province=Helmand", ours.process.pid
        )
        export_ds, _ = download(
            f"{ds_url}/{database.stem}/event.csv?province_key=AF30&deleted_at__isnull=1&_stream=on"
            "&_size=max&_sort_desc=date",
            None,
        )
    finally:
        ours.stop()
        theirs.kill()
    floor_csv, exported = bare(database, workdir / "bare.csv")

    print(f"\n{database}: wrk, 8 connections, {args.seconds} s each; servers on core 0, wrk on 1")
    print(
        f"{'query':26} {'ours req/s':>10} {'p50':>7} {'p99':>7}   {'Datasette':>9} {'p50':>7}"
        f" {'p99':>7}   {'ratio':>5}   {'floor':>9}"
    )
    for name, (rate, p50, p99), (ds_rate, ds_p50, ds_p99), floor in rows:
        print(
            f"{name:26} {rate:10.0f} {p50:6.1f}ms {p99:5.1f}ms   {ds_rate:9.0f} {ds_p50:6.1f}ms"
            f" {ds_p99:5.1f}ms   {rate / max(ds_rate, 0.01):4.1f}x   {1000 / floor:7.0f}/s"
        )
    print(
        f"\nHelmand CSV ({exported:,} rows): ours {export_ours:.1f} s, Datasette {export_ds:.1f} s,"
        f" bare sqlite3 + csv {floor_csv:.1f} s; ours / bare {export_ours / floor_csv:.2f}x"
    )
    print(f"our server's peak RSS: {max(peak_rss, export_rss):.0f} MB (lists and the export)")


if __name__ == "__main__":
    main()

"""Soak test: the real server under a steady mix of reads and writes; errors, latency, memory.

    python -m tests.benchmarks.soak [--warmup 90] [--seconds 60] [--threads 6] [--database-url URL]

Starts `conflict-events serve` (one worker) on 127.0.0.1, on a fresh SQLite database in a
temporary folder, which it migrates and seeds; with --database-url (PostgreSQL, say) on that
database instead, where it migrates, seeds if needed, and only ever changes or deletes the records
it created itself (dataset `soak-<time>`). Each client thread, on its own keep-alive connection,
picks requests at random: filtered lists (and their next page), incremental sync, stats, single
records and their history, a small CSV and GeoJSON export, ACLED's read endpoint, the catalogues
(about 70% of requests); creates, edits (PATCH, and PUT, with If-Match), deletes and small bulk
loads of its own records (about 30%). Each thread keeps at most 40 records of its own alive, so
the database stays about the same size.

Prints requests by kind with p50/p99 latency, every error (a 5xx, a dropped connection, or any
status that the request should not get: a thread edits only its own records, so even a 412 is
one), the server's resident memory (VmRSS of /proc/PID/status, sampled every second) at start,
after the warm-up (the same load, until the caches are full) and at the end, and a verdict on its
growth. Exits 1 on any error.
"""

import argparse
import random
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.benchmarks.import_ndjson import rss_mb
from tests.conftest import WRITE, LiveServer, start_server
from tests.payloads import displacement, offensive

PROVINCES = ["Helmand", "Kandahar", "Kunduz", "AF30", "hilmand", "Takhar"]
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
KEEP = 40  # live records per thread at most


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    failed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error is not None:
                self.errors.append(f"{kind}: {error}")
                self.failed[kind] += 1


class Client:
    """One thread's requests: reads of anything, writes of its own records only."""

    def __init__(self, number: int, url: str, dataset: str, tally: Tally, seed_ids: list[int]):
        self.number, self.dataset, self.tally = number, dataset, tally
        self.http = httpx.Client(base_url=url, headers=WRITE, timeout=30)
        self.rng = random.Random(number)
        self.seed_ids = seed_ids
        self.mine: dict[int, tuple[int, str]] = {}  # live records made here: version, external_id
        self.deleted: list[int] = []
        self.made = 0

    def call(
        self, kind: str, method: str, path: str, expect: int, **kwargs: Any
    ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = self.http.request(method, path, **kwargs)
            response.read()
        except httpx.HTTPError as failure:
            self.tally.add(kind, time.perf_counter() - started, f"{method} {path}: {failure!r}")
            return None
        elapsed = time.perf_counter() - started
        problem = None
        if response.status_code != expect:
            problem = f"{method} {path}: {response.status_code} {response.text[:300]}"
        self.tally.add(kind, elapsed, problem)
        return response if problem is None else None

    def record(self, external_id: str | None = None, **changes: Any) -> dict[str, Any]:
        if external_id is None:
            self.made += 1
            external_id = f"{self.number}-{self.made}"
        make = offensive if self.rng.random() < 0.7 else displacement  # a PUT may change kind
        return make(
            dataset=self.dataset,
            external_id=external_id,
            province=self.rng.choice(["Helmand", "Kandahar", "Kunduz"]),
            date=f"2021-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}",
            summary=f"Soak record {self.number}-{self.made}: fighting reported near the market.",
            **changes,
        )

    # Reads.
    def list_events(self) -> None:
        params: dict[str, Any] = {"limit": self.rng.choice([10, 50, 100])}
        for name, values in (
            ("province", PROVINCES),
            ("kind", ["offensive", "displacement"]),
            ("actor", ["Taliban", "Afghan National Army"]),
            ("q", ["fighting", "market", '"forced to flee"']),
        ):
            if self.rng.random() < 0.4:
                params[name] = self.rng.choice(values)
        if self.rng.random() < 0.5:
            params |= {"date_from": "2021-01-01", "date_to": "2021-12-31"}
        response = self.call("list", "GET", "/v1/events", 200, params=params)
        if response is not None and response.json()["next_cursor"]:
            params["cursor"] = response.json()["next_cursor"]
            self.call("list (next page)", "GET", "/v1/events", 200, params=params)

    def sync(self) -> None:
        params = {"updated_since": "2021-01-01T00:00:00Z", "limit": 100}
        self.call("list updated_since", "GET", "/v1/events", 200, params=params)

    def stats(self) -> None:
        params: list[tuple[str, str]] = self.rng.choice(
            [
                [
                    ("group_by", "province"),
                    ("group_by", "month"),
                    ("date_from", "2021-01-01"),
                    ("date_to", "2021-12-31"),
                ],
                [("province", self.rng.choice(PROVINCES))],
                [("group_by", "actor"), ("kind", "offensive")],
                [("group_by", "kind"), ("q", "fighting")],
            ]
        )
        self.call("stats", "GET", "/v1/stats", 200, params=params)

    def one(self) -> None:
        if self.deleted and self.rng.random() < 0.1:
            self.call("record (deleted: 410)", "GET", f"/v1/events/{self.deleted[-1]}", 410)
            return
        event_id = self.rng.choice(self.seed_ids + list(self.mine))
        self.call("record", "GET", f"/v1/events/{event_id}", 200)
        if self.rng.random() < 0.3:
            self.call("history", "GET", f"/v1/events/{event_id}/history", 200)

    def export(self) -> None:
        params = {"province": self.rng.choice(["Helmand", "Kandahar"]), "date_from": "2021-05-01"}
        if self.rng.random() < 0.7:
            self.call("csv export", "GET", "/v1/events.csv", 200, params=params | {"hxl": "true"})
        else:
            self.call("geojson export", "GET", "/v1/events.geojson", 200, params=params)

    def acled(self) -> None:
        params = self.rng.choice(
            [
                {"country": "Afghanistan", "limit": "50", "page": "1"},
                {
                    "event_date": "2021-05-01|2021-05-31",
                    "event_date_where": "BETWEEN",
                    "admin1": "Helmand",
                },
                {"event_type": "Battles", "fields": "event_id_cnty|event_date|fatalities"},
            ]
        )
        self.call("acled read", "GET", "/api/acled/read", 200, params=params)

    def catalogue(self) -> None:
        if self.rng.random() < 0.5:
            self.call("provinces", "GET", "/v1/provinces", 200)
        else:
            self.call("actors", "GET", "/v1/actors", 200, params={"q": "tal"})

    # Writes, of this thread's records only: any other answer than the expected one is an error.
    def create(self) -> None:
        if len(self.mine) >= KEEP:
            self.delete()
            return
        headers = {"Idempotency-Key": f"soak-{self.dataset}-{self.number}-{self.made + 1}"}
        record = self.record()
        response = self.call("create", "POST", "/v1/events", 201, json=record, headers=headers)
        if response is not None:
            self.mine[response.json()["id"]] = (1, record["external_id"])

    def bulk(self) -> None:
        if len(self.mine) + 10 > KEEP:
            self.delete()
            return
        records = [self.record() for _ in range(10)]
        response = self.call("bulk (10 records)", "POST", "/v1/events/bulk", 200, json=records)
        if response is not None:
            for event_id, record in zip(response.json()["ids"], records, strict=True):
                self.mine[event_id] = (1, record["external_id"])

    def edit(self) -> None:
        if not self.mine:
            self.create()
            return
        event_id = self.rng.choice(list(self.mine))
        version, external_id = self.mine[event_id]
        headers = {"If-Match": f'"{version}"'}
        if self.rng.random() < 0.7:
            patch = {"summary": f"Edited {version}: the fighting moved north.", "location": "north"}
            response = self.call(
                "edit (PATCH)",
                "PATCH",
                f"/v1/events/{event_id}",
                200,
                json=patch,
                headers=headers | MERGE_PATCH,
            )
        else:
            record = self.record(external_id, location=f"replaced at version {version}")
            response = self.call(
                "replace (PUT)", "PUT", f"/v1/events/{event_id}", 200, json=record, headers=headers
            )
        if response is not None:
            self.mine[event_id] = (version + 1, external_id)

    def delete(self) -> None:
        if not self.mine:
            return
        event_id = self.rng.choice(list(self.mine))
        headers = {"If-Match": f'"{self.mine.pop(event_id)[0]}"'}
        if self.call("delete", "DELETE", f"/v1/events/{event_id}", 204, headers=headers):
            self.deleted.append(event_id)

    def run(self, until: float) -> None:
        actions: list[tuple[Callable[[], None], int]] = [
            (self.list_events, 22),
            (self.sync, 5),
            (self.stats, 12),
            (self.one, 15),
            (self.export, 6),
            (self.acled, 6),
            (self.catalogue, 4),
            (self.create, 12),
            (self.edit, 12),
            (self.delete, 4),
            (self.bulk, 2),
        ]
        choices, weights = zip(*actions, strict=True)
        with self.http:
            while time.monotonic() < until:
                self.rng.choices(choices, weights)[0]()


def rss_at(samples: list[tuple[float, float]], at: float, otherwise: float) -> float:
    return next((mb for t, mb in samples if t >= at), otherwise)


def per_minute(samples: list[tuple[float, float]]) -> float:
    if len(samples) < 3:
        return 0.0
    times, mbs = zip(*samples, strict=True)
    return statistics.linear_regression(times, mbs).slope * 60


def verdict(samples: list[tuple[float, float]], warmup: float, rss_end: float) -> str:
    """Flat, levelling off (caches filling up), or growing steadily (a leak, perhaps)."""
    after = [(t, mb) for t, mb in samples if t >= warmup]
    start = rss_at(samples, warmup, rss_end)
    growth = rss_end - start
    if growth <= max(5.0, 0.05 * start):
        return f"flat after warm-up ({growth:+.0f} MB, within 5 MB or 5%): no sign of a leak"
    half = len(after) // 2
    first, second = per_minute(after[: half + 1]), per_minute(after[half:])
    trend = f"{growth:+.0f} MB after warm-up; {first:+.1f} MB/min, then {second:+.1f} MB/min"
    if second <= first / 2:
        return f"levelling off ({trend}): caches filling; a longer run shows where it stops"
    return f"growing steadily ({trend}): possibly a leak; run longer (--seconds 600)"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def sqlite_mb(path: Path) -> tuple[float, float]:
    """The sizes of an SQLite file and its WAL."""
    files = [path, path.with_name(path.name + "-wal")]
    mb = [f.stat().st_size / 2**20 if f.exists() else 0.0 for f in files]
    return mb[0], mb[1]


def serve(database_url: str | None, workdir: Path) -> LiveServer:
    url = database_url or f"sqlite:///{workdir / 'soak.db'}"
    return start_server(url, workdir)  # migrates, seeds, listens on 127.0.0.1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="measured, after the warm-up")
    parser.add_argument(
        "--warmup",
        type=float,
        default=90,
        help="the same load first, until the caches are full (SQLite's, CE_SQLITE_MEMORY_MB; "
        "the statement caches): memory is compared from its end",
    )
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp folder")
    args = parser.parse_args()
    warmup = args.warmup

    with tempfile.TemporaryDirectory(prefix="ce-soak-") as tmp:
        server = serve(args.database_url, Path(tmp))
        pid = server.process.pid
        database_file = None if args.database_url else Path(tmp) / "soak.db"
        size_start = sqlite_mb(database_file) if database_file else None
        try:
            rss_start = rss_mb(pid)
            seed_ids = [e["id"] for e in httpx.get(f"{server.url}/v1/events").json()["items"]]
            dataset = f"soak-{int(time.time())}"
            tally = Tally()
            started = time.monotonic()
            until = started + warmup + args.seconds
            clients = [Client(n, server.url, dataset, tally, seed_ids) for n in range(args.threads)]
            threads = [threading.Thread(target=c.run, args=(until,)) for c in clients]
            for thread in threads:
                thread.start()
            samples: list[tuple[float, float]] = []
            wal: list[float] = []  # SQLite: the WAL's size at each sample
            while any(thread.is_alive() for thread in threads):
                samples.append((time.monotonic() - started, rss_mb(pid)))
                if database_file:
                    wal.append(sqlite_mb(database_file)[1])
                time.sleep(1)
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            rss_end = rss_mb(pid)
            size_end = sqlite_mb(database_file) if database_file else None
            alive = server.process.poll() is None
            live = sum(len(c.mine) for c in clients)
            stored = httpx.get(
                f"{server.url}/v1/stats", params={"dataset": dataset}, timeout=30
            ).json()["total"]["events"]
        finally:
            server.stop()
        log = server.log.read_text()

    errors = list(tally.errors)
    if not alive:
        errors.append("the server died")
    if "Traceback" in log:
        errors.append("the server logged a traceback:\n" + log[log.index("Traceback") :][:2000])
    if stored != live:
        errors.append(f"{live} records of this run should be live, the server has {stored}")
    everything = [s for values in tally.latencies.values() for s in values]
    database = args.database_url or "a fresh SQLite file (seeded)"
    print(
        f"soak: {elapsed:.0f} s, {args.threads} client threads, one server worker on 127.0.0.1, "
        f"{database}"
    )
    print(
        f"requests served: {len(everything):,} ({len(everything) / elapsed:,.0f}/s); "
        f"p50 {percentile(everything, 0.5):.1f} ms, p99 {percentile(everything, 0.99):.1f} ms"
    )
    print(f"\n{'kind':28} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, values in sorted(tally.latencies.items(), key=lambda kv: -len(kv[1])):
        print(
            f"{kind:28} {len(values):>9,} {tally.failed[kind]:>7} "
            f"{percentile(values, 0.5):>8.1f} {percentile(values, 0.99):>8.1f}"
        )
    print(
        f"\nrecords of this run: {sum(c.made for c in clients)} written, "
        f"{sum(len(c.deleted) for c in clients)} deleted, {live} live, {stored} on the server"
    )
    print(f"errors (5xx, dropped connections, unexpected statuses): {len(errors)}")
    for error in errors[:10]:
        print(f"  {error}")

    print(
        f"\nserver memory (VmRSS, MB): start {rss_start:.0f}, after {warmup:.0f} s warm-up "
        f"{rss_at(samples, warmup, rss_end):.0f}, end {rss_end:.0f}, "
        f"peak {max(rss_end, *(mb for _, mb in samples)):.0f}"
    )
    tenth = max(1, len(samples) // 10)
    print(
        "  each tenth of the run (max): "
        + " ".join(
            f"{max(mb for _, mb in samples[i : i + tenth]):.0f}"
            for i in range(0, len(samples), tenth)
        )
    )
    if size_start is not None and size_end is not None:
        print(
            f"  SQLite file + WAL (MB): {size_start[0]:.1f} + {size_start[1]:.1f} at start, "
            f"{size_end[0]:.1f} + {size_end[1]:.1f} at the end"
        )
        print(
            "  WAL (MB), each tenth of the run (max): "
            + " ".join(f"{max(wal[i : i + tenth]):.1f}" for i in range(0, len(wal), tenth))
        )
    print(f"  verdict: {verdict(samples, warmup, rss_end)}")
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

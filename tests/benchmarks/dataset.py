"""A deterministic synthetic dataset: Helmand about a quarter of events, 2015-2024, ~60 actors."""

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from app.gazetteer import get_gazetteer

ACTORS = [
    "Taliban",
    "Afghan National Army",
    "Afghan National Defense and Security Forces",
    "Islamic State Khorasan Province",
    "United States Forces",
    "International forces",
    *(f"Militia {n:02d}" for n in range(54)),
]


# Words for summaries and quotes, so that full-text searches match some records and not others.
ACTIONS = [
    "fighters attacked a checkpoint",
    "clashes broke out near the district centre",
    "an airstrike hit insurgent positions",
    "a roadside bomb struck a convoy",
    "security forces repelled an assault",
    "heavy fighting continued for a second day",
    "mortar fire hit a market",
    "an ambush targeted a police patrol",
]
DETAILS = [
    "officials gave no casualty figures",
    "residents reported families fleeing",
    "the road to the provincial capital was closed",
    "reinforcements arrived overnight",
    "several homes were destroyed",
    "the attack was repelled after hours of fighting",
]
QUOTES = [
    "The attack began before dawn",
    "Families were forced to flee their homes",
    "Government troops pushed the insurgents back",
    "Dozens of shops were burnt",
    "The checkpoint fell after a long gunfight",
]
PUBLISHERS = ["Benchmark Wire", "Pajhwok", "TOLOnews", "Xinhua", "Reuters"]


def events(count: int, *, seed: int = 42) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    gazetteer = get_gazetteer()
    # In p-code order, as the Afghan-only gazetteer listed them, so the same seed draws the
    # same provinces as in earlier figures' datasets.
    others = sorted(p.key for p in gazetteer.in_country("AFG") if p.key != "AF30")
    start, days = date(2015, 1, 1), (date(2024, 12, 31) - date(2015, 1, 1)).days
    for n in range(count):
        pcode = "AF30" if rng.random() < 0.24 else rng.choice(others)
        day = start + timedelta(days=rng.randrange(days))
        actors = rng.sample(ACTORS[:6] if rng.random() < 0.7 else ACTORS, rng.randint(1, 3))
        record: dict[str, Any] = {
            "kind": "offensive",
            "date": day.isoformat(),
            "country": "AFG",
            "province": pcode,
            "actors": [
                {"name": a, "role": ("initiator", "target", "participant")[i]}
                for i, a in enumerate(actors)
            ],
            "summary": f"Event {n}: {rng.choice(ACTIONS)} in {gazetteer.provinces[pcode].name}; "
            f"{rng.choice(DETAILS)}.",
            "fatalities": {
                "value": rng.randint(0, 40),
                "qualifier": rng.choice(["exact", "about"]),
            },
            "outcome": rng.choice(["ongoing", "repelled", "unknown"]),
            "sources": [
                {"publisher": rng.choice(PUBLISHERS), "quote": f"{rng.choice(QUOTES)} ({n})."}
            ],
        }
        if rng.random() < 0.2:
            record |= {
                "kind": "displacement",
                "families": {"value": rng.randint(10, 2000), "qualifier": "about"},
            }
            del record["outcome"], record["fatalities"]
        yield record

"""Valid event records to post, each a fresh dict a test may change."""

from typing import Any


def offensive(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "kind": "offensive",
        "date": "2021-06-10",
        "country": "AFG",
        "province": "Kunduz",
        "actors": [
            {"name": "Taliban", "role": "initiator"},
            {"name": "Afghan National Army", "role": "target"},
        ],
        "summary": "Taliban fighters attacked army posts on the edge of Kunduz city.",
        "fatalities": {"value": 12, "qualifier": "at_least", "claimed_by": "provincial police"},
        "outcome": "repelled",
        "tactics": ["ground_assault"],
        "sources": [
            {
                "publisher": "Test Wire",
                "published_on": "2021-06-11",
                "quote": "Taliban fighters attacked army posts.",
            }
        ],
    }
    record.update(changes)
    return record


def displacement(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "kind": "displacement",
        "date": "2021-06-12",
        "country": "AFG",
        "province": "Kunduz",
        "summary": "Families fled fighting in Kunduz to Takhar.",
        "families": {"value": 300, "qualifier": "about", "claimed_by": "OCHA"},
        "origin": {"province": "Kunduz"},
        "destination": {"province": "Takhar", "location": "Taloqan"},
        "sources": [{"publisher": "Test Wire", "quote": "About 300 families fled."}],
    }
    record.update(changes)
    return record

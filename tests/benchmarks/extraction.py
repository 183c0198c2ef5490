"""How well `app.reports.extract` codes wire reports, against hand-coded gold records.

    python -m tests.benchmarks.extraction [--verbose]

The evaluation set is the seed report (seeds/) and the reports in tests/fixtures/reports/
(each a .txt and its gold coding, a .json in the shape of the seed file). A draft matches a
gold event when it has the same kind (and milestone), the same province, and rests on at least
one of the gold event's quoted sentences; each draft and each gold event match at most once.

Per report and overall it prints: recall (gold events found), precision (drafts matching a
gold event), date accuracy (matched drafts with the gold date and end date), figure accuracy
(matched figures with the gold value, qualifier and claimant, and the same competing claims),
fabricated numbers (figure values the text does not state) and verbatim quotes (evidence that
is exactly the text at its offsets). It exits with status 1 when a target is missed.
"""

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.core.normalize import name_key
from app.reports.extract import Draft, NoAnchorDate, extract

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "reports"
SEED = REPO / "seeds" / "helmand-offensive-2021-05-04.json"

TARGETS = {"recall": 0.80, "precision": 0.70, "date_accuracy": 0.90}
FIGURE_FIELDS = ("fatalities", "families", "individuals")

_NUMBER_WORDS = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_NUMBER_WORDS |= {
    w: 10 * n
    for n, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split())
    if w != "_"
}
_NUMBER_WORDS |= {
    "hundred": 100,
    "hundreds": 100,
    "thousand": 1000,
    "thousands": 1000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "dozen": 12,
    "dozens": 12,
    "scores": 20,
}
_CLAIMANT_STOP = frozenset("the a an of for in on at and to by 's".split())


@dataclass
class Case:
    name: str
    text: str
    gold: list[dict[str, Any]]
    published_on: date
    published_on_in_text: bool


@dataclass
class Score:
    name: str
    gold: int = 0
    drafts: int = 0
    matched: int = 0
    dates_right: int = 0
    figures: int = 0
    figures_right: int = 0
    numbers: int = 0
    fabricated: int = 0
    quotes: int = 0
    verbatim: int = 0
    anchor_right: bool = True
    misses: list[str] = field(default_factory=list)

    def add(self, other: "Score") -> None:
        for name in (
            "gold",
            "drafts",
            "matched",
            "dates_right",
            "figures",
            "figures_right",
            "numbers",
            "fabricated",
            "quotes",
            "verbatim",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.anchor_right = self.anchor_right and other.anchor_right
        self.misses += [f"{other.name}: {m}" for m in other.misses]

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.drafts if self.drafts else 1.0

    @property
    def date_accuracy(self) -> float:
        return self.dates_right / self.matched if self.matched else 1.0

    @property
    def figure_accuracy(self) -> float:
        return self.figures_right / self.figures if self.figures else 1.0

    @property
    def verbatim_share(self) -> float:
        return self.verbatim / self.quotes if self.quotes else 1.0

    def failures(self) -> list[str]:
        failed = [
            f"{name} {getattr(self, name):.0%} < {target:.0%}"
            for name, target in TARGETS.items()
            if getattr(self, name) < target
        ]
        if self.fabricated:
            failed.append(f"{self.fabricated} fabricated numbers")
        if self.verbatim != self.quotes:
            failed.append(f"verbatim quotes {self.verbatim_share:.0%}")
        if not self.anchor_right:
            failed.append("publication date found in the text is wrong")
        return failed


def load_cases(directory: Path | None = None) -> list[Case]:
    """The seed report and the evaluation set; or the gold files of another directory."""
    paths = (
        sorted(directory.glob("*.json")) if directory else [SEED, *sorted(FIXTURES.glob("*.json"))]
    )
    cases = []
    for path in paths:
        doc = json.loads(path.read_text(encoding="utf-8"))
        report = doc["report"]
        text = (path.parent / report["path"]).read_text(encoding="utf-8")
        cases.append(
            Case(
                path.stem,
                text,
                doc["events"],
                date.fromisoformat(report["published_on"]),
                bool(report.get("published_on_in_text", False)),
            )
        )
    return cases


def numbers_in(text: str) -> set[int]:
    """Every number the text states, in digits or words (independently of the extractor)."""
    found = {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?<!,)", text)}
    found |= {
        int(float(n) * {"hundred": 100, "thousand": 1000, "million": 1_000_000}[s.lower()])
        for n, s in re.findall(r"(\d+(?:\.\d+)?)\s+(hundred|thousand|million)", text, re.I)
    }
    words = re.findall(r"[a-z]+", text.lower())
    values: set[int] = set()
    for start in range(len(words)):
        total, current, used = 0, 0, False
        for word in words[start : start + 6]:
            if word in ("hundred", "thousand", "million", "dozen") and used:
                current *= _NUMBER_WORDS[word]
                if word in ("thousand", "million"):
                    total, current = total + current, 0
            elif word in _NUMBER_WORDS:
                if used and word not in ("hundred", "thousand", "million", "dozen"):
                    if current % 10 or current >= 100 or current < 20:
                        break
                current += _NUMBER_WORDS[word]
                used = True
            elif word in ("a", "an") and not used:
                current, used = 1, True
            elif word != "and":
                break
            values.add(total + current)
    return found | values


def _claimant_tokens(text: str | None) -> set[str]:
    if not text:
        return set()
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'s", ""))
    return {w for w in words if w not in _CLAIMANT_STOP}


def same_claimant(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return not a and not b
    x, y = _claimant_tokens(a), _claimant_tokens(b)
    return bool(x and y) and (x <= y or y <= x)


def _claim_right(gold: dict[str, Any], draft: dict[str, Any]) -> bool:
    return (
        gold["value"] == draft["value"]
        and gold.get("qualifier", "exact") == draft.get("qualifier", "exact")
        and same_claimant(gold.get("claimed_by"), draft.get("claimed_by"))
    )


def figure_right(gold: dict[str, Any] | None, draft: dict[str, Any] | None) -> bool:
    if gold is None or draft is None:
        return gold is draft
    if not _claim_right(gold, draft):
        return False
    others = list(draft.get("alternatives", []))
    for alternative in gold.get("alternatives", []):
        hit = next((o for o in others if _claim_right(alternative, o)), None)
        if hit is None:
            return False
        others.remove(hit)
    return not others


def _spans(text: str, quotes: list[str]) -> list[tuple[int, int]]:
    spans = []
    for quote in quotes:
        start = text.find(quote)
        assert start >= 0, f"gold quote not in the text: {quote!r}"
        spans.append((start, start + len(quote)))
    return spans


def _place(value: str | None) -> str:
    return name_key(value) if value else ""


def _matches(text: str, gold: dict[str, Any], draft: Draft) -> bool:
    event = draft.event
    if event["kind"] != gold["kind"] or event.get("milestone") != gold.get("milestone"):
        return False
    if _place(event.get("province")) != _place(gold.get("province")):
        return False
    gold_spans = _spans(text, gold["quotes"])
    return any(e.start < end and start < e.end for e in draft.evidence for start, end in gold_spans)


def _date_right(gold: dict[str, Any], event: dict[str, Any]) -> bool:
    gold_end = gold.get("end_date") or gold["date"]
    return bool(
        event["date"] == gold["date"] and (event.get("end_date") or event["date"]) == gold_end
    )


def score(case: Case) -> tuple[Score, list[Draft]]:
    given = None if case.published_on_in_text else case.published_on
    try:
        extraction = extract(case.text, published_on=given)
    except NoAnchorDate:
        # the text states its date but it was not found: nothing read, every event missed
        unread = Score(case.name, gold=len(case.gold), drafts=0)
        unread.anchor_right = False
        unread.misses.append("no publication date found in the text: nothing read")
        return unread, []
    drafts = extraction.drafts
    result = Score(case.name, gold=len(case.gold), drafts=len(drafts))
    result.anchor_right = extraction.published_on == case.published_on
    _check_quotes_and_numbers(result, case.text, drafts)
    used_gold, used_drafts = _match(result, case, drafts)
    for g, gold in enumerate(case.gold):
        if g not in used_gold:
            result.misses.append(f"not found: {gold['external_id']}")
    for d, draft in enumerate(drafts):
        if d not in used_drafts:
            event = draft.event
            result.misses.append(
                f"no gold event: {event['kind']} {event.get('milestone') or ''} "
                f"{event.get('province')} {event['date']} '{draft.evidence[0].quote[:60]}'"
            )
    return result, drafts


def _check_quotes_and_numbers(result: Score, text: str, drafts: list[Draft]) -> None:
    """Count the quotes that are verbatim and the figure values the text does not state."""
    stated = numbers_in(text)
    for draft in drafts:
        for evidence in draft.evidence:
            result.quotes += 1
            result.verbatim += text[evidence.start : evidence.end] == evidence.quote
        for value in _figure_values(draft.event):
            result.numbers += 1
            result.fabricated += value not in stated


def _figure_values(event: dict[str, Any]) -> list[Any]:
    """Every value, low and high of the event's figures and their competing claims."""
    values = []
    for name in FIGURE_FIELDS:
        figure = event.get(name)
        if not figure:
            continue
        for claim in [figure, *figure.get("alternatives", [])]:
            values += [claim[key] for key in ("value", "low", "high") if claim.get(key) is not None]
    return values


def _match(result: Score, case: Case, drafts: list[Draft]) -> tuple[set[int], set[int]]:
    """Match drafts to gold events (each at most once) and score each matched pair; returns
    the indexes of the gold events and of the drafts matched."""
    pairs = [
        (g, d)
        for g, gold in enumerate(case.gold)
        for d, draft in enumerate(drafts)
        if _matches(case.text, gold, draft)
    ]
    # Prefer pairs that agree on the date and district, then text order: a stable matching.
    pairs.sort(
        key=lambda p: (
            not _date_right(case.gold[p[0]], drafts[p[1]].event),
            _place(case.gold[p[0]].get("district")) != _place(drafts[p[1]].event.get("district")),
            p,
        )
    )
    used_gold: set[int] = set()
    used_drafts: set[int] = set()
    for g, d in pairs:
        if g in used_gold or d in used_drafts:
            continue
        used_gold.add(g)
        used_drafts.add(d)
        _score_pair(result, case.gold[g], drafts[d].event)
    return used_gold, used_drafts


def _score_pair(result: Score, gold: dict[str, Any], event: dict[str, Any]) -> None:
    """A matched draft: whether its dates and its figures are the gold event's."""
    result.matched += 1
    if _date_right(gold, event):
        result.dates_right += 1
    else:
        result.misses.append(
            f"date of {gold['external_id']}: {event['date']}..{event.get('end_date')} "
            f"(gold {gold['date']}..{gold.get('end_date')})"
        )
    for name in FIGURE_FIELDS:
        if gold.get(name) is None and event.get(name) is None:
            continue
        result.figures += 1
        if figure_right(gold.get(name), event.get(name)):
            result.figures_right += 1
        else:
            result.misses.append(
                f"{name} of {gold['external_id']}: {event.get(name)} (gold {gold.get(name)})"
            )


@dataclass
class Evaluation:
    reports: list[Score]
    overall: Score


def evaluate(directory: Path | None = None) -> Evaluation:
    overall = Score("overall")
    reports = []
    for case in load_cases(directory):
        result, _ = score(case)
        reports.append(result)
        overall.add(result)
    return Evaluation(reports, overall)


def _row(s: Score) -> str:
    return (
        f"{s.name[:40]:<40} {s.gold:>4} {s.drafts:>6} {s.recall:>7.0%} {s.precision:>9.0%} "
        f"{s.date_accuracy:>6.0%} {s.figures_right:>4}/{s.figures:<3} {s.fabricated:>10} "
        f"{s.verbatim_share:>8.0%}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    parser.add_argument(
        "--dir", type=Path, help="score the .txt/.json pairs of this directory instead"
    )
    args = parser.parse_args()
    evaluation = evaluate(args.dir)
    header = (
        f"{'report':<40} {'gold':>4} {'drafts':>6} {'recall':>7} {'precision':>9} "
        f"{'dates':>6} {'figures':>8} {'fabricated':>10} {'verbatim':>8}"
    )
    print(header)
    print("-" * len(header))
    for report in evaluation.reports:
        print(_row(report))
    print("-" * len(header))
    overall = evaluation.overall
    print(_row(overall))
    print(
        f"\nfigure accuracy (value, qualifier, claimant, competing claims): "
        f"{overall.figure_accuracy:.0%}; numbers checked: {overall.numbers}"
    )
    print(
        "targets: recall >= 80%, precision >= 70%, dates >= 90% of matched drafts, "
        "0 fabricated numbers, 100% verbatim quotes"
    )
    if args.verbose:
        print("\nmisses:")
        for miss in overall.misses:
            print(f"  {miss}")
    failures = overall.failures()
    if failures:
        print("MISSED: " + "; ".join(failures))
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())

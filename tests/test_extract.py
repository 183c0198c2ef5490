"""The extraction engine: from a wire report's text to draft event records, with no database.

Unit tests of dates, figures, places, actors and kinds on short texts; the seed report
reproduces the records coded in seeds/; every draft of the evaluation set validates as
`POST /v1/events` would, quotes its text verbatim and states no number the text does not; and
the evaluation set meets its targets (the scoring of `python -m tests.benchmarks.extraction`).
"""

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from app.events.schemas import EventIn, EventInModel
from app.gazetteer import get_gazetteer
from app.reports.anchor import find_anchor
from app.reports.extract import Draft, Extraction, NoAnchorDate, extract
from app.reports.periods import resolve
from app.reports.text import MAX_SENTENCE, split_sentences
from app.reports.timex import find_dates
from tests.benchmarks.extraction import (
    FIXTURES,
    REPO,
    SEED,
    evaluate,
    figure_right,
    load_cases,
    numbers_in,
    same_claimant,
)

MAY_4 = date(2021, 5, 4)  # a Tuesday
SEED_TEXT = (REPO / "seeds" / "reports" / "helmand-offensive-2021-05-04.txt").read_text()
_event_adapter: TypeAdapter[EventInModel] = TypeAdapter(EventIn)

TALIBAN = "Taliban"
ANDSF = "Afghan National Defense and Security Forces"


def drafts_of(text: str, published_on: date | None = MAY_4) -> list[dict[str, Any]]:
    return [d.event for d in extract(text, published_on=published_on).drafts]


def only(text: str, published_on: date | None = MAY_4) -> dict[str, Any]:
    events = drafts_of(text, published_on)
    assert len(events) == 1, events
    return events[0]


def span(event: dict[str, Any]) -> tuple[str, str | None]:
    return event["date"], event.get("end_date")


def actors(event: dict[str, Any]) -> set[tuple[str, str]]:
    return {(a["name"], a["role"]) for a in event["actors"]}


# -- the publication date ---------------------------------------------------------------------
def test_extract_without_date_raises_no_anchor_date() -> None:
    with pytest.raises(NoAnchorDate):
        extract("Taliban fighters attacked a checkpoint in Kunduz on Monday.")


def test_extract_dateline_without_year_is_no_anchor() -> None:
    with pytest.raises(NoAnchorDate, match="no year"):
        extract("KABUL, June 22 (Xinhua) -- Taliban fighters attacked a checkpoint in Kunduz.")


def test_extract_reads_a_publication_line() -> None:
    published = extract(
        "Clashes in Kunduz\nPublished June 22, 2021\n\nTaliban fighters attacked a checkpoint "
        "in Kunduz on Monday, police said."
    )
    assert published.published_on == date(2021, 6, 22)
    assert published.published_on_explanation == "publication line 'Published June 22, 2021'"
    assert published.drafts[0].event["date"] == "2021-06-21"


def test_extract_reads_a_dateline_with_its_year() -> None:
    dated = extract(
        "KUNDUZ, Afghanistan, June 22, 2021 (Xinhua) -- Taliban fighters attacked a checkpoint "
        "in Kunduz on Monday, police said."
    )
    assert dated.published_on == date(2021, 6, 22)
    assert dated.published_on_explanation.startswith("dateline 'KUNDUZ, Afghanistan, June 22")
    # the dateline is not part of the evidence
    assert dated.drafts[0].evidence[0].quote.startswith("Taliban fighters attacked")


def test_extract_reads_a_heading_that_ends_with_its_date() -> None:
    extraction = extract(
        "Afghanistan: Flash Update No. 2 - Conflict in the north (11 August 2021)\n"
        "On 9 August, Taliban fighters took control of Aybak, the capital of Samangan province."
    )
    assert extraction.published_on == date(2021, 8, 11)
    assert extraction.published_on_explanation == "heading dated '11 August 2021'"
    assert extraction.drafts[0].event["date"] == "2021-08-09"
    # a sentence (ending with a full stop) that ends with a date is not a heading
    with pytest.raises(NoAnchorDate):
        extract("Taliban fighters attacked a checkpoint in Kunduz, police said on 11 August 2021.")


@pytest.mark.parametrize(
    ("opening", "explanation", "place"),
    [
        ("Kabul, 12 July 2021 (AFP) - ", "dateline 'Kabul, 12 July 2021 (AFP) -'", "Kabul"),
        ("KABUL, 12 July 2021 (AFP) - ", "dateline 'KABUL, 12 July 2021 (AFP) -'", "KABUL"),
        (
            "Lashkar Gah, July 12, 2021 (Pajhwok): ",
            "dateline 'Lashkar Gah, July 12, 2021 (Pajhwok):'",
            "Lashkar Gah",
        ),
        ("July 12, 2021\n", "date line 'July 12, 2021'", None),
        ("Monday 12 July 2021\n\nKUNDUZ (AFP) - ", "date line 'Monday 12 July 2021'", "KUNDUZ"),
        ("12 July 2021 - ", "date line '12 July 2021'", None),
        ("Jul 12th 2021 | KUNDUZ\n", "date line 'Jul 12th 2021'", "KUNDUZ"),
        ("KABUL \u2014 ", "date line 'July 12, 2021'", "KABUL"),
        ("Kabul, Jul 12, 2021 (EFE).- ", "dateline 'Kabul, Jul 12, 2021 (EFE).-'", "Kabul"),
    ],
    ids=[
        "afp-title-case",
        "afp-capitals",
        "pajhwok-colon",
        "date-alone",
        "weekday-date-then-dateline",
        "date-then-dash",
        "date-pipe-place",
        "dash-dateline-then-timestamp",
        "efe",
    ],
)
def test_extract_reads_headers_in_other_styles(
    opening: str, explanation: str, place: str | None
) -> None:
    text = f"{opening}Taliban fighters attacked a checkpoint in Kunduz on Sunday, police said."
    if opening.startswith("KABUL \u2014"):  # a timestamp after the first paragraph
        text += "\nJuly 12, 2021 at 6:25 p.m. EDT"
    extraction = extract(text)
    assert extraction.published_on == date(2021, 7, 12)
    assert extraction.published_on_explanation == explanation
    assert find_anchor(text).place == place
    (draft,) = extraction.drafts
    assert draft.event["date"] == "2021-07-11"
    assert draft.evidence[0].quote.startswith("Taliban fighters attacked")


def test_extract_dateline_without_comma_is_no_place() -> None:
    extraction = extract(
        "KABUL (AFP) - Taliban fighters attacked a checkpoint in Kunduz on Monday, police said.",
        published_on=MAY_4,
    )
    (draft,) = extraction.drafts
    assert draft.event["province"] == "Kunduz"
    assert draft.evidence[0].quote.startswith("Taliban fighters attacked")


def test_extract_attack_placed_nowhere_is_placed_at_the_dateline() -> None:
    events = drafts_of(
        "KANDAHAR, Afghanistan (AP) \u2014 Taliban fighters fired rockets at Kandahar airport "
        "on Monday, an official said.\n"
        "Three rockets hit the runway on Monday night, the official added.\n"
        "A week earlier, a suicide bomber attacked the main gate, killing four guards.",
    )
    assert [(e["province"], e["date"]) for e in events] == [
        ("Kandahar", "2021-05-03"),
        ("Kandahar", "2021-04-26"),
    ]
    assert events[1]["district"] == "Kandahar"


def test_extract_given_date_wins_over_dateline() -> None:
    extraction = extract(
        "KABUL, June 22 (Xinhua) -- Taliban fighters attacked a checkpoint in Kunduz on Monday.",
        published_on=date(2021, 6, 22),
    )
    assert extraction.published_on_explanation == "given"
    assert extraction.drafts[0].event["date"] == "2021-06-21"


# -- dates ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("on Monday", ("2021-05-03", None)),
        ("on Tuesday", ("2021-05-04", None)),
        ("two days ago", ("2021-05-02", None)),
        ("since Sunday", ("2021-05-02", "2021-05-04")),
        ("over the weekend", ("2021-05-01", "2021-05-02")),
        ("in the past week", ("2021-04-27", "2021-05-04")),
        ("in the past 24 hours", ("2021-05-03", "2021-05-04")),
        ("overnight", ("2021-05-03", "2021-05-04")),
        ("last week", ("2021-04-26", "2021-05-02")),
        ("on April 30", ("2021-04-30", None)),
    ],
)
def test_extract_resolves_relative_dates_against_publication(
    words: str, expected: tuple[str, str | None]
) -> None:
    event = only(f"Taliban fighters attacked a checkpoint in Kunduz {words}, police said.")
    assert span(event) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("between 29 April and 2 May", ("2021-04-29", "2021-05-02")),
        ("between 1 and 3 May", ("2021-05-01", "2021-05-03")),
        ("from May 1 to 3", ("2021-05-01", "2021-05-03")),
        ("between April 30 and May 2", ("2021-04-30", "2021-05-02")),
    ],
    ids=["day-month-to-day-month", "days-of-one-month", "from-to", "month-day-to-month-day"],
)
def test_extract_reads_ranges_of_days(words: str, expected: tuple[str, str | None]) -> None:
    event = only(f"Some 400 families fled to Kunduz city {words}, officials said.")
    assert span(event) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("since 1 May", ("2021-05-01", "2021-05-04")),
        ("since May 1", ("2021-05-01", "2021-05-04")),
    ],
    ids=["day-month", "month-day"],
)
def test_extract_since_a_day_runs_to_publication(
    words: str, expected: tuple[str, str | None]
) -> None:
    event = only(f"Some 400 families fled to Kunduz city {words}, officials said.")
    assert span(event) == expected


def test_extract_date_of_fleeing_the_fighting_is_not_the_fighting_date() -> None:
    events = drafts_of(
        "Afghan forces struck Taliban positions near Lashkar Gah on Monday, officials said.\n"
        "About 3,500 people have fled the fighting in Helmand over the past four days, "
        "a provincial official said."
    )
    offensive = next(e for e in events if e["kind"] == "offensive")
    displacement = next(e for e in events if e["kind"] == "displacement")
    assert span(offensive) == ("2021-05-03", None)
    assert span(displacement) == ("2021-04-30", "2021-05-04")


def test_extract_countrywide_tally_is_no_event_and_joins_none() -> None:
    events = drafts_of(
        "An estimated 1,350 families were displaced in Jawzjan province last week.\n"
        "Since 1 January, nearly 390,000 people have been newly displaced by conflict "
        "across the country."
    )
    assert len(events) == 1
    assert span(events[0]) == ("2021-04-26", "2021-05-02")
    assert "individuals" not in events[0]


KABUL_AIRPORT_REPORT = (
    "The last U.S. troops flew out of Kabul's airport shortly before midnight Monday, "
    "the Pentagon said.\n"
    "The final flight left a day ahead of the May 31 deadline that President Joe Biden "
    "announced in April."
)


def test_extract_last_troops_out_of_kabul_airport_complete_the_withdrawal() -> None:
    by_milestone = {e["milestone"]: e for e in drafts_of(KABUL_AIRPORT_REPORT, date(2021, 5, 4))}
    completed = by_milestone["withdrawal_completed"]
    assert span(completed) == ("2021-05-03", None)
    assert completed["force"] == "United States Forces"


def test_extract_a_deadline_announced_earlier_is_dated_when_it_was_announced() -> None:
    by_milestone = {e["milestone"]: e for e in drafts_of(KABUL_AIRPORT_REPORT, date(2021, 5, 4))}
    announced = by_milestone["deadline_announced"]
    assert (announced["date"], announced["date_precision"]) == ("2021-04-01", "month")
    assert announced["deadline"] == "2021-05-31"


def test_extract_claimant_named_by_title_after_said() -> None:
    event = only(
        "Fighting in Qala-e-Naw on Monday left at least 12 people dead, said a hospital "
        "director, while the Taliban claimed 30 soldiers had been killed."
    )
    fatalities = event["fatalities"]
    assert (fatalities["value"], fatalities["qualifier"]) == (12, "at_least")
    assert fatalities["claimed_by"] == "a hospital director"
    assert [(a["value"], a["claimed_by"]) for a in fatalities["alternatives"]] == [(30, "Taliban")]


def test_extract_a_place_that_fell_was_taken() -> None:
    event = only(
        "The border crossing in Herat province's Kohsan district fell late on Monday after "
        "government forces pulled back, an official said."
    )
    assert (event["province"], event["district"]) == ("Herat", "Kohsan")
    assert event["outcome"] == "territory_taken"
    assert span(event) == ("2021-05-03", None)
    assert drafts_of("Prices in Herat city fell sharply on Monday, traders said.") == []


def test_extract_relative_day_is_anchored_on_the_speech_date() -> None:
    event = only(
        "A council member said on May 4 that the Taliban launched an offensive the previous day "
        "in Lashkar Gah.",
        date(2021, 5, 6),
    )
    assert span(event) == ("2021-05-03", None)
    assert event["province"] == "Helmand"


def test_extract_days_earlier_refers_to_the_date_read_before() -> None:
    events = drafts_of(
        "Taliban fighters stormed Kunduz city on Monday, police said.\n"
        "Two days earlier, Taliban fighters overran Imam Sahib district, residents said.",
        date(2021, 6, 22),
    )
    assert [(e.get("district"), e["date"]) for e in events] == [
        ("Kunduz", "2021-06-21"),
        ("Imam Sahib", "2021-06-19"),
    ]


def test_extract_running_day_counts_back_from_its_weekday() -> None:
    event = only(
        "Heavy fighting raged for a sixth day on Tuesday in Herat city between the Taliban and "
        "government forces.",
        date(2021, 8, 3),
    )
    assert span(event) == ("2021-07-29", "2021-08-03")
    assert event["outcome"] == "ongoing"


def test_extract_month_without_year_takes_the_latest_such_month() -> None:
    march = only("Since the beginning of March, 18,000 people have fled Badghis, the UN said.")
    assert (march["date"], march["end_date"], march["date_precision"]) == (
        "2021-03-01",
        "2021-05-04",
        "month",
    )
    (november,) = find_dates("They fled in November.")
    assert resolve(november, MAY_4) == resolve(november, date(2020, 12, 1))


@pytest.mark.parametrize(
    ("words", "published_on", "expected"),
    [
        # "last Thursday" said on a Friday is not yesterday; said on a Sunday, it is
        ("last Thursday", date(2021, 7, 16), ("2021-07-08", None, "day")),
        ("last Thursday", date(2021, 7, 18), ("2021-07-15", None, "day")),
        ("last Sunday", date(2021, 7, 20), ("2021-07-18", None, "day")),
        ("since early on Sunday", date(2021, 8, 9), ("2021-08-08", "2021-08-09", "day")),
        ("from late Monday", date(2021, 8, 11), ("2021-08-09", "2021-08-11", "day")),
        # "earlier this week / month": before the day it is said
        ("earlier this week", date(2021, 6, 23), ("2021-06-21", "2021-06-22", "week")),
        ("earlier this month", date(2021, 7, 27), ("2021-07-01", "2021-07-26", "month")),
        ("this week", date(2021, 7, 31), ("2021-07-26", "2021-07-31", "week")),
        ("in recent days", date(2021, 7, 27), ("2021-07-20", "2021-07-27", "week")),
        # "on the 14th": that day of the month, or of the month before
        ("on the 14th", date(2021, 7, 16), ("2021-07-14", None, "day")),
        ("on the 14th", date(2021, 7, 10), ("2021-06-14", None, "day")),
        # "since the start of the month / week"
        ("since the start of the month", date(2021, 6, 12), ("2021-06-01", "2021-06-12", "month")),
        (
            "since the beginning of the week",
            date(2021, 6, 12),
            ("2021-06-07", "2021-06-12", "week"),
        ),
        # a running event: "entered a fourth day", "into its third day"
        ("as fighting entered a fourth day", date(2021, 8, 2), ("2021-07-30", "2021-08-02", "day")),
        (
            "as fighting went into its third day",
            date(2021, 8, 2),
            ("2021-07-31", "2021-08-02", "day"),
        ),
        # a run of weekdays: "on Sunday and Monday", "from late Sunday into Monday"
        ("on Sunday and Monday", date(2021, 7, 14), ("2021-07-11", "2021-07-12", "day")),
        ("between Saturday and Monday", date(2021, 7, 14), ("2021-07-10", "2021-07-12", "day")),
        ("from late Sunday into Monday", date(2021, 7, 14), ("2021-07-11", "2021-07-12", "day")),
        # "the past few days" is as vague as "recent days"; "a couple of days" is two
        ("in the past few days", date(2021, 7, 14), ("2021-07-07", "2021-07-14", "week")),
        ("over the past couple of days", date(2021, 7, 14), ("2021-07-12", "2021-07-14", "day")),
        # "on Tuesday afternoon and lasted until early Wednesday"
        (
            "on Tuesday afternoon, in clashes that lasted until early Wednesday",
            date(2021, 8, 4),
            ("2021-08-03", "2021-08-04", "day"),
        ),
    ],
    ids=[
        "last-thursday-said-on-friday",
        "last-thursday-said-on-sunday",
        "last-sunday",
        "since-early-on-sunday",
        "from-late-monday",
        "earlier-this-week",
        "earlier-this-month",
        "this-week",
        "in-recent-days",
        "the-14th-this-month",
        "the-14th-last-month",
        "since-the-start-of-the-month",
        "since-the-beginning-of-the-week",
        "entered-a-fourth-day",
        "into-its-third-day",
        "two-weekdays",
        "between-weekdays",
        "from-late-sunday-into-monday",
        "the-past-few-days",
        "the-past-couple-of-days",
        "lasted-until",
    ],
)
def test_extract_resolves_date_phrases_with_their_precision(
    words: str, published_on: date, expected: tuple[str, str | None, str]
) -> None:
    event = only(
        f"Taliban fighters attacked a checkpoint in Kunduz {words}, police said.", published_on
    )
    assert (*span(event), event["date_precision"]) == expected


def test_extract_earlier_in_the_day_is_the_day_read_before() -> None:
    (mention,) = find_dates("Earlier in the day, a bomb went off.")
    assert mention.pattern == "same"
    assert resolve(mention, date(2021, 7, 30)) == resolve(
        find_dates("on that day")[0], date(2021, 7, 30)
    )


def test_extract_a_date_goes_with_the_words_before_it() -> None:
    events = drafts_of(
        "The insurgents overran Qaysar district in Faryab last Thursday and captured Almar two "
        "days later, according to the provincial police chief.",
        date(2021, 7, 16),
    )
    assert sorted((e["district"], e["date"]) for e in events) == [
        ("Almar", "2021-07-10"),
        ("Qaysar", "2021-07-08"),
    ]


def test_extract_days_after_counts_from_a_date_read_later() -> None:
    events = drafts_of(
        "Afghan forces have recaptured Khan Abad district in Kunduz province, two days after the "
        "Taliban overran it, officials said on Thursday.\n"
        "Security forces launched a clearance operation on Wednesday morning, a spokesman said.\n"
        "He said 16 Taliban fighters were killed in the operation.",
        date(2021, 6, 24),
    )
    by_initiator = {
        next(a["name"] for a in e["actors"] if a["role"] == "initiator"): e for e in events
    }
    assert span(by_initiator[ANDSF]) == ("2021-06-23", None)
    assert by_initiator[ANDSF]["fatalities"]["value"] == 16
    assert span(by_initiator[TALIBAN]) == ("2021-06-21", None)


def test_extract_the_attack_came_days_after_counts_from_the_attack() -> None:
    events = drafts_of(
        "Afghan forces repulsed a Taliban attack on Mazar-i-Sharif in Balkh province on Saturday "
        "night, police said.\n"
        "The attack came two days after the militants overran Char Bolak district, police said.",
        date(2021, 6, 27),
    )
    assert sorted((e.get("district"), e["date"]) for e in events) == [
        ("Char Bolak", "2021-06-24"),
        ("Mazar-e Sharif", "2021-06-26"),
    ]
    # "the news of the offensive came a day after ...": the news, not the offensive, is dated
    seed = {e["external_id"]: e for e in json.loads(SEED.read_text())["events"]}
    drafts = drafts_of(SEED_TEXT)
    harassing = seed["harassing-attacks-on-withdrawing-forces"]
    assert any(span(d) == span(harassing) for d in drafts)


def test_extract_days_after_it_fell_is_another_event() -> None:
    events = drafts_of(
        "Afghan forces have recaptured the Andar district of Ghazni province, two days after it "
        "fell to the Taliban, the provincial police chief said on Thursday.\n"
        "Commandos retook the district centre late on Tuesday, he said.",
        date(2021, 6, 24),
    )
    assert sorted(e["date"] for e in events) == ["2021-06-20", "2021-06-22"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Taliban fighters have been battling government forces in Maymana since Tuesday night.",
        "Afghan troops pushed Taliban fighters back from the outskirts of Herat on Friday.",
    ],
    ids=["battling", "pushed-back"],
)
def test_extract_more_verbs_of_fighting_are_offensives(sentence: str) -> None:
    assert only(sentence, date(2021, 7, 16))["kind"] == "offensive"


def test_extract_repelling_their_attacks_is_one_event_with_both_sides() -> None:
    event = only("Government forces repelled Taliban attacks in Ghazni province on Monday.")
    assert actors(event) == {
        ("Taliban", "initiator"),
        ("Afghan National Defense and Security Forces", "target"),
    }


def test_extract_since_the_fighting_began_there() -> None:
    events = drafts_of(
        "Taliban fighters stormed Kunduz city on Monday, police said.\n"
        "The Taliban have besieged Zurmat district in Paktia province since Friday, officials "
        "said.\n"
        "About 600 families have fled Zurmat since the fighting began, officials said.",
        date(2021, 6, 24),
    )
    displacement = next(e for e in events if e["kind"] == "displacement")
    assert span(displacement) == ("2021-06-18", "2021-06-24")


def test_extract_words_inside_a_date_are_no_event() -> None:
    events = drafts_of(
        "Taliban fighters captured Khan Abad district in Kunduz province on Saturday, officials "
        "said.\n"
        "Some 1,500 families have fled to Kunduz city since the fighting began, officials said.",
        date(2021, 7, 8),
    )
    offensive = next(e for e in events if e["kind"] == "offensive")
    displacement = next(e for e in events if e["kind"] == "displacement")
    assert span(offensive) == ("2021-07-03", None)  # not extended by "since the fighting began"
    assert span(displacement) == ("2021-07-03", "2021-07-08")


def test_extract_a_killing_earlier_this_month_is_not_last_nights_attack() -> None:
    events = drafts_of(
        "Taliban fighters fired rockets at Kandahar airport overnight, an airport official said.\n"
        "At least 40 civilians were killed in Spin Boldak earlier this month, a rights group said.",
        date(2021, 7, 29),
    )
    assert [(e.get("district"), *span(e)) for e in events] == [
        (None, "2021-07-28", "2021-07-29"),
        ("Spin Boldak", "2021-07-01", "2021-07-28"),
    ]


def test_extract_undated_announcement_before_a_dated_milestone_spans_that_year() -> None:
    (started, announced) = drafts_of(
        "U.S. forces began to pull out on May 1 after President Joe Biden announced all troops "
        "will leave by September 11."
    )
    assert (started["milestone"], span(started)) == ("withdrawal_started", ("2021-05-01", None))
    assert announced["milestone"] == "deadline_announced"
    assert (span(announced), announced["date_precision"]) == (
        ("2021-01-01", "2021-04-30"),
        "year",
    )
    assert announced["deadline"] == "2021-09-11"


# -- figures ----------------------------------------------------------------------------------
def test_extract_keeps_qualifier_unit_and_claimant() -> None:
    event = only(
        "About 1,000 families were forced to flee their homes in Helmand, the province's "
        "director for refugees said."
    )
    assert event["kind"] == "displacement"
    assert event["families"] == {
        "value": 1000,
        "qualifier": "about",
        "claimed_by": "Helmand provincial director for refugees",
        "alternatives": [],
    }
    assert "individuals" not in event


@pytest.mark.parametrize(
    ("words", "value", "qualifier"),
    [
        ("more than 100", 100, "more_than"),
        ("at least six", 6, "at_least"),
        ("nearly 40", 40, "at_most"),
        ("some 25", 25, "about"),
        ("four", 4, "exact"),
        ("Twelve", 12, "exact"),
        ("dozens of", 12, "more_than"),
    ],
)
def test_extract_reads_numbers_in_digits_and_words(words: str, value: int, qualifier: str) -> None:
    event = only(f"{words} Taliban fighters were killed in Ghazni on Monday, the ministry said.")
    assert (event["fatalities"]["value"], event["fatalities"]["qualifier"]) == (value, qualifier)


def test_extract_keeps_competing_claims_as_alternatives() -> None:
    event = only(
        "Taliban militants ambushed an army convoy in Almar district of Faryab province on "
        "Thursday, killing five soldiers, provincial police spokesman Abdul Karim Yurash said.\n"
        "The Taliban claimed that 11 soldiers were killed in the ambush.",
        date(2021, 4, 20),
    )
    assert event["fatalities"] == {
        "value": 5,
        "qualifier": "exact",
        "claimed_by": "provincial police spokesman Abdul Karim Yurash",
        "alternatives": [{"value": 11, "qualifier": "exact", "claimed_by": "Taliban"}],
    }
    assert actors(event) == {(TALIBAN, "initiator"), ("Afghan National Army", "target")}


def test_extract_takes_no_figure_from_ages_years_hours_distances_or_places() -> None:
    event = only(
        "A 12-year-old girl was wounded when Taliban fighters attacked a checkpoint some 60 km "
        "from Lashkar Gah, a city of about 200,000 people, in the past 24 hours, in at least "
        "six provinces and for the first time since 2001, police said."
    )
    assert "fatalities" not in event


def test_extract_vague_amount_gives_way_to_a_precise_one() -> None:
    event = only(
        "Thousands of people have fled their homes in Helmand.\n"
        "About 1,000 families took refuge in Lashkar Gah, the director for refugees said."
    )
    assert event["families"]["value"] == 1000
    assert "individuals" not in event
    alone = only("Thousands of people have fled their homes in Helmand, residents said.")
    assert alone["individuals"] == {
        "value": 1000,
        "qualifier": "more_than",
        "claimed_by": "residents",
        "alternatives": [],
    }


# -- places -----------------------------------------------------------------------------------
def test_extract_places_through_the_gazetteer() -> None:
    capital = only("Taliban fighters attacked the capital of Helmand province on Monday.")
    assert (capital["province"], capital["district"]) == ("Helmand", "Lashkar Gah")
    district = only("Taliban fighters attacked checkpoints around Lashkar Gah on Monday.")
    assert (district["province"], district["district"]) == ("Helmand", "Lashkar Gah")
    province = only("Taliban fighters attacked checkpoints in the northern province of Kunduz.")
    assert (province["province"], province.get("district")) == ("Kunduz", None)
    spelling = only("Taliban fighters attacked a checkpoint in Nad Ali district on Monday.")
    assert (spelling["province"], spelling["district"]) == ("Helmand", "Nad-e-Ali")


def test_extract_one_draft_per_listed_place() -> None:
    events = drafts_of(
        "The ministry said that government troops have been responding to attacks by the "
        "Taliban in at least six other provinces, including southeastern Ghazni and southern "
        "Kandahar, in the past 24 hours."
    )
    assert [e["province"] for e in events] == ["Ghazni", "Kandahar"]
    assert all(actors(e) == {(TALIBAN, "initiator"), (ANDSF, "target")} for e in events)


def test_extract_surname_is_not_a_district() -> None:
    event = only(
        "Attaullah Khogyani, spokesman for the governor of Nangarhar province, said a bomb "
        "killed four people in Jalalabad on Monday."
    )
    assert (event["province"], event["district"]) == ("Nangarhar", "Jalalabad")


# -- actors and roles -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Taliban fighters attacked a checkpoint in Kunduz on Monday.",
            {(TALIBAN, "initiator")},
        ),
        (
            "Government troops repelled a Taliban attack in Kunduz on Monday.",
            {(ANDSF, "target"), (TALIBAN, "initiator")},
        ),
        (
            "The insurgents were pushed back by Afghan security forces in Kunduz on Monday.",
            {(TALIBAN, "initiator"), (ANDSF, "target")},
        ),
        (
            "Clashes between Taliban insurgents and government forces erupted in Kunduz on Monday.",
            {(TALIBAN, "participant"), (ANDSF, "participant")},
        ),
        (
            "Gunmen shot dead 10 deminers in Baghlan on Monday, an attack the Taliban denied "
            "carrying out.",
            set(),
        ),
    ],
)
def test_extract_actor_roles_from_who_did_what_to_whom(
    sentence: str, expected: set[tuple[str, str]]
) -> None:
    assert actors(only(sentence)) == expected


def test_extract_actor_names_are_registry_names() -> None:
    registry = json.loads((REPO / "seeds" / "actors.json").read_text())
    names = {actor["name"] for actor in registry}
    for case in load_cases():
        for event in drafts_of(case.text, None if case.published_on_in_text else case.published_on):
            assert {a["name"] for a in event["actors"]} <= names
            if event["kind"] == "withdrawal_milestone":
                assert event.get("handed_to") is None or event["handed_to"] in names


# -- kinds, and what is not an event ----------------------------------------------------------
def test_extract_kinds() -> None:
    events = drafts_of(
        "Taliban fighters attacked a checkpoint in Kunduz on Monday, police said.\n"
        "About 300 families fled their homes in Kunduz on Monday, officials said.\n"
        "U.S. forces handed over a base in Helmand to Afghan troops two days ago."
    )
    assert [(e["kind"], e.get("milestone")) for e in events] == [
        ("offensive", None),
        ("displacement", None),
        ("withdrawal_milestone", "base_handover"),
    ]
    handover = events[2]
    assert (handover["force"], handover["facility"], handover["handed_to"]) == (
        "United States Forces",
        "a base in Helmand",
        "Afghan National Army",
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Afghan officials have warned that the Taliban could launch further attacks on Kunduz.",
        "Residents fear that the fighting will spread to Kandahar as foreign troops leave.",
        "The governor said the militants might try to take Lashkar Gah next week.",
        "Analysts say the Afghan air force may struggle once foreign contractors leave Kabul.",
        "The Taliban have captured more than 100 districts since May, according to tallies.",
        "Clashes continued in several northern provinces on Monday, officials said.",
        "Kunduz briefly fell to the Taliban in 2015 and again in 2016.",
        "The Taliban did not immediately respond to a request for comment.",
        "The Pentagon said on Tuesday that the withdrawal was between 6 and 12 percent complete.",
    ],
    ids=[
        "warning",
        "fear",
        "might",
        "may",
        "tally-since",
        "unnamed-provinces",
        "background",
        "no-comment",
        "share-complete",
    ],
)
def test_extract_what_is_not_a_reported_event_gives_no_draft(
    sentence: str,
) -> None:
    assert drafts_of(sentence) == []


def test_extract_is_deterministic() -> None:
    first = extract(SEED_TEXT, published_on=MAY_4)
    assert all(extract(SEED_TEXT, published_on=MAY_4) == first for _ in range(3))


# -- the seed report reproduces the coded seed records ----------------------------------------
def _seed_pairs() -> list[tuple[dict[str, Any], Draft]]:
    gold = json.loads(SEED.read_text())["events"]
    drafts = extract(SEED_TEXT, published_on=MAY_4).drafts
    pairs = []
    for event in gold:
        spans = [(SEED_TEXT.index(q), SEED_TEXT.index(q) + len(q)) for q in event["quotes"]]
        found = [
            d
            for d in drafts
            if d.event["kind"] == event["kind"]
            and d.event.get("milestone") == event.get("milestone")
            and d.event.get("province") == event.get("province")
            and any(e.start < end and start < e.end for e in d.evidence for start, end in spans)
        ]
        assert len(found) == 1, (event["external_id"], [d.event for d in found])
        pairs.append((event, found[0]))
    assert len(drafts) == len(gold)
    return pairs


def test_extract_seed_report_reproduces_seed_records() -> None:
    for gold, draft in _seed_pairs():
        event, name = draft.event, gold["external_id"]
        assert span(event) == (gold["date"], gold.get("end_date")), name
        assert event["date_precision"] == gold["date_precision"], name
        assert (event.get("province"), event.get("district")) == (
            gold.get("province"),
            gold.get("district"),
        ), name
        assert actors(event) == actors(gold), name
        for field in ("fatalities", "families", "individuals"):
            assert figure_right(gold.get(field), event.get(field)), (name, field)
        if gold["kind"] == "withdrawal_milestone":
            for field in ("force", "deadline", "handed_to"):
                assert event.get(field) == gold.get(field), (name, field)


def test_extract_seed_report_explains_inferred_fields() -> None:
    explanations = {g["external_id"]: d.explanations for g, d in _seed_pairs()}
    offensive = explanations["helmand-taliban-offensive"]
    assert offensive["date"].startswith(
        "'the previous day' relative to 'on May 4' = 2021-05-03; extended by 'on May 4'"
    )
    assert offensive["province"] == "'Lashkar Gah' is the district Lashkar Gah of Helmand (AF3001)"
    assert offensive["fatalities"].startswith("'more than 100'")
    handover = explanations["helmand-base-handover"]
    assert handover["date"] == "'two days ago' relative to the publication date = 2021-05-02"


# -- every draft of the evaluation set --------------------------------------------------------
def _extractions() -> list[tuple[str, Extraction]]:
    return [
        (case.text, extract(case.text, published_on=case.published_on)) for case in load_cases()
    ]


def test_extract_every_draft_validates_as_post_v1_events() -> None:
    for text, extraction in _extractions():
        for draft in extraction.drafts:
            assert "sources" not in draft.event
            source = {"publisher": "Wire report", "published_on": extraction.published_on}
            sources = [source | {"quote": e.quote} for e in draft.evidence]
            record = _event_adapter.validate_python(draft.event | {"sources": sources})
            assert record.kind == draft.event["kind"], text[:40]


def test_extract_every_evidence_quote_is_the_text_at_its_offsets() -> None:
    for text, extraction in _extractions():
        for draft in extraction.drafts:
            assert draft.evidence, draft.event
            assert draft.evidence == sorted(draft.evidence, key=lambda e: e.start)
            for evidence in draft.evidence:
                assert text[evidence.start : evidence.end] == evidence.quote


def test_extract_every_figure_number_is_in_the_text() -> None:
    for text, extraction in _extractions():
        stated = numbers_in(text)
        for draft in extraction.drafts:
            for field in ("fatalities", "families", "individuals"):
                figure = draft.event.get(field)
                for claim in [figure, *figure["alternatives"]] if figure else []:
                    assert claim["value"] in stated, (field, claim, text[:60])


def test_extract_evaluation_set_meets_targets() -> None:
    evaluation = evaluate()
    assert len(evaluation.reports) >= 6
    assert evaluation.overall.failures() == []
    assert evaluation.overall.fabricated == 0
    assert evaluation.overall.verbatim == evaluation.overall.quotes


def test_extract_gold_codings_are_valid_records() -> None:
    gazetteer = get_gazetteer()
    for path in [SEED, *sorted(FIXTURES.glob("*.json"))]:
        doc = json.loads(path.read_text())
        text = (path.parent / doc["report"]["path"]).read_text()
        for event in doc["events"]:
            record = {k: v for k, v in event.items() if k not in ("quotes", "external_id")}
            record["sources"] = [{"publisher": "gold", "quote": q} for q in event["quotes"]]
            _event_adapter.validate_python(record)
            assert all(q in text for q in event["quotes"]), event["external_id"]
            if event.get("province"):
                province = gazetteer.find_province(event["province"])
                assert province is not None, event["external_id"]
                assert province.name == event["province"], event["external_id"]


def test_same_claimant_compares_content_words() -> None:
    assert same_claimant("the province's director for refugees", "director for refugees")
    assert same_claimant("Rahmani", "provincial police spokesman Enamuddin Rahmani")
    assert not same_claimant("Taliban", "Defense Ministry")
    assert same_claimant(None, None)
    assert not same_claimant("Taliban", None)


# -- any text ---------------------------------------------------------------------------------
_PHRASES = [
    "Taliban fighters attacked",
    "a checkpoint in Kunduz",
    "on Monday",
    "two days earlier",
    "more than 100",
    "families fled",
    "to Lashkar Gah",
    ", officials said.",
    "the previous day",
    "U.S. forces handed over a base",
    "\u201cWe repelled the attack,\u201d he said.",
    "since Sunday",
    "Published June 22, 2021\n",
    "KABUL, June 22 (Xinhua) -- ",
    "\n",
    "about 1,000 people were killed",
    "will launch attacks",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PHRASES), max_size=20), st.text(max_size=40))
def test_extract_any_text_gives_valid_verbatim_drafts(phrases: list[str], noise: str) -> None:
    text = " ".join(phrases) + noise
    extraction = extract(text, published_on=MAY_4)
    for draft in extraction.drafts:
        for evidence in draft.evidence:
            assert text[evidence.start : evidence.end] == evidence.quote
        _event_adapter.validate_python(draft.event | {"sources": [{"publisher": "x"}]})
        for field in ("fatalities", "families", "individuals"):
            figure = draft.event.get(field)
            if figure:
                assert figure["value"] in numbers_in(text)


@pytest.mark.parametrize(
    ("sentence", "figure"),
    [
        ("Gunmen shot dead a tribal elder in Andar district on Monday, residents said.", 1),
        ("Insurgents attacked a checkpoint in Kunduz on Monday, killing an Afghan guard.", 1),
    ],
    ids=["shot-dead-a", "killing-an"],
)
def test_extract_counts_one_victim_named_with_a_or_an(sentence: str, figure: int) -> None:
    assert only(sentence)["fatalities"]["value"] == figure


def test_extract_counts_the_martyred_as_killed() -> None:
    sentence = "Police said five policemen were martyred when Taliban attacked Ghazni on Monday."
    assert only(sentence)["fatalities"]["value"] == 5


def test_extract_does_not_count_a_victim_and_others_as_one() -> None:
    event = only(
        "A teacher and his two sons were killed when a bomb exploded in Alingar on Sunday."
    )
    assert "fatalities" not in event


def test_extract_people_driven_from_their_homes_are_displaced() -> None:
    event = only(
        "The fighting has driven about 11,000 families from their homes in Kandahar in the past "
        "month, according to a provincial official."
    )
    assert event["kind"] == "displacement"
    assert event["families"] == {
        "value": 11000,
        "qualifier": "about",
        "claimed_by": "a provincial official",
        "alternatives": [],
    }
    assert (*span(event), event["date_precision"]) == ("2021-04-04", "2021-05-04", "month")


def test_extract_nouns_joined_by_and_stay_in_one_clause_with_their_date() -> None:
    event = only(
        "More than 500 families have been displaced from Jaghatu and its surrounding villages "
        "over the past month, the provincial refugee department said."
    )
    assert span(event) == ("2021-04-04", "2021-05-04")


def test_extract_the_last_day_of_something_is_no_period() -> None:
    (mention,) = find_dates("A day earlier, during the last day of the truce, gunmen attacked.")
    assert mention.text == "A day earlier"


def test_extract_the_fall_of_a_place_came_days_after_another_event() -> None:
    events = drafts_of(
        "Taliban fighters captured Sheberghan, the capital of Jawzjan province, on Monday. "
        "The fall of Sheberghan comes a day after the Taliban captured Zaranj, the capital of "
        "Nimroz province."
    )
    assert [(e["district"], *span(e)) for e in events] == [
        ("Shiberghan", "2021-05-03", None),
        ("Zaranj", "2021-05-02", None),
    ]


def test_extract_said_the_mission_would_end_on_a_date_announces_a_deadline() -> None:
    event = only(
        "President Biden said on Monday that the American military mission would conclude on "
        "Aug. 31."
    )
    assert (event["kind"], event["milestone"], event["date"]) == (
        "withdrawal_milestone",
        "deadline_announced",
        "2021-05-03",
    )
    assert event["deadline"] == "2021-08-31"


@pytest.mark.parametrize(
    ("words", "district"),
    [("Ishkashim", "Eshkashem"), ("Sher Khan Bandar", "Imam Sahib"), ("Maiwand", "Maywand")],
)
def test_extract_knows_the_district_spellings_of_the_press(words: str, district: str) -> None:
    event = only(f"Taliban fighters captured {words} district on Monday, officials said.")
    assert event["district"] == district


def test_extract_keeps_each_contingent_s_withdrawal_apart() -> None:
    drafts = extract(
        "The last German troops left Afghanistan on Monday night, Germany's defence ministry "
        "said. Italy also completed its withdrawal the same day, the Italian defence ministry "
        "said.",
        published_on=MAY_4,
    ).drafts
    assert [(d.event["milestone"], d.event["date"]) for d in drafts] == [
        ("withdrawal_completed", "2021-05-03"),
        ("withdrawal_completed", "2021-05-03"),
    ]
    assert [len(d.evidence) for d in drafts] == [1, 1]


def test_extract_claimant_named_after_said_with_a_lowercase_title() -> None:
    event = only(
        "More than 300 families fled Charkh district in the past week, said refugees director "
        "Mohammad Qasim."
    )
    assert event["families"]["claimed_by"] == "refugees director Mohammad Qasim"


def test_extract_reads_a_dateline_after_a_publication_line() -> None:
    extraction = extract(
        "Taliban attack repelled\nPublished: 20 July 2021\n"
        "PUL-I-ALAM (Pajhwok): Security forces repelled a Taliban attack on Charkh district of "
        "Logar province on Monday night, an official said."
    )
    assert extraction.published_on == date(2021, 7, 20)
    (draft,) = extraction.drafts
    assert draft.evidence[0].quote.startswith("Security forces repelled")
    assert draft.event["date"] == "2021-07-19"


def test_extract_a_place_some_km_away_is_only_a_reference() -> None:
    event = only("Taliban fighters captured Nerkh district, 40km from Kabul, on Monday.")
    assert (event["province"], event["district"]) == ("Wardak", "Nerkh")


def test_extract_an_operation_to_retake_the_district_is_the_other_side_s_event() -> None:
    events = drafts_of(
        "The Taliban have captured Nerkh district in Wardak province, officials said.\n"
        "Commandos launched an operation to retake the district on Monday morning and killed "
        "more than 20 Taliban fighters, the defence ministry said."
    )
    assert [sorted(actors(e)) for e in events] == [
        [("Taliban", "initiator")],
        [("Afghan National Army", "initiator"), ("Taliban", "target")],
    ]
    assert events[1]["fatalities"]["value"] == 20


def test_extract_places_listed_with_their_own_dates_are_events_of_their_own() -> None:
    events = drafts_of(
        "A council member said on May 4 that the insurgents took Kohsan district on Saturday and "
        "Ghoryan district the day after."
    )
    assert [(e["district"], *span(e)) for e in events] == [
        ("Kohsan", "2021-05-01", None),
        ("Ghoryan", "2021-05-02", None),
    ]


def test_extract_the_previous_day_in_a_speaker_s_later_words_is_before_they_spoke() -> None:
    events = drafts_of(
        "Council member Najibullah Mohebi said on May 3 that the insurgents took Kohsan district "
        "on Saturday.\n"
        "Government forces launched a counter-attack on Kohsan the previous day but failed to "
        "retake it, Mohebi said."
    )
    assert [span(e) for e in events] == [("2021-05-01", None), ("2021-05-02", None)]


def test_extract_an_aside_between_words_and_their_date() -> None:
    events = drafts_of(
        "The militants captured Kharwar district two days ago, and attacked Pul-e-Alam, the "
        "provincial capital, on Monday, a council member said."
    )
    assert [(e["district"], e["date"]) for e in events] == [
        ("Kharwar", "2021-05-02"),
        ("Pul-e-Alam", "2021-05-03"),
    ]


BIDEN_ANNOUNCEMENT = (
    "President Joe Biden announced on April 14 that all U.S. troops would leave Afghanistan "
    "by September 11, abandoning the May 1 deadline agreed with the Taliban last year."
)


def test_extract_an_announcement_is_dated_by_its_verb() -> None:
    events = drafts_of(BIDEN_ANNOUNCEMENT)
    announced = [
        (e["milestone"], e["date"], e.get("deadline"))
        for e in events
        if e["milestone"] == "deadline_announced"
    ]
    assert announced == [("deadline_announced", "2021-04-14", "2021-09-11")]


def test_extract_a_modal_does_not_reach_an_agreement_in_a_clause_of_its_own() -> None:
    events = drafts_of(BIDEN_ANNOUNCEMENT)
    assert sorted(e["milestone"] for e in events) == ["deadline_agreed", "deadline_announced"]
    (agreed,) = [e for e in events if e["milestone"] == "deadline_agreed"]
    assert (agreed["date"], agreed.get("deadline")) == ("2020-01-01", "2021-05-01")


DEADLINE_MOVED_UP = (
    "President Biden said on Monday that the American military mission would conclude on "
    "Aug. 31, moving up the Sept. 11 deadline he had set in April."
)


def test_extract_a_deadline_set_by_one_side_is_announced() -> None:
    events = drafts_of(DEADLINE_MOVED_UP)
    (set_in_april,) = [e for e in events if e.get("deadline") == "2021-09-11"]
    assert (set_in_april["milestone"], set_in_april["date"]) == (
        "deadline_announced",
        "2021-04-01",
    )


def test_extract_another_deadline_is_another_announcement() -> None:
    events = drafts_of(DEADLINE_MOVED_UP)
    assert [(e["milestone"], e.get("deadline")) for e in events] == [
        ("deadline_announced", "2021-08-31"),
        ("deadline_announced", "2021-09-11"),
    ]
    assert events[0]["date"] == "2021-05-03"


@pytest.mark.parametrize(
    ("sentence", "main", "alternative"),
    [
        (
            "The Taliban said their fighters had killed 30 soldiers in Pashtun Kot on Monday, but "
            "the Defense Ministry put the toll at nine.",
            (30, "Taliban"),
            (9, "Defense Ministry"),
        ),
        (
            "A police spokesman said up to 40 insurgents had been killed in the fighting in Gardez "
            "on Monday, while the Taliban said they had lost only five men.",
            (40, "A police spokesman"),
            (5, "Taliban"),
        ),
    ],
    ids=["toll-put-at", "men-lost"],
)
def test_extract_reads_a_second_count_as_a_competing_claim(
    sentence: str, main: tuple[int, str], alternative: tuple[int, str]
) -> None:
    fatalities = only(sentence)["fatalities"]
    assert (fatalities["value"], fatalities["claimed_by"]) == main
    (other,) = fatalities["alternatives"]
    assert (other["value"], other["claimed_by"]) == alternative


MAYMANA_ARRIVALS = (
    "More than 2,000 families have reached Maymana since Monday, said Faryab's director for "
    "refugees, who said many were sleeping in the open."
)


def test_extract_families_that_reached_a_city_are_displaced() -> None:
    assert only(MAYMANA_ARRIVALS)["families"]["value"] == 2000
    fighters = drafts_of("Some 200 Taliban fighters reached the outskirts of Maymana on Monday.")
    assert all("individuals" not in e for e in fighters)


def test_extract_claimant_with_a_possessive_title_after_said() -> None:
    event = only(MAYMANA_ARRIVALS)
    assert event["families"]["claimed_by"] == "Faryab's director for refugees"


def test_extract_a_war_long_tally_is_no_event() -> None:
    assert (
        drafts_of(
            "The United States has spent more than $2 trillion on the war, in which more than "
            "2,400 American service members were killed."
        )
        == []
    )


def test_extract_fighting_across_the_country_is_no_event() -> None:
    events = drafts_of(
        "Gen. Miller handed over his command on Monday at a ceremony in Kabul, even as the "
        "Taliban press offensives across the country."
    )
    assert [e for e in events if e["kind"] == "offensive"] == []


def test_extract_fighting_is_not_placed_where_the_troops_left_from() -> None:
    events = drafts_of(
        "Fighting in Panjshir began on the night of April 30, hours after the last U.S. troops "
        "left Kabul airport."
    )
    assert {e.get("province") for e in events if e["kind"] == "offensive"} == {"Panjshir"}


@pytest.mark.parametrize(
    "sentence",
    [
        "American troops left Bagram Air Base on Sunday and handed it to Afghan forces.",
        "U.S. forces left Bagram airfield on Sunday.",
    ],
)
def test_extract_troops_leaving_a_named_base_hand_it_over(sentence: str) -> None:
    event = only(sentence)
    assert (event["milestone"], event["district"], event["date"]) == (
        "base_handover",
        "Bagram",
        "2021-05-02",
    )


def test_extract_one_base_left_in_a_lead_and_told_again_is_one_handover() -> None:
    events = drafts_of(
        "Taliban fighters captured two districts in Herat over the weekend, days after U.S. "
        "forces left Bagram air base.\n"
        "The last U.S. and NATO troops left Bagram on April 30, handing the base to Afghan "
        "security forces."
    )
    handovers = [e for e in events if e["kind"] == "withdrawal_milestone"]
    assert [(e["district"], e["date"]) for e in handovers] == [("Bagram", "2021-04-30")]


def test_extract_countries_that_completed_their_withdrawals_are_a_completion() -> None:
    event = only("Germany and Italy completed their withdrawals from Afghanistan last week.")
    assert (event["milestone"], *span(event)) == (
        "withdrawal_completed",
        "2021-04-26",
        "2021-05-02",
    )


def test_extract_the_islamic_emirate_is_the_taliban() -> None:
    attack = only("Fighters of the Islamic Emirate captured Nerkh district on Monday.")
    assert actors(attack) == {("Taliban", "initiator")}


def test_extract_a_count_of_the_dead_contests_the_event_that_has_one() -> None:
    events = drafts_of(
        "Taliban fighters overran an army outpost in Dawlat Abad district of Faryab province on "
        "Monday, killing at least nine soldiers, a local official said.\n"
        "Two days earlier, the insurgents had seized the district's main market, residents said.\n"
        "The Taliban said they had killed 17 soldiers and captured their weapons."
    )
    outpost, market = events
    assert outpost["fatalities"]["value"] == 9
    assert [a["value"] for a in outpost["fatalities"]["alternatives"]] == [17]
    assert "fatalities" not in market


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("on 1 and 2 May", ("2021-05-01", "2021-05-02")),
        ("on 1, 2 and 3 May", ("2021-05-01", "2021-05-03")),
        ("on May 1 and 2", ("2021-05-01", "2021-05-02")),
    ],
    ids=["two-days-month", "three-days-month", "month-two-days"],
)
def test_extract_reads_days_listed_under_one_month(
    words: str, expected: tuple[str, str | None]
) -> None:
    event = only(f"Some 400 families fled to Kunduz city {words}, officials said.")
    assert span(event) == expected


def test_extract_since_the_start_of_a_year_runs_to_publication() -> None:
    event = only("Some 400 families fled to Kunduz city since the start of 2021, officials said.")
    assert span(event) == ("2021-01-01", "2021-05-04")


@pytest.mark.parametrize(
    ("sentence", "field", "value"),
    [
        (
            "A hospital received the bodies of six civilians on Monday after fighting in Kandahar.",
            "fatalities",
            6,
        ),
        (
            "The fighting in Kunduz forced another 300 families to flee on Monday, NRC said.",
            "families",
            300,
        ),
        (
            "UNHCR recorded 55,000 displaced individuals in Helmand province in the past week.",
            "individuals",
            55000,
        ),
    ],
    ids=["bodies-of", "another", "participle-before-the-noun"],
)
def test_extract_reads_figures_in_more_wordings(sentence: str, field: str, value: int) -> None:
    assert only(sentence)[field]["value"] == value


def test_extract_a_number_under_a_forecast_is_no_event() -> None:
    assert (
        drafts_of("Up to 500,000 more people could be displaced in Kandahar, the UN warned.") == []
    )


def test_extract_since_last_week_runs_to_the_report() -> None:
    event = only("Clashes have continued in Khan Abad district of Kunduz since last week.")
    assert (*span(event), event["date_precision"]) == ("2021-04-26", "2021-05-04", "week")


def test_extract_an_after_clause_dates_its_main_clause() -> None:
    taken = only(
        "Taliban militants have overrun Qush Tepa district after government forces withdrew from "
        "the district headquarters on Saturday night, an official said."
    )
    assert span(taken) == ("2021-05-01", None)


def test_extract_since_the_fighting_began_where_people_fled_to() -> None:
    events = drafts_of(
        "Taliban fighters attacked Watapur district of Kunar on Friday, officials said.\n"
        "They attacked the outskirts of Asadabad, the capital of Kunar, for the second straight "
        "day on Monday.\n"
        "About 500 families have fled to Asadabad since the fighting began, a council member said."
    )
    (displacement,) = [e for e in events if e["kind"] == "displacement"]
    assert span(displacement) == ("2021-05-02", "2021-05-04")


def test_extract_a_lead_counting_captures_sums_up_only_the_captures() -> None:
    drafts = extract(
        "Taliban insurgents have captured two districts in Zabul province in the past week, "
        "officials said.\n"
        "The insurgents overran Shinkay district two days ago, and took Arghandab district on "
        "April 30.\n"
        "Over the weekend, a suicide car bomber struck an army base in Shah Joi district, killing "
        "nine soldiers.",
        published_on=MAY_4,
    ).drafts
    lead = "Taliban insurgents have captured two districts"
    assert [d.evidence[0].quote.startswith(lead) for d in drafts] == [True, True, False]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Under the agreement signed with the Taliban in Doha in February 2020, all foreign "
            "forces were to leave Afghanistan by May 1.",
            [("deadline_agreed", "2020-02-01")],
        ),
        (
            "U.S. and NATO forces are due to start leaving on Saturday, May 1, the deadline agreed "
            "with the Taliban in February 2020.",
            [("deadline_agreed", "2020-02-01")],
        ),
        (
            "The U.S. military began pulling out its troops on May 1, the date set in a deal the "
            "Trump administration struck with the Taliban last year.",
            [("withdrawal_started", "2021-05-01"), ("deadline_agreed", "2020-01-01")],
        ),
        (
            "The last U.S. troops are due to leave by Aug. 31, a date Biden set in April.",
            [("deadline_announced", "2021-04-01")],
        ),
        (
            "President Biden announced on Monday that the American military mission in "
            "Afghanistan will end on August 31.",
            [("deadline_announced", "2021-05-03")],
        ),
        (
            "Kandahar Airfield, once the largest foreign base in the south, was handed over to "
            "Afghan forces in April.",
            [("base_handover", "2021-04-01")],
        ),
    ],
)
def test_extract_reads_milestones_in_the_words_wire_reports_use(
    sentence: str, expected: list[tuple[str, str]]
) -> None:
    assert [(e["milestone"], e["date"]) for e in drafts_of(sentence)] == expected


DAWLAT_ABAD_RECAPTURED = (
    "A spokesman said Dawlat Abad district in Faryab, which had fallen to the Taliban on "
    "April 3, was recaptured after a three-day operation that ended on Sunday evening."
)


def test_extract_a_date_in_a_relative_clause_dates_only_that_clause() -> None:
    fallen, _ = drafts_of(DAWLAT_ABAD_RECAPTURED)
    assert (span(fallen), sorted(actors(fallen))) == (
        ("2021-04-03", None),
        [("Taliban", "initiator")],
    )


def test_extract_a_run_of_days_that_ended_runs_back_from_its_end() -> None:
    _, recaptured = drafts_of(DAWLAT_ABAD_RECAPTURED)
    assert (span(recaptured), sorted(actors(recaptured))) == (("2021-04-30", "2021-05-02"), [])


def test_extract_an_appeal_to_stop_fighting_is_no_event() -> None:
    assert drafts_of("The governor called on both sides to avoid fighting in Kandahar city.") == []


def test_extract_families_that_have_taken_shelter_are_displaced() -> None:
    event = only(
        "About 150 families, or more than 1,000 people, have taken shelter in Jalalabad on "
        "Monday, officials said."
    )
    assert (event["families"]["value"], event["individuals"]["value"]) == (150, 1000)


def test_extract_a_province_s_dead_within_the_fighting_at_its_capital_are_its_count() -> None:
    events = drafts_of(
        "Afghan forces battled Taliban insurgents on the outskirts of Shiberghan, the capital of "
        "Jowzjan, for a sixth day on Tuesday.\n"
        "The Defense Ministry said 54 Taliban fighters had been killed in Jowzjan in the past 24 "
        "hours."
    )
    (event,) = events
    assert (event["district"], event["fatalities"]["value"]) == ("Shiberghan", 54)


def test_extract_the_city_captured_is_the_one_people_fled_from() -> None:
    events = drafts_of(
        "Between 1 and 3 May, more than 1,500 families fled from Shiberghan city to Mazar-e-Sharif "
        "after the Taliban captured the city on 1 May, UNHCR said."
    )
    (attack,) = [e for e in events if e["kind"] == "offensive"]
    assert (attack["province"], attack["date"]) == ("Jowzjan", "2021-05-01")


EFE_REPORT = (
    "Kabul, Jul 23 (EFE).- Taliban fighters have attacked Spin Boldak since last Thursday, "
    "per local police."
)


def test_extract_reads_an_efe_dateline() -> None:
    (draft,) = extract(EFE_REPORT, published_on=date(2021, 7, 23)).drafts
    assert draft.evidence[0].quote.startswith("Taliban fighters")


def test_extract_since_last_thursday_runs_to_the_report() -> None:
    (draft,) = extract(EFE_REPORT, published_on=date(2021, 7, 23)).drafts
    assert span(draft.event) == ("2021-07-15", "2021-07-23")


def test_extract_a_number_put_at_by_another_source_is_a_competing_claim() -> None:
    event = only(
        "Some 2,000 people fled Lashkar Gah on Monday, officials said, though the United Nations "
        "put the figure at about 3,000."
    )
    assert event["individuals"]["alternatives"] == [
        {"value": 3000, "qualifier": "about", "claimed_by": "United Nations"}
    ]


def test_extract_people_who_reached_a_city_fled_the_fighting_just_told() -> None:
    events = drafts_of(
        "Taliban fighters stormed Qala-e-Naw, the capital of Badghis province, on Monday.\n"
        "About 400 families have fled to Herat city since Monday, officials said."
    )
    (displacement,) = [e for e in events if e["kind"] == "displacement"]
    assert (displacement["province"], displacement["destination"]["province"]) == (
        "Badghis",
        "Herat",
    )


def test_extract_a_dateline_year_comes_from_the_latest_full_date() -> None:
    extraction = extract(
        "KABUL, Aug 3 (Reuters) - Taliban fighters attacked Lashkar Gah on Monday, in the war "
        "that began after the Sept. 11, 2001 attacks, months after the May 1, 2021 deadline."
    )
    assert extraction.published_on == date(2021, 8, 3)


@pytest.mark.parametrize(
    ("sentence", "place", "initiator"),
    [
        ("The Taliban entered Kabul on Sunday.", ("Kabul", None), "Taliban"),
        ("Taliban fighters swept through Badakhshan on Sunday.", ("Badakhshan", None), None),
        (
            "The battle for the capital of Helmand province entered its sixth day on Sunday.",
            ("Helmand", "Lashkar Gah"),
            None,
        ),
        (
            "Government forces fought to hold the governor's compound in Lashkar Gah on Sunday, "
            "and commandos were flown in from Kabul.",
            ("Helmand", "Lashkar Gah"),
            None,
        ),
        (
            "A suicide bombing at Kabul airport on Sunday, claimed by the Islamic State, killed at "
            "least 175 people.",
            ("Kabul", None),
            "Islamic State Khorasan Province",
        ),
    ],
)
def test_extract_reads_the_words_of_long_form_reports(
    sentence: str, place: tuple[str, str | None], initiator: str | None
) -> None:
    event = only(sentence)
    assert (event["province"], event.get("district")) == place
    assert (event.get("end_date") or event["date"]) == "2021-05-02"
    if initiator:
        assert (initiator, "initiator") in actors(event)


def test_extract_an_opening_date_before_a_speaker_dates_the_announcement() -> None:
    event = only("On April 14, Biden said the American military mission would end on Sept. 11.")
    assert (event["milestone"], event["date"]) == ("deadline_announced", "2021-04-14")
    started = only("The American withdrawal began on May 1.")
    assert started["actors"] == [{"name": "United States Forces", "role": "initiator"}]
    assert drafts_of("More than 90% of the American withdrawal had been completed.") == []


WAYGAL_REPORT = (
    "Taliban fighters overran Waygal district in Nuristan on Monday, and government forces "
    "had withdrawn to Parun, the provincial capital, an official said, adding that four "
    "soldiers had been killed."
)


def test_extract_a_retreat_is_no_place() -> None:
    assert only(WAYGAL_REPORT)["district"] == "Waygal"


def test_extract_an_official_is_no_count_of_one() -> None:
    assert only(WAYGAL_REPORT)["fatalities"]["value"] == 4
    commander = only("A Taliban commander was killed in an air strike in Dawlat Abad on Monday.")
    assert commander["fatalities"]["value"] == 1


def test_extract_troops_began_leaving() -> None:
    event = only("Foreign troops began leaving on May 1.")
    assert (event["milestone"], event["date"]) == ("withdrawal_started", "2021-05-01")


def test_extract_days_later_before_a_speaker_dates_the_announcement() -> None:
    events = drafts_of(
        "U.S. forces handed over Bagram airfield to Afghan forces on April 2.\n"
        "Six days later, President Joe Biden said the U.S. military mission would end on Aug. 31."
    )
    assert [(e["milestone"], e["date"]) for e in events] == [
        ("base_handover", "2021-04-02"),
        ("deadline_announced", "2021-04-08"),
    ]


def test_extract_a_framing_sentence_s_date_is_not_the_event_s() -> None:
    siege = drafts_of(
        "Taliban fighters have besieged Barmal district in Paktika since Saturday.\n"
        "The fighting comes as the last foreign troops prepare to leave ahead of the August 31 "
        "deadline that Biden set earlier this month."
    )
    assert span(siege[0]) == ("2021-05-01", "2021-05-04")


def _assert_dated_from(sentence: str, expected: tuple[str, str | None]) -> None:
    events = drafts_of(sentence)
    assert span(events[0]) == expected
    # what a "since" or "after" clause tells happened on its own day, not since
    assert all(span(e)[0] == expected[0] for e in events)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Thousands of families have fled Kunduz city since the Taliban seized it on Sunday, "
            "WFP staff said.",
            ("2021-05-02", "2021-05-04"),
        ),
        (
            "Fighting erupted in Dahana-i-Ghori district of Baghlan province on April 29 and has "
            "continued since, local authorities said.",
            ("2021-04-29", "2021-05-04"),
        ),
    ],
    ids=["since-a-clause", "has-continued-since"],
)
def test_extract_periods_that_run_on(sentence: str, expected: tuple[str, str | None]) -> None:
    _assert_dated_from(sentence, expected)


def test_extract_an_after_clause_in_a_month_is_in_that_month() -> None:
    _assert_dated_from(
        "Thousands of people fled Ab Kamari district in April after the Taliban captured its "
        "district centre, local authorities said.",
        ("2021-04-01", None),
    )


BAGHLAN_REPORT = (
    "Fighting erupted in Dahana-i-Ghori district of Baghlan province on April 29.\n"
    "As of 3 May, an estimated 12,000 people had fled the district, according to officials.\n"
    "WFP distributed food rations to 1,000 displaced families in Pul-e-Khumri on Monday.\n"
    "In Maywand, Taliban fighters attacked a checkpoint on Monday."
)


def test_extract_a_count_as_of_a_day_runs_to_that_day() -> None:
    displaced = [e for e in drafts_of(BAGHLAN_REPORT) if e["kind"] == "displacement"]
    assert [(span(e), e["individuals"]["value"]) for e in displaced] == [
        (("2021-04-29", "2021-05-03"), 12000)
    ]


def test_extract_families_given_aid_are_not_a_count_of_the_displaced() -> None:
    displaced = [e for e in drafts_of(BAGHLAN_REPORT) if e["kind"] == "displacement"]
    # one displacement (the 12,000 who fled), with no count of families
    assert [e.get("families") for e in displaced] == [None]


def test_extract_a_month_inside_a_place_name_is_no_date() -> None:
    (maywand,) = [e for e in drafts_of(BAGHLAN_REPORT) if e.get("district") == "Maywand"]
    assert maywand["date"] == "2021-05-03"


NORTHERN_DISTRICTS_REPORT = (
    "Taliban fighters captured Yamgan district in Badakhshan on Friday, officials said.\n"
    "The insurgents attacked Khwaja Ghar district in Takhar the previous day, police said.\n"
    "They had overrun Dasht-e-Qala district a day earlier, killing three policemen."
)


def test_extract_the_previous_day_is_before_the_telling() -> None:
    yamgan, khwaja_ghar, _ = drafts_of(NORTHERN_DISTRICTS_REPORT)
    assert [(e["district"], *span(e)) for e in (yamgan, khwaja_ghar)] == [
        ("Yamgan", "2021-04-30", None),
        ("Khwaja Ghar", "2021-05-03", None),
    ]


def test_extract_had_a_day_earlier_counts_from_the_event_told_before() -> None:
    _, _, dasht_e_qala = drafts_of(NORTHERN_DISTRICTS_REPORT)
    assert (dasht_e_qala["district"], *span(dasht_e_qala)) == ("Dasht-e-Qala", "2021-05-02", None)


def test_extract_clashes_still_going_on_run_to_that_day() -> None:
    event = only(
        "Taliban insurgents attacked security posts on the outskirts of Pul-e-Alam late on "
        "Saturday, sparking clashes that were still going on on Monday, officials said."
    )
    assert span(event) == ("2021-05-01", "2021-05-03")


def test_extract_a_shift_dates_the_framing_words_not_the_event_after_it() -> None:
    events = drafts_of(
        "The violence comes a week after U.S. forces left Bagram Airfield and handed it to Afghan "
        "forces on April 30."
    )
    assert [(e["milestone"], *span(e)) for e in events] == [("base_handover", "2021-04-30", None)]


@pytest.mark.parametrize(
    "sentence",
    [
        "The insurgents took the Yamgan district centre on Monday, a spokesman said.",
        "Zaranj became the first provincial capital to fall to the Taliban on Monday.",
        "Afghan commandos drove Taliban fighters from the outskirts of Qala-e-Naw on Monday.",
    ],
    ids=["took", "fall-to", "drove-from"],
)
def test_extract_more_words_for_a_place_changing_hands(sentence: str) -> None:
    assert only(sentence)["date"] == "2021-05-03"


def test_extract_a_commitment_to_complete_the_drawdown_is_no_milestone() -> None:
    assert drafts_of('"We remain committed to completing the drawdown safely," Kirby said.') == []


def test_extract_a_deadline_restated_is_dated_when_it_was_set() -> None:
    event = only(
        "The Pentagon said on Monday that the U.S. withdrawal would end by August 31, the date "
        "President Joe Biden set last month."
    )
    assert (event["milestone"], event["date"], event["date_precision"]) == (
        "deadline_announced",
        "2021-04-01",
        "month",
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Troops began withdrawing on May 1, after President Joe Biden announced in April that all "
        "American forces would be out by September 11.",
        "U.S. troops are leaving ahead of the September 11 deadline set by President Joe Biden in "
        "April.",
        "The withdrawal is to be completed by September 11, as announced by President Joe Biden "
        "in April.",
    ],
)
def test_extract_more_ways_to_announce_a_deadline(sentence: str) -> None:
    announced = [e for e in drafts_of(sentence) if e["milestone"] == "deadline_announced"]
    assert [(e["date"], e["date_precision"]) for e in announced] == [("2021-04-01", "month")]


WITHDRAWAL_AND_KUNDUZ_REPORT = (
    "U.S. forces began withdrawing on May 1, after President Joe Biden announced last month "
    "that all American forces would be out by September 11.\n"
    "Taliban fighters attacked a checkpoint in Kunduz last night, police said."
)


def test_extract_a_month_said_is_no_day_to_count_from() -> None:
    started, announced, _ = drafts_of(WITHDRAWAL_AND_KUNDUZ_REPORT)
    assert [(e["kind"], *span(e)) for e in (started, announced)] == [
        ("withdrawal_milestone", "2021-05-01", None),
        ("withdrawal_milestone", "2021-04-01", None),
    ]


def test_extract_last_night_is_one_day() -> None:
    _, _, attack = drafts_of(WITHDRAWAL_AND_KUNDUZ_REPORT)
    assert (attack["kind"], *span(attack)) == ("offensive", "2021-05-03", None)


def test_extract_aircraft_name_their_side() -> None:
    events = drafts_of(
        "Taliban fighters shelled the main market in Kunduz city over the weekend, killing five "
        "civilians. U.S. aircraft struck Taliban positions near the city's airport on Sunday.\n"
        "Afghan aircraft bombed Taliban hideouts in Chimtal district of Balkh on Monday."
    )
    assert [sorted(actors(e)) for e in events] == [
        [("Taliban", "initiator")],
        [("Taliban", "target"), ("United States Forces", "initiator")],
        [("Afghan National Defense and Security Forces", "initiator"), ("Taliban", "target")],
    ]


def test_extract_a_place_that_is_the_capital_of_its_namesake_province_is_the_city() -> None:
    event = only("Taliban fighters attacked Ghazni, the capital of Ghazni province, on Monday.")
    assert (event["province"], event["district"]) == ("Ghazni", "Ghazni")


def test_extract_a_publication_line_in_capitals_is_read_not_a_crash() -> None:
    extraction = extract(
        "KABUL, Afghanistan (AP) \u2014\nposted JULY 3, 2021\nTaliban fighters attacked Kunduz "
        "on Friday."
    )
    assert extraction.published_on == date(2021, 7, 3)
    assert [d.event["date"] for d in extraction.drafts] == ["2021-07-02"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # "the war" elsewhere in the sentence does not make a dated, placed death a tally
        (
            "Twelve soldiers were killed in Kunduz on Monday, one of the deadliest days for "
            "Afghan forces in the war.",
            ("2021-05-03", 12),
        ),
        # an appeal reaches the words it asks about, not what the sentence tells after it
        (
            "Despite U.S. calls on the Taliban to stop attacks, fighters killed 12 policemen in "
            "Kunduz city on Monday.",
            ("2021-05-03", 12),
        ),
        # "on May 3 and 12 policemen": a count, not a run of days
        (
            "Taliban fighters attacked checkpoints in Kunduz on May 3 and 12 policemen were "
            "killed, officials said.",
            ("2021-05-03", 12),
        ),
    ],
)
def test_extract_review_cases_keep_their_date_and_count(
    sentence: str, expected: tuple[str, int]
) -> None:
    event = only(sentence)
    assert (event["date"], event["fatalities"]["value"]) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "About 300 foreign journalists reached Kabul airport on Sunday.",
        "A U.S. military flight took Afghan interpreters and their families from Kabul on Sunday.",
        "Thousands of Afghans entered Iran through the Islam Qala border crossing on Sunday.",
        "The governor called on both sides to avoid fighting in Kandahar city.",
    ],
)
def test_extract_no_event_in_arrivals_flights_border_crossings_or_appeals(sentence: str) -> None:
    assert drafts_of(sentence) == []


def test_extract_a_list_of_victims_is_no_count_of_one() -> None:
    event = only(
        "A bomb exploded in Kandahar on Monday, killing a soldier, a policeman and two civilians."
    )
    assert "fatalities" not in event


def test_extract_headlines_are_no_datelines() -> None:
    assert find_anchor("TALIBAN CLOSE IN ON KANDAHAR \u2014 A bomb struck Kabul.").place is None
    anchor = find_anchor(
        "12 July 2021\nTaliban close in on Herat\nHERAT (AFP) - Fighters attacked."
    )
    assert (anchor.published_on, anchor.place) == (date(2021, 7, 12), "HERAT")


def test_extract_a_long_run_of_full_stops_is_read_in_linear_time() -> None:
    # a run of stops is matched from its first character only (20,000 dots took 7 s)
    assert extract("." * 50_000, published_on=MAY_4).drafts == []


def test_extract_reads_a_run_on_sentence_in_pieces() -> None:
    text = "Taliban fighters attacked a checkpoint in Kunduz on Monday and " * 100 + "fled."
    sentences = split_sentences(text)
    assert max(s.end - s.start for s in sentences) <= MAX_SENTENCE
    assert all(text[s.start : s.end] == s.text for s in sentences)
    (draft,) = extract(text, published_on=MAY_4).drafts
    assert (draft.event["province"], draft.event["date"]) == ("Kunduz", "2021-05-03")

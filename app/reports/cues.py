"""Words that add detail to an event: how an offensive ended, how it was fought, what the
displaced need, and where "the area" or "the city" is."""

import re

from app.reports.lexicon import NEEDS, TOOK_PLACE

OUTCOMES = {
    "repelled": re.compile(
        r"(?<!tried to )(?<!trying to )(?<!failed to )(?<!attempt to )"
        r"\b(?:repell?ed|repulsed|pushed\s+back|beaten\s+back|beat\s+back|fought\s+back|"
        r"drove\s+back|driven\s+back|foiled|thwarted|failed\s+to\s+(?:take|retake|capture|seize|"
        r"overrun))\b",
        re.IGNORECASE,
    ),
    "territory_taken": re.compile(
        r"(?<!failed to )\b(?:captured|seized|overran|overrun|took\s+(?:over|control)|"
        + TOOK_PLACE
        + r"|taking\s+(?:over|control)|taken\s+(?:over|control)|(?:fell|fallen)\s+to)\b"
        r"|\b(?:district|city|town|crossing|base|capital|centre|center|headquarters|compound|"
        r"post|checkpoint|outpost|village|province|prison|airport)\s+fell\b"
        r"(?!\s+(?:ill|silent|short|apart|behind|sharply|by|from|to\s+\d))",
        re.IGNORECASE,
    ),
    "ongoing": re.compile(
        r"\b(?:continu\w+|rag(?:ed|ing)|ongoing|for\s+a\s+\w+\s+(?:straight\s+|consecutive\s+)?"
        r"day|(?:have|has)\s+been\s+\w+ing)\b",
        re.IGNORECASE,
    ),
}
TACTICS = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in {
        "ground_assault": r"\b(?:storm\w*|assault\w*|overr?an|overrun|offensive|ground\s+attack)",
        "checkpoint_attack": r"\b(?:checkpoints?|check\s+posts?|security\s+posts?|outposts?)\b",
        "air_strike": r"\b(?:air\s*strikes?|air\s+raids?|air\s+support|warplanes?|aircraft)\b",
        "drone_strike": r"\bdrones?\b",
        "artillery": r"\b(?:artillery|mortars?|shell(?:ing|ed|s)|rockets?)\b",
        "special_forces": r"\b(?:commandos?|special\s+forces)\b",
        "ied": r"\b(?:roadside\s+(?:bomb|mine)s?|IEDs?|improvised\s+explosive|landmines?|"
        r"magnetic\s+bombs?|sticky\s+bombs?|car\s+bombs?)\b",
        "suicide_attack": r"\bsuicide\b",
        "ambush": r"\bambush\w*",
        "harassment": r"\bharass\w*",
    }.items()
}
_NEED_CUE = re.compile(
    r"\b(?:need\w*|lack\w*|requir\w*|short\s+of|in\s+need|without|not\s+found|appeal\w*\s+for|"
    r"urgent\w*)\b",
    re.IGNORECASE,
)
_NEED_WORDS = re.compile(
    r"\b(?:" + "|".join(re.escape(n) for n in sorted(NEEDS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
ANAPHORIC_PLACE = re.compile(
    r"\b(?:the\s+(?:area|town|city|district|province|region|provincial\s+capital|village)"
    r"(?:['\u2019]s)?)\b",
    re.IGNORECASE,
)


def outcomes_in(text: str) -> dict[str, str]:
    """Each outcome the text speaks of, with the words it rests on."""
    found = {outcome: pattern.search(text) for outcome, pattern in OUTCOMES.items()}
    return {outcome: match.group(0) for outcome, match in found.items() if match}


def tactics_in(text: str) -> dict[str, str]:
    """Each tactic the text speaks of, with the words it rests on."""
    found = {tactic: pattern.search(text) for tactic, pattern in TACTICS.items()}
    return {tactic: match.group(0) for tactic, match in found.items() if match}


def needs_in(text: str) -> list[str]:
    """What the displaced need, when the sentence says they need or lack something."""
    if not _NEED_CUE.search(text):
        return []
    return list(dict.fromkeys(m.group(0).lower() for m in _NEED_WORDS.finditer(text)))

"""Event mentions: the words that say an offensive, a displacement or a withdrawal milestone
happened, and whether they introduce an event or refer back to one.

A mention is `new` ("Taliban fighters attacked", "a large-scale offensive", "fled"),
`anaphoric` ("the fighting", "the attack", "the handover": it adds to an event already read),
or `weak` ("... were killed", "fighting was continuing": it adds to the event under way or,
with none, starts one). Statements, warnings, forecasts and denials are not events: a mention
under "will", "could", "warned that", "if" and the like is dropped."""

import re
from dataclasses import dataclass

from app.reports.lexicon import TOOK_PLACE

_MODIFIER = re.compile(r"^[\w'\u2019-]+$")
_DETERMINERS = frozenset("the this that these those its their his her our such whose".split())
_INDEFINITE = frozenset(
    "a an some several many multiple two three four five fresh new further more heavy".split()
)

# "the district fell late Thursday": a place that fell was taken (not prices, not a man).
_PLACE_FELL = (
    r"(?:district|city|town|crossing|base|capital|centre|center|headquarters|compound|"
    r"post|checkpoint|outpost|village|province|prison|airport)\s+fell"
    r"(?!\s+(?:ill|silent|short|apart|behind|sharply|by|from|to\s+\d))"
)
_OFFENSIVE_VERBS = (
    r"attacked|attacking|struck(?!\s+(?:a|an|the)\s+(?:\w+\s+)?(?:deal|agreement|balance|chord|tone))"
    r"(?!\s+with\b)|"
    r"stormed|storming|assaulted|ambushed|ambushing|raided|raiding|overran|"
    r"overrun|captured|capturing|seized|seizing|shelled|bombed|clashed|fought|battled|battling|besieged|"
    r"besieging|targeted|targeting|fired\s+(?:rockets|mortars|on|at)|took\s+(?:over|control)|"
    + TOOK_PLACE
    + r"|drove\s+(?:the\s+)?(?:Taliban|militants|insurgents|fighters|attackers)"
    r"\s+(?:\w+\s+)?(?:from|out\s+of|away\s+from)|"
    r"taking\s+(?:over|control)|taken\s+(?:over|control)|(?:fell|fallen|falling)\s+to|"
    + _PLACE_FELL
    + r"|shot\s+dead|gunned\s+down|"
    r"recaptured|recapturing|retook|retaken|retaking|regained\s+control|blew\s+up|blown\s+up|"
    r"detonated|opened\s+fire|pushed\s+into|advanced\s+(?:on|into|towards)|encircled|"
    r"laid\s+siege\s+to|closed\s+in\s+on|entered\s+(?:the\s+)?(?:city|town|provincial\s+capital)"
    # "entered Kabul"; not "Afghans entered Iran", people crossing a border
    r"|entered(?=\s+(?!(?:Iran|Pakistan|Tajikistan|Uzbekistan|Turkmenistan|China)\b)"
    r"(?-i:[A-Z][a-z]))|swept\s+(?:through|into|across)|"
    r"reached\s+the\s+(?:edge|outskirts|gates|centre|center)\s+of"
)
_OFFENSIVE_WEAK_VERBS = (
    r"killed|killing|died|dead|repelled|repulsed|(?:pushed|beaten|beat|fought|drove|"
    r"driven)\s+"
    r"(?:(?:the\s+)?(?:Taliban|militants?|insurgents?|attackers?|fighters?|rebels?)\s+"
    r"(?:fighters\s+)?)?back(?!\s+(?:the\s+)?(?:deadline|date|talks|plans?)\b)"
)
_OFFENSIVE_NOUNS = (
    r"counter-?offensives?|counter-?attacks?|offensives?|attacks?|assaults?|ambush(?:es)?|"
    r"raids?|clashes|clash|fighting|battles?|gunfights?|firefights?|skirmish(?:es)?|siege|"
    r"air\s*strikes?|air\s+raids?|drone\s+strikes?|bombings?|(?:roadside\s+|car\s+|suicide\s+)?"
    r"bombs?|blasts?|explosions?|shelling|mortar(?:\s+(?:rounds?|shells?))?|rockets?|"
    r"(?:roadside\s+|land)mines?|IEDs?|improvised\s+explosive\s+devices?|"
    r"(?:military|clearance|ground|counter-?terrorism|counter-?insurgency)\s+operations?|"
    r"(?<=launched\s)an\s+operation|(?<=launched\s)operations|"
    r"violence|(?<=the\s)fall(?=\s+of\s+[A-Z])"
)
_OFFENSIVE = re.compile(
    rf"\b(?:(?P<verb>{_OFFENSIVE_VERBS})|(?P<weak>{_OFFENSIVE_WEAK_VERBS})|"
    rf"(?P<noun>{_OFFENSIVE_NOUNS}))\b",
    re.IGNORECASE,
)
_DISPLACEMENT = re.compile(
    r"\b(?:(?P<verb>fled|flee|fleeing|forced\s+to\s+flee|forced\s+(?:from|out\s+of)\s+their\s+"
    r"homes|(?:taken|took|found)\s+shelter|(?:driven|drove|drive|forced|pushed|chased|uprooted)\s+(?:[\w,'-]+\s+){1,6}?"
    r"(?:from|out\s+of)\s+their\s+(?:homes|villages|houses)|took\s+refuge|taken\s+refuge|sought\s+(?:refuge|shelter)|seeking\s+(?:refuge|shelter)"
    r"|evacuated|uprooted|(?:left|abandoned)\s+their\s+(?:homes|villages)|displacing|"
    r"(?:has|have|had|been|were|was)\s+displaced)|(?P<noun>displaced|displacement))\b",
    re.IGNORECASE,
)
_DEFINITE_ATTACKER = re.compile(
    r"\bthe\s+(?:\w+\s+)?(?:attackers?|bombers?|gunm[ae]n|assailants?)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
_HABITUAL = re.compile(r"\bsimilar\s+(?:\w+\s+)?$", re.IGNORECASE)
_HABITUAL_AFTER = re.compile(
    r"^[^,;]{0,60}\b(?:in\s+the\s+past(?!\s+(?:\w+[\s-]+)?(?:hours?|days?|weeks?|months?|"
    r"years?)\b)|previously|before\s+now)\b"
)
_CONTINUES = re.compile(
    r"^\s+(?:(?:was|were|is|are|has\s+been|had\s+been|have\s+been)\s+)?(?:still\s+)?"
    r"(?:continu\w*|raging|raged\s+on|went\s+on|goes\s+on|ongoing|persist\w*)",
    re.IGNORECASE,
)
_CONTINUED_BEFORE = re.compile(r"\b(?:continued|continuing|renewed|ongoing)\s+$", re.IGNORECASE)

# Withdrawal milestones: (milestone, pattern, mode); a pattern's `force` group is optional.
_PULL = (
    r"(?:to\s+)?(?:(?:the|their|its|a|his)\s+)?(?:final\s+|formal\s+|military\s+)?"
    r"(?:pull(?:ing)?\s+(?:out|back|its|their|troops|forces)|pull-?out|pullback|withdraw\w*|"
    r"drawdown|departure|exit|leav(?:e|ing)\s+(?:the\s+country|Afghanistan)|leaving\b|departing\b)"
)
_MILESTONES: list[tuple[str, str, str]] = [
    (
        "base_handover",
        r"\b(?:hand(?:ed|ing|s)?\s+over|handover\s+of|turn(?:ed|ing)?\s+over|"
        r"transferr?(?:ed|ing)|hand(?:ed|ing)?)\b(?={_WITHIN}{0,80}?\b(?:bases?|airfields?|air\s*bases?|"
        r"camps?|compounds?|facility|facilities|garrisons?|headquarters|Airfield|Camp)\b)",
        "new",
    ),
    (
        "base_handover",
        r"\b(?:base|camp|airfield|air\s*base)\b{_WITHIN}{0,100}?\b(?:hand(?:ed|ing|s)?\s+"
        r"(?:it\s+|them\s+)?over|turn(?:ed|ing)?\s+(?:it\s+)?over)\b",
        "new",
    ),
    (
        # "troops left Bagram Air Base ... and handed it to Afghan forces"; "left Bagram airfield"
        "base_handover",
        r"\b(?:base|camp|airfield|air\s*base)\b{_WITHIN}{0,100}?\bhand(?:ed|ing|s)?\s+(?:it|them)\s+"
        r"to\b"
        r"|\b(?:left|vacated|departed(?:\s+from)?|withdrew\s+from|pulled\s+out\s+of)\s+(?:the\s+)?"
        r"(?:[A-Z][\w-]+\s+){1,3}(?:Air\s*(?:Base|field)|Airfield|air\s*base|airfield)\b"
        r"|\b(?:left|vacated|departed(?:\s+from)?|withdrew\s+from|pulled\s+out\s+of)\s+Camp\s+[A-Z]",
        "new",
    ),
    ("base_handover", r"\bthe\s+handover\b", "anaphoric"),
    (
        "withdrawal_started",
        rf"\b(?:beg[ia]n|begun|begin(?:ning|s)?|start(?:ed|ing|s)?|launch(?:ed|ing)|"
        rf"kick(?:ed)?\s+off|commenc(?:ed|ing))\s+{_PULL}",
        "new",
    ),
    (
        "withdrawal_started",
        r"\b(?:withdrawal|pull-?out|drawdown)\b{_WITHIN}{0,60}?\b(?:began|started|begun|"
        r"got\s+under\s+way)\b",
        "dated",
    ),
    (
        "withdrawal_completed",
        r"\b(?:complet(?:ed|es|ing)|finish(?:ed|es|ing)|conclud(?:ed|es|ing)|end(?:ed|s|ing))\s+"
        r"(?:the\s+|its\s+|their\s+)?(?:final\s+)?(?:withdrawals?|pull-?outs?|military\s+missions?|"
        r"drawdown)\b"
        r"|\b(?:withdrawal|pull-?out)\s+(?:was|is|has\s+been|had\s+been)\s+(?:officially\s+)?"
        r"completed\b"
        r"|\b(?:last|final|remaining)\s+(?:[\w.'\u2019-]+\s+){0,2}?(?:troops|soldiers|forces|"
        r"service\s+members|contingent|plane|flight)\s+(?:had\s+|have\s+)?(?:left|departed|"
        r"withdrew\s+from|flew\s+out\s+of)\s+(?:Afghanistan|the\s+country|"
        # the capital's airport, the last way out: "the last troops flew out of Kabul's airport"
        r"Kabul(?:'s|\u2019s)?\s+(?:international\s+)?airport|the\s+airport\s+in\s+Kabul)\b",
        "new",
    ),
    (
        "deadline_missed",
        r"\b(?:did\s+not|didn't|failed\s+to|could\s+not|couldn't)\s+meet\s+{_WITHIN_CLAUSE}{0,40}?deadline"
        r"|\bmiss(?:ed|ing)\s+(?:the\s+|its\s+)?{_WITHIN_CLAUSE}{0,40}?deadline"
        r"|\bdeadline\s+(?:passed|lapsed|was\s+missed|expired)\b",
        "new",
    ),
    (
        "deadline_agreed",
        r"\bdeadline\b{_WITHIN}{0,60}?\b(?:was\s+|were\s+|had\s+been\s+|been\s+)?(?:agreed|"
        r"set(?={_AGREEMENT})|negotiated|fixed)\b(?!\s+to\b)"
        r"|\b(?:agreed|signed|reached|struck)\s+(?:an?\s+|the\s+)?(?:agreement|deal|accord)\b"
        r"(?={_WITHIN}{0,120}?\b(?:withdraw|pull|troops|forces|deadline|leave)\w*)"
        # "Under the agreement signed with the Taliban ..., all foreign forces were to leave"
        r"|\b(?:agreement|deal|accord)\s+(?:was\s+|had\s+been\s+)?(?:signed|reached|struck)\b"
        r"(?={_WITHIN}{0,120}?\b(?:withdraw|pull|troops|forces|deadline|leave)\w*)"
        # "on May 1, the date set in a deal the Trump administration struck with the Taliban"
        r"|\b(?:the\s+)?(?:target\s+)?date\s+(?:set|agreed|fixed)\s+(?:in|under|by)\s+(?:an?\s+|the\s+)?"
        r"(?:[\w-]+\s+)?(?:agreement|deal|accord)\b",
        "new",
    ),
    (
        "deadline_announced",
        r"\bannounc(?:ed|es|ing)\b(?={_WITHIN}{0,100}?\b(?:withdraw\w*|leave|pull\s+out|pull-?out|"
        r"exit|depart\w*|deadline|be\s+out|(?:mission|presence|deployment)(?:\s+[\w.-]+){0,3}?\s+(?:would|will)\s+"
        r"(?:end|conclude|be\s+(?:completed?|over)))\b)"
        r"|\b(?:set|extended|pushed\s+back)\s+(?:a\s+new\s+|the\s+)?(?:withdrawal\s+)?deadline\b"
        # "the September 11 deadline set by President Joe Biden", "as announced by Biden"
        r"|\bdeadline\s+(?:that\s+was\s+)?set\s+by\s+(?!(?:the|an?)\s+(?:Doha\s+)?(?:agreement|deal|accord))"
        r"|\bas\s+announced\s+by\b"
        # "by Aug. 31, a date Biden set in July"
        r"|(?<=date\s)(?:that\s+|which\s+)?(?:[\w.'\u2019-]+\s+){1,3}?(?:had\s+|has\s+)?set\b"
        r"(?!{_AGREEMENT})(?!\s+to\b)"
        # "the Sept. 11 deadline he had set in April": set by one side, not agreed
        r"|(?<=deadline\s)(?:that\s+|which\s+)?(?:[\w.'\u2019-]+\s+){1,3}?(?:had\s+|has\s+)?set\b"
        r"(?!{_AGREEMENT})(?!\s+to\b)"
        r"|\b(?:said|declared|ordered|decided|pledged|told)\b(?={_WITHIN}{0,60}?\b(?:troops|"
        r"forces|mission|withdrawal|pull-?out|drawdown)\b"
        r"{_WITHIN}{0,40}?\b(?:would|will|to)\s+(?:be\s+out|leave|withdraw|pull\s+out|exit|end|"
        r"conclude|be\s+(?:completed?|over|finished))\b"
        r"{_WITHIN}{0,60}?\b(?:by|on)\s+(?:the\s+end\s+of\s+)?[A-Z])"
        # "the Aug. 31 deadline that President Joe Biden announced in July"
        r"|(?<=deadline\s)(?:that\s+|which\s+)?(?:[\w.'\u2019-]+\s+){1,5}?announced\b",
        "new",
    ),
    (
        "deadline_announced",
        r"\bannouncement\b(?={_WITHIN}{0,60}?\b(?:withdraw\w*|leave|pull\s+out|pull-?out)\b)",
        "anaphoric",
    ),
]
# The text is one sentence already: only a semicolon (or a comma, within a clause) stops.
_WITHIN = r"[^;]"
_WITHIN_CLAUSE = r"[^;,]"
_AGREEMENT = (
    r"\s+(?:in|under|by)\s+(?:the\s+|an?\s+)?(?:Doha\s+|U\.?S\.?-Taliban\s+)?"
    r"(?:agreement|deal|accord|talks)"
)
_MILESTONE_PATTERNS = [
    (
        m,
        re.compile(
            p.replace("{_WITHIN}", _WITHIN)
            .replace("{_WITHIN_CLAUSE}", _WITHIN_CLAUSE)
            .replace("{_AGREEMENT}", _AGREEMENT),
            re.IGNORECASE,
        ),
        mode,
    )
    for m, p, mode in _MILESTONES
]

# What makes a mention not an event: a modal, a warning, a fear, a condition, a denial.
_SENTENCE_CUES = re.compile(
    r"\b(?:will|would|could|might|(?-i:may)|should|shall|can|cannot|won't|wouldn't)\b"
    r"|\b(?:plans?|planned|planning|threaten(?:s|ed)?|vow(?:s|ed)?|pledg(?:es|ed)|"
    r"intends?|intended|aims?|expects?|expected|likely|unlikely|set|going|ready|prepar(?:es|ed|"
    r"ing)|seeks?|seeking|wants?|wanted|hopes?|hoped|able)\s+to\b"
    r"|\bdue\s+to\s+(?!the\b|fighting|clashes|violence|insecurity)"
    r"|\bwarn(?:s|ed|ing)?\b|\bfear(?:s|ed)?\b|\bconcerns?\b|\bworr(?:y|ies|ied)\b"
    r"|\bpredict\w*|\bforecast\w*|\bdenie[sd]\b|\bdeny(?:ing)?\b"
    r"|\b(?:committed|on\s+track)\s+to\b",
    re.IGNORECASE,
)
# Appeals: "called on both sides to avoid fighting", "urged the Taliban to stop attacks"; they
# reach the words they ask about, not what the sentence tells after a comma.
_PLEA = re.compile(
    r"\b(?:call(?:s|ed|ing)?\s+(?:on|for)|urg(?:es|ed|ing)|appeal(?:s|ed|ing)?\s+(?:to|for)|"
    r"ask(?:s|ed|ing)?)\b[^.;,]{0,60}?\bto\s+(?:avoid|stop|end|halt|cease|refrain|prevent)\b"
    r"[^.;,]*$",
    re.IGNORECASE,
)
# "more than 90% of the American withdrawal had been completed": progress
_SHARE_OF = re.compile(
    r"(?:\d\s*(?:%|percent|per\s+cent)|\b(?:half|third|thirds|quarter|quarters|most|majority|"
    r"bulk|much|part))\s+of\s+(?:the\s+|its\s+|their\s+)?(?:[\w.'\u2019-]+\s+){0,2}$",
    re.IGNORECASE,
)
_MILESTONE_SCOPE = re.compile(
    r",\s+(?=(?:[a-z]+ing|but|after|while|although|though)\b)|;\s*"
    # "due to start leaving on May 1, the deadline agreed with the Taliban": an aside
    r"|,\s+(?=(?:the|a)\s+(?:[\w.-]+\s+){0,2}?(?:deadline|date)\s+(?:[\w.-]+\s+){0,3}?"
    r"(?:agreed|set)\b)"
)
_CLAUSE_CUES = re.compile(
    r"\b(?:if|unless|whether|no|not|never|without)\b|\bin\s+case\b|\b(?:risk|threat)\s+of\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mention:
    """Words that say an event happened (offsets relative to the sentence)."""

    kind: str  # offensive, displacement, withdrawal_milestone
    start: int
    end: int
    trigger: str
    mode: str  # new, anaphoric, weak, dated (a milestone that is new only with a date)
    milestone: str | None = None
    perfect: bool = False  # "have captured": with "since", a tally rather than an event


_FOR_A_PLACE = re.compile(
    r"^(?:battle|fight|fighting|siege|assault|offensive|attack)\s+(?:for|on)\s+(?:the\s+)?"
    r"(?:(?:provincial\s+)?capital\s+of\s+|city\s+of\s+)?(?-i:[A-Z])",
    re.IGNORECASE,
)


def _noun_mode(sentence: str, start: int) -> str:
    """A noun's mode from its determiner: 'the attack' refers back, 'a Taliban attack' and bare
    'fighting' introduce; so does 'the battle for Lashkar Gah', which names its place."""
    if _FOR_A_PLACE.match(sentence[start:]):
        return "new"
    words = re.findall(r"[\w'\u2019-]+", sentence[:start])[-4:]
    for word in reversed(words):
        lower = word.lower()
        if lower in _DETERMINERS or lower.endswith(("'s", "\u2019s", "s'", "s\u2019")):
            return "anaphoric"
        if lower in _INDEFINITE:
            return "new"
        if not _MODIFIER.match(word) or lower in ("of", "in", "on", "to", "by", "and", "for"):
            break
        if not (
            word[0].isupper() or lower.endswith(("ed", "al", "ive", "scale", "-")) or "-" in lower
        ):
            if lower not in ("heavy", "fierce", "small", "large", "major", "deadly", "ample"):
                break
    return "new"


def find_mentions(sentence: str) -> list[Mention]:
    found = _offensive_mentions(sentence) + _displacement_mentions(sentence)
    found += _milestone_mentions(sentence)
    return sorted(found, key=lambda m: m.start)


def _offensive_mentions(sentence: str) -> list[Mention]:
    found: list[Mention] = []
    for match in _OFFENSIVE.finditer(sentence):
        start, end = match.span()
        mode = _offensive_mode(sentence, match)
        if mode is None:
            continue
        perfect = bool(re.search(r"\b(?:have|has)\s+(?:\w+\s+)?$", sentence[:start]))
        found.append(Mention("offensive", start, end, match.group(0), mode, perfect=perfect))
    return found


def _offensive_mode(sentence: str, match: re.Match[str]) -> str | None:
    """An offensive mention's mode; None for 'violence' that does not refer back."""
    start, end = match.span()
    if match.group("noun"):
        mode = _noun_mode(sentence, start)
        if match.group(0).lower() == "violence" and mode != "anaphoric":
            return None
    elif match.group("weak"):
        mode = "weak"
    elif _DEFINITE_ATTACKER.search(sentence[:start]):
        mode = "weak"  # "the attacker detonated ...": more about an attack already read
    else:
        mode = "new"
    if mode != "anaphoric" and (
        _CONTINUES.match(sentence[end:]) or _CONTINUED_BEFORE.search(sentence[:start])
    ):
        mode = "weak"
    return mode


def _displacement_mentions(sentence: str) -> list[Mention]:
    found: list[Mention] = []
    for match in _DISPLACEMENT.finditer(sentence):
        start, end = match.span()
        if match.group("noun"):
            following = sentence[end : end + 30].lower()
            if re.match(
                r"\s+(?:families|people|persons|households|civilians|residents)", following
            ):
                continue
            mode = _noun_mode(sentence, start)
        else:
            mode = "new"
        found.append(Mention("displacement", start, end, match.group(0), mode))
    return found


def _milestone_mentions(sentence: str) -> list[Mention]:
    """Withdrawal milestones; of the patterns of one milestone that overlap, the first."""
    found: list[Mention] = []
    for milestone, regex, mode in _MILESTONE_PATTERNS:
        for match in regex.finditer(sentence):
            start, end = match.span()
            if any(m.milestone == milestone and m.start < end and start < m.end for m in found):
                continue
            found.append(
                Mention("withdrawal_milestone", start, end, match.group(0), mode, milestone)
            )
    return found


def not_an_event(sentence: str, mention: Mention, clause_start: int) -> str | None:
    """Why a mention is not an event (a warning, a forecast, a condition...), or None."""
    before = sentence[: mention.start]
    return (
        _not_one_event(sentence, mention, before)
        or _appeal(before)
        or _sentence_cue(sentence, mention, before)
        or _clause_cue(sentence, mention, clause_start)
    )


def _not_one_event(sentence: str, mention: Mention, before: str) -> str | None:
    """What has happened before ('similar attacks'), or a withdrawal not completed."""
    if _HABITUAL.search(before) or _HABITUAL_AFTER.match(sentence[mention.end :]):
        return f"'{mention.trigger}': what has happened before, not one event"
    if mention.milestone == "withdrawal_completed" and _SHARE_OF.search(before[-60:]):
        return f"'{mention.trigger}': a share of the withdrawal done, not its end"
    if mention.milestone == "withdrawal_completed" and re.search(
        r"\bis\s+\w*\s*completed\b", mention.trigger
    ):
        return f"'{mention.trigger}': a withdrawal to be completed, not one completed"
    return None


def _appeal(before: str) -> str | None:
    plea = _PLEA.search(before)
    if plea:
        return f"'{plea.group(0).strip()}': an appeal, not a reported event"
    return None


def _sentence_cue(sentence: str, mention: Mention, before: str) -> str | None:
    """The last modal, warning, fear or denial before the mention, within its reach."""
    cue = None
    scope = 0
    if mention.kind == "withdrawal_milestone":
        # "troops would leave by September 11, abandoning the May 1 deadline agreed last
        # year": the modal does not reach a milestone in a clause of its own
        for boundary in _MILESTONE_SCOPE.finditer(sentence):
            if boundary.end() <= mention.start:
                scope = boundary.end()
    for match in _SENTENCE_CUES.finditer(before, scope):
        cue = match
    if cue:
        return f"'{cue.group(0)}' before '{mention.trigger}': not a reported event"
    return None


def _clause_cue(sentence: str, mention: Mention, clause_start: int) -> str | None:
    """A condition or a negation near the mention, in its clause."""
    clause = sentence[clause_start : mention.start]
    for match in _CLAUSE_CUES.finditer(clause):
        word = match.group(0).lower()
        near = len(clause[match.end() :].split()) <= 3
        if word in ("no", "not", "never", "without") and not near:
            continue
        if mention.milestone == "deadline_missed" and word == "not":
            continue
        return f"'{match.group(0)}' before '{mention.trigger}': not a reported event"
    return None

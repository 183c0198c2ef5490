"""Who did what to whom: an actor's role from the words around it.

"Taliban fighters attacked a checkpoint" (subject of an attack verb: initiator), "attacks by the
Taliban" (initiator), "attacks on international forces" (target), "government troops repelled a
Taliban attack" (subject of a defence verb: target; the attack's owner: initiator), "the
insurgents had been pushed back" (passive defence: initiator), "clashes between X and Y"
(participants)."""

import re
from dataclasses import dataclass

from app.reports.actors import ActorRef
from app.reports.lexicon import TOOK_PLACE

_ATTACK = (
    r"attack(?:ed|ing|s)?|storm(?:ed|ing|s)?|assault(?:ed|ing)|ambush(?:ed|ing)|raid(?:ed|ing)|"
    r"overr?an|overrun(?:ning)?|captur(?:ed|ing|e)|seiz(?:ed|ing|e)|shell(?:ed|ing)|"
    r"bomb(?:ed|ing)|target(?:ed|ing)|struck|kill(?:ed|ing)|shot\s+dead|launch(?:ed|ing)|"
    r"besieg(?:ed|ing)|took\s+(?:over|control)|"
    + TOOK_PLACE
    + r"|tak(?:en|ing)\s+(?:over|control)|"
    r"fired\s+(?:on|at)|hit|invad(?:ed|ing)|advanc(?:ed|ing)\s+on|recaptur(?:ed|ing)|retook|"
    r"retak(?:en|ing)|regain(?:ed|ing)\s+control|blew\s+up|opened\s+fire\s+on|pushed\s+into|"
    r"advanc(?:ed|ing)\s+(?:into|towards)|encircled|entered"
)
_DEFEND = (
    r"repell?(?:ed|ing)?|repuls(?:ed|ing)|push(?:ed|ing)?\s+(?:[\w'-]+\s+){0,2}?back|fought\s+back|"
    r"fight(?:ing)?\s+back|beat(?:en)?\s+back|dr(?:o|i)ve(?:n)?\s+back|respond(?:ed|ing)\s+to|"
    r"foil(?:ed|ing)|thwart(?:ed|ing)|resist(?:ed|ing)|defend(?:ed|ing)|counter(?:ed|ing)|"
    r"retaliat(?:ed|ing)"
)
_PARTICIPLE = re.compile(r"(?:ed|en|struck|hit|fought|shot\s+dead|overrun|overran|taken\s+\w+)$")
_SKIPPABLE = (
    r"(?:(?:have|has|had|also|reportedly|then|later|allegedly|again|"
    r"(?:late\s+|early\s+)?on\s+\w+|overnight|yesterday|today|"
    r"tried\s+to|trying\s+to|attempted\s+to|managed\s+to|"
    r"backed\s+by(?:\s+[\w-]+){1,3}?|"
    r"and\s+(?:[\w'-]+\s+){0,3}?[\w'-]+)\s+){0,4}"
)
_VERB_AFTER = re.compile(
    rf"^(?:['\u2019]s?)?\s+(?:,[^,]{{1,60}},\s+)?{_SKIPPABLE}"
    rf"(?P<passive>(?:was|were|been|being|is|are)\s+)?(?P<verb>{_ATTACK}|{_DEFEND})\b",
    re.IGNORECASE,
)
_OWNER_OF_ATTACK = re.compile(
    # "Taliban attacks", "the Taliban's fresh attack"; not "forces repelled Taliban attacks"
    rf"^(?:['\u2019]s?)?\s+(?:(?!(?:{_ATTACK}|{_DEFEND})\b)[\w-]+\s+){{0,2}}?(?:attacks?|offensive|assault|ambush|raids?|advance|"
    r"onslaught|push|siege|bombing|counter-?offensive|counter-?attacks?)\b",
    re.IGNORECASE,
)
_BY_BEFORE = re.compile(
    rf"\b(?:(?P<defend>{_DEFEND})|attacks?|offensive|assaults?|ambush|raids?|strikes?|fire|claimed|"
    rf"bombing|shelling|{_ATTACK})\s+by\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_FELL_TO_BEFORE = re.compile(
    r"\b(?:fell|fallen|falling|lost|surrendered)\s+(?:\w+\s+)?to\s+(?:the\s+)?$", re.IGNORECASE
)
_ON_BEFORE = re.compile(
    r"\b(?:attacks?|offensive|assaults?|ambush(?:es)?|raids?|strikes?|fire|advance|bombing|"
    r"shelling)[\"\u201d\u2019']?\s+(?:on|against|targeting)\s+(?:the\s+|a\s+|an\s+)?(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
_BETWEEN_BEFORE = re.compile(r"\bbetween\s+(?:the\s+)?$|\bclash(?:ed|es)?\s+with\s+(?:the\s+)?$")
_OBJECT_BEFORE = re.compile(
    rf"\b(?P<verb>{_ATTACK}|{_DEFEND})\s+(?:the\s+|a\s+|an\s+|their\s+|its\s+)?"
    r"(?:(?!(?:after|before|when|while|as|and|but|since|because|that|which|who|in|at|from)\b)"
    r"[\w'-]+\s+){0,4}$",
    re.IGNORECASE,
)
# "the Taliban denied ...": words of denial, not of a role
DENIAL_AFTER = re.compile(
    r"^\s+(?:has\s+|have\s+|had\s+)?(?:denied|rejected|dismissed|refuted)\b", re.IGNORECASE
)
_RESPONSIBILITY_AFTER = re.compile(
    r"^(?:,[^,]{1,60},)?\s+(?:has\s+|have\s+|had\s+)?(?:claimed|took|accepted)\s+"
    r"responsibility\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Role:
    role: str  # initiator, target, participant
    anchor: int  # the word the role rests on (offset in the sentence)
    note: str


def role_of(sentence: str, actor: ActorRef, others: list[ActorRef]) -> Role | None:
    """The role the words around an actor give it, if any; None for an actor whose words say
    it denied or rejected something (a denial is not a role)."""
    before = sentence[max(0, actor.start - 70) : actor.start]
    after = sentence[actor.end : actor.end + 120]
    quoted = f"'{actor.text}'"
    if DENIAL_AFTER.match(after):
        return None
    if _RESPONSIBILITY_AFTER.match(after):
        return Role("initiator", actor.end, f"{quoted} claimed responsibility")
    return (
        _role_by_words_before(before, actor, quoted)
        or _role_by_verb_after(after, actor, others, quoted)
        or _role_as_object(before, actor, others, quoted)
    )


def _role_by_words_before(before: str, actor: ActorRef, quoted: str) -> Role | None:
    """'fell to the Taliban', 'attacks by X', 'attacks on X', 'clashes between X and Y'."""
    fell = _FELL_TO_BEFORE.search(before)
    if fell:  # "the district fell to the Taliban"
        return Role("initiator", actor.start, f"{fell.group(0).strip()} {quoted}: took it")
    by = _BY_BEFORE.search(before)
    if by:
        role = "target" if by.group("defend") else "initiator"
        return Role(role, actor.start, f"{by.group(0).strip()} {quoted}")
    on = _ON_BEFORE.search(before)
    if on:
        return Role("target", actor.start, f"{on.group(0).strip()} {quoted}")
    if _BETWEEN_BEFORE.search(before):
        return Role("participant", actor.start, f"fighting between/with {quoted}")
    return None


def _role_by_verb_after(
    after: str, actor: ActorRef, others: list[ActorRef], quoted: str
) -> Role | None:
    """'Taliban attacks' (the attack's owner), or the subject of an attack or defence verb,
    active or passive, with no other actor in between."""
    owner = _OWNER_OF_ATTACK.match(after)
    if owner:
        return Role("initiator", actor.end, f"{quoted}{owner.group(0).rstrip()}")
    verb = _VERB_AFTER.match(after)
    if not verb or _crosses(others, actor.end, actor.end + verb.start("verb")):
        return None
    word = " ".join(verb.group("verb").lower().split())
    defends = re.fullmatch(_DEFEND, word) is not None
    passive = bool(verb.group("passive")) and _PARTICIPLE.search(word.split()[0]) is not None
    if defends != passive:
        role, how = "target", "defended against" if defends else "was attacked"
    else:
        role, how = "initiator", "was pushed back" if defends else "attacked"
    anchor = actor.end + verb.start("verb")
    return Role(role, anchor, f"{quoted} {verb.group('verb')}: {how}")


def _role_as_object(
    before: str, actor: ActorRef, others: list[ActorRef], quoted: str
) -> Role | None:
    """The object of a verb: 'repelled the Taliban' (initiator), 'attacked X' (target)."""
    obj = _OBJECT_BEFORE.search(before)
    if not obj or _crosses(others, actor.start - len(before) + obj.start(), actor.start):
        return None
    word = obj.group("verb").lower()
    if re.fullmatch(_DEFEND, word):
        return Role("initiator", actor.start, f"{obj.group(0).strip()} {quoted}: repelled")
    if not re.fullmatch(r"launch(?:ed|ing)", word):
        return Role("target", actor.start, f"{obj.group(0).strip()} {quoted}")
    return None


def _crosses(others: list[ActorRef], start: int, end: int) -> bool:
    return any(start <= o.start and o.end <= end for o in others)

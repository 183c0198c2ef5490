"""A report's sentences and clauses, with their character offsets into the text."""

import itertools
import re
from dataclasses import dataclass
from functools import cached_property

from app.reports.anchor import is_date_line

_ABBREVIATIONS = frozenset(
    "u.s u.n u.k mr mrs ms dr gen lt col sgt capt maj st no jan feb mar apr jun jul aug sep sept "
    "oct nov dec e.g i.e vs a.m p.m gov sen rep brig cmdr adm prof inc co corp jr sr".split()
)
# A run of stops is matched from its first character only: a line of 20,000 dots took 7 s.
_SENTENCE_END = re.compile(
    r"(?<![.!?])[.!?]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])"
)
_TERMINAL = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s*$")
_PUBLICATION_LINE = re.compile(
    r"^\s*(?:Published|Posted|Updated|Date|Dated)\b.{0,60}$", re.IGNORECASE | re.DOTALL
)
# Clause boundaries: a new clause starts after these (the words stay in the new clause).
_CLAUSE = re.compile(
    r",\s*(?=(?:but|while|whereas|where|when|after|although|though|because|before)\b)"
    r"|;\s*"
    r"|,\s+(?=(?:it|they|he|she|we)\s)"
    r"|\s(?=(?:but|while|whereas|although|because)\s)"
    r"|(?<!days)(?<!day)(?<!weeks)(?<!week)(?<!hours)(?<!months)\s(?=(?:after|when)\s+(?!(?:the\s+)?(?:attacks?|fighting|offensive|clashes|hours|days|dawn|"
    r"dark|midnight|noon)\b)\S+\s+\S+)"
    r"|,?\s(?<!known\s)(?<!such\s)(?<!well\s)(?<!so\s)(?<!same\s)"
    r"(?=as\s+(?!part\b|well\b|many\b|much\b|long\b|soon\b|a\s+result\b|of\b|if\b)[a-zA-Z])"
    # "..., and the Taliban took ...": not "Jaghatu and its surrounding villages"
    r"|,\s+(?=and\s+(?:that|the|its|their|his|her)\b)|\s+(?=and\s+(?:fighting|clashes)\b)",
)


@dataclass(frozen=True)
class Sentence:
    """A sentence: its text is exactly `report[start:end]`."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int
    narrative: bool  # False for a headline or a publication line

    @cached_property
    def _clause_starts(self) -> tuple[int, ...]:
        return (0, *(m.end() for m in _CLAUSE.finditer(self.text)))

    def clause_starts(self) -> list[int]:
        """Offsets (relative to the sentence) where its clauses begin, the first being 0."""
        return list(self._clause_starts)

    def clause_of(self, position: int) -> int:
        starts = self._clause_starts
        return max(i for i, s in enumerate(starts) if s <= position)

    def clause_around(self, position: int) -> tuple[int, int]:
        """The span of the clause that holds `position`."""
        return self.clause_span(self.clause_of(position))

    def clause_span(self, number: int) -> tuple[int, int]:
        starts = self._clause_starts
        end = starts[number + 1] if number + 1 < len(starts) else len(self.text)
        return starts[number], end


def _is_abbreviation(text: str, period: int) -> bool:
    # The word before the full stop, from a short window: abbreviations are short, and searching
    # all the text before every full stop made a long report quadratic (200,000 characters: 133 s).
    word = re.search(r"([A-Za-z.]+)$", text[max(0, period - 40) : period])
    if not word:
        return False
    token = word.group(1).lower().rstrip(".")
    return token in _ABBREVIATIONS or len(token) == 1


# Longer than any sentence of prose: a run-on "sentence" is read in pieces of at most this many
# characters, cut at a semicolon, comma or space (one of 50,000 characters took minutes to read).
MAX_SENTENCE = 1000


def _bounded(text: str, cuts: list[int]) -> list[int]:
    """The cuts, with more cuts inside any stretch longer than MAX_SENTENCE."""
    bounded = [cuts[0]]
    for end in cuts[1:]:
        start = bounded[-1]
        while end - start > MAX_SENTENCE:
            window = text[start : start + MAX_SENTENCE]
            cut = max(window.rfind("; "), window.rfind(", "))
            if cut < MAX_SENTENCE // 2:
                cut = window.rfind(" ")
            start = start + (cut + 1 if cut > 0 else MAX_SENTENCE)
            bounded.append(start)
        bounded.append(end)
    return bounded


def split_sentences(text: str, *, body_start: int = 0) -> list[Sentence]:
    """The sentences of the text from `body_start` on (a dateline before it is left out)."""
    sentences: list[Sentence] = []
    position = 0
    paragraph = 0
    for line in text.splitlines(keepends=True):
        line_start, position = position, position + len(line)
        start = max(line_start, body_start)
        if start >= position or not text[start:position].strip():
            continue
        cuts = [start]
        for match in _SENTENCE_END.finditer(text, start, position):
            if text[match.start()] == "." and _is_abbreviation(text, match.start()):
                continue
            cuts.append(match.end())
        cuts.append(position)
        cuts = _bounded(text, cuts)
        is_title = paragraph == 0 and not _TERMINAL.search(text[start:position])
        for a, b in itertools.pairwise(cuts):
            chunk = text[a:b]
            lead = len(chunk) - len(chunk.lstrip())
            s, e = a + lead, a + len(chunk.rstrip())
            if s >= e:
                continue
            sentence_text = text[s:e]
            narrative = (
                not is_title
                and not _PUBLICATION_LINE.match(sentence_text)
                and not is_date_line(sentence_text)
            )
            sentences.append(Sentence(len(sentences), s, e, sentence_text, paragraph, narrative))
        paragraph += 1
    return sentences

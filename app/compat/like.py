"""ACLED's LIKE filters, matched in time linear in the text for a given pattern.

ACLED's LIKE is partial and case-insensitive: the pattern may match any part of the text, `%`
stands for any run of characters and `_` for any one (in a value with no `%`, `_` is itself).
The pattern is cut at its `%`s into pieces of fixed length. Placing the pieces left to right,
each at its leftmost place after the one before, is exact: a piece placed further left never
leaves less room for the pieces after it. Each piece is a regular expression with no quantifier
and no alternation, so the engine tries each start once and never backtracks, and the test
reads the text once per piece. (Translating `%` into `.*` made `%e%e%e%e%e%e%zq%` backtrack
for 82 s of CPU over 20,000 rows.)
"""

import re
from dataclasses import dataclass

_FLAGS = re.IGNORECASE | re.DOTALL


@dataclass(frozen=True, slots=True)
class Like:
    pieces: tuple[re.Pattern[str], ...]

    def matches(self, text: str) -> bool:
        position = 0
        for piece in self.pieces:
            found = piece.search(text, position)
            if found is None:
                return False
            position = found.end()
        return True


def compile_like(value: str) -> Like:
    """ACLED's LIKE pattern `value`."""
    if "%" not in value:
        return Like((re.compile(re.escape(value), _FLAGS),))
    return Like(
        tuple(
            re.compile("".join("." if c == "_" else re.escape(c) for c in part), _FLAGS)
            for part in value.split("%")
            if part
        )
    )

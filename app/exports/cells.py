"""CSV cells a spreadsheet will not run as formulas (CSV injection, as OWASP recommends).

A text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`,
which spreadsheets read as "this is text". Numbers (int, float) and empty cells are written as
they are, so -5.2 stays a number; only text is changed, "-5" included, as OWASP says. Every CSV
the API serves writes its cells through `spreadsheet_safe`; the CSV importers read text through
`spreadsheet_unsafe`, so an exported file loads back as the text that was stored.
"""

from typing import Any

TRIGGERS = frozenset("=+-@\t\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value` as a CSV cell: text a spreadsheet would take as a formula gets a leading '."""
    if isinstance(value, str) and value[:1] in TRIGGERS:
        return "'" + value
    return value


def spreadsheet_unsafe(text: str) -> str:
    """The text a `spreadsheet_safe` cell stands for: without the ' before a trigger character."""
    if text[:1] == "'" and text[1:2] in TRIGGERS:
        return text[1:]
    return text

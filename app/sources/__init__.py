"""Files other tools write, read as our records: UCDP GED and ACLED exports."""

from app.sources import acled, ucdp
from app.sources.tabular import Format

FORMATS: dict[str, Format] = {"ucdp": ucdp, "acled": acled}

"""What exports must credit, as the licences of the data they carry ask (see README)."""

import sqlalchemy as sa
from sqlmodel import Session

from app.core.tables import event_table as event_t

# Every record's province and district names and p-codes, and map points at centroids.
ALWAYS = (
    "Administrative p-codes: UN OCHA (CC BY-IGO)",
    "Administrative boundaries courtesy of geoBoundaries.org (Runfola et al. 2020, "
    "PLoS ONE 15(4): e0231866), public domain",
    "Made with Natural Earth (naturalearthdata.com), public domain",
)
# Imported datasets, by the prefix of their dataset name.
BY_DATASET = {
    "ucdp": "UCDP Georeferenced Event Dataset, CC BY 4.0: Sundberg and Melander 2013, "
    "Journal of Peace Research 50(4)",
    "acled": "Armed Conflict Location & Event Data Project (ACLED), www.acleddata.com",
}


def attributions(session: Session) -> list[str]:
    """The credits for this database's records: the gazetteer's, and each imported dataset's."""
    credits = list(ALWAYS)
    for prefix, credit in BY_DATASET.items():
        # A range on the (dataset, external_id) index, on both backends.
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        found = session.execute(
            sa.select(event_t.c.id)
            .where(event_t.c.dataset >= prefix, event_t.c.dataset < upper)
            .limit(1)
        ).first()
        if found:
            credits.append(credit)
    return credits


def header(credits: list[str]) -> str:
    """One HTTP header value (ASCII)."""
    return " | ".join(credits).encode("ascii", "replace").decode()

"""Files other tools write, read as our records: UCDP GED and ACLED exports."""

from sqlmodel import Session

from app.actors.service import ensure_actor
from app.sources import acled, ucdp
from app.sources.tabular import Format

FORMATS: dict[str, Format] = {"ucdp": ucdp, "acled": acled}


def register_actors(session: Session, source: Format) -> None:
    """The source's names for actors we know by another name become their aliases."""
    for theirs, ours in source.actors.items():
        ensure_actor(session=session, name=ours, aliases=[(theirs, source.name)])

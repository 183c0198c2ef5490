"""GET /v1/stats."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from app.core.deps import SessionDep
from app.core.errors import PROBLEMS
from app.events import service
from app.events.filters import EventQuery
from app.stats import service as stats_service
from app.stats.schemas import Dimension, Stats

router = APIRouter(prefix="/v1/stats", tags=["stats"])


class StatsQuery(EventQuery):
    """/v1/stats: the filters of /v1/events, and how to group."""

    group_by: list[Dimension] = Field(
        default_factory=list,
        max_length=2,
        description="One or two of province, district, kind, actor, country, year, month, "
        "week, day (at most one period). Repeat the parameter for two.",
        examples=[["province", "month"]],
    )


@router.get("", response_model=Stats, responses=PROBLEMS)
def get_stats(session: SessionDep, query: Annotated[StatsQuery, Query()]) -> dict[str, Any]:
    """Count the matching events and total their figures (fatalities, families and people
    displaced), overall and per group, with how many figures were exact, about, at least...

    Takes every filter of /v1/events. Example: fatalities by province per month in 2021:
    `/v1/stats?date_from=2021-01-01&date_to=2021-12-31&group_by=province&group_by=month`.
    """
    resolved = service.resolve_filters(session=session, filters=query.filters())
    return stats_service.stats(session=session, resolved=resolved, group_by=query.group_by)

"""GET /healthz: is the service up and can it reach its database?"""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.core.database import answers
from app.core.deps import SessionDep
from app.core.errors import ApiError, Problem, problem_response
from app.core.types import examples_config

router = APIRouter(tags=["service"])


class Health(BaseModel):
    """The service answers and its database does too."""

    model_config = examples_config({"status": "ok", "database": "sqlite"})

    status: str = Field(description="Always 'ok' when the service is healthy.", examples=["ok"])
    database: str = Field(description="The database backend in use.", examples=["sqlite"])


class Unavailable(ApiError):
    status, title, slug = 503, "Service unavailable", "unavailable"


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": Problem, "description": "The database does not answer."}},
)
def healthz(session: SessionDep) -> Health | JSONResponse:
    """Check that the service and its database answer."""
    if not answers(session):
        unavailable = Unavailable("The database does not answer.", headers={"Retry-After": "5"})
        return problem_response(unavailable.problem(), unavailable.headers)
    return Health(status="ok", database=session.get_bind().dialect.name)

"""The database session of a request, as FastAPI dependencies: the one place routes get one."""

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.database import writer

T = TypeVar("T")


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


# Dependencies that do no I/O of their own are async: a sync one costs a trip to the thread pool
# on every request (seven trips made up a tenth of a list request's time).
async def get_session(request: Request) -> AsyncIterator[Session]:
    with Session(_engine(request)) as session:
        yield session


def get_write_session(request: Request) -> Iterator[Session]:
    with Session(writer(_engine(request))) as session:
        yield session


# The session type, for the web layer's annotations (routes import no SQLAlchemy or SQLModel).
DbSession = Session
SessionDep = Annotated[Session, Depends(get_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]


async def database_work(request: Request, work: Callable[[Session], T]) -> T:
    """Run a route's database work in a session of its own: on SQLite right here, on the event
    loop (a page costs less than a trip to the thread pool, and one warm connection serves the
    requests in turn); on a database server in a worker thread, so that its round trips do not
    stall the loop. (No session dependency: solving one cost a tenth of a page's time.)"""
    engine = _engine(request)

    def run() -> T:
        with Session(engine) as session:
            return work(session)

    if engine.dialect.name == "sqlite":
        return run()
    return await anyio.to_thread.run_sync(run)

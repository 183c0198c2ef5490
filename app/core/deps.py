"""The database session of a request, as FastAPI dependencies: the one place routes get one."""

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.database import writer


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


SessionDep = Annotated[Session, Depends(get_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]

"""ASGI middleware: the request body size limit, answered in the common problem shape."""

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import Problem, problem_response


class BodyLimit:
    """413 for bodies over `limit` bytes, before the app reads them where the size is declared."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    def _too_large(self) -> str:
        return f"The body is over {self.limit} bytes; load big files with `conflict-events import`."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            problem = Problem(
                type="/problems/body-too-large",
                title="Request body too large",
                status=413,
                detail=self._too_large(),
            )
            await problem_response(problem)(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise HTTPException(413, self._too_large())
            return message

        await self.app(scope, counting_receive, send)

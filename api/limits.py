"""Request body limits, enforced while the body streams in (chunked uploads included)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Paths whose body is an array of up to 5,000 items: the batch limit applies to them.
BATCH_PATH_ENDINGS = ("/batch", "/jobs/executions")


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """413 for bodies over the limit: the batch limit on batch paths, else the single one."""

    def __init__(self, app: ASGIApp, single_limit: int, batch_limit: int) -> None:
        self.app = app
        self.single_limit = single_limit
        self.batch_limit = batch_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        limit = (
            self.batch_limit if scope["path"].endswith(BATCH_PATH_ENDINGS) else self.single_limit
        )
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit():
                # The HTTP server holds the body to its declared length: nothing more to watch.
                if int(value) > limit:
                    await self._reject(send, limit)
                else:
                    await self.app(scope, receive, send)
                return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                await self._reject(send, limit)

    @staticmethod
    async def _reject(send: Send, limit: int) -> None:
        body = (
            b'{"detail":"Request body exceeds ' + str(limit).encode() + b" bytes; "
            b'send fewer samples per request"}'
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

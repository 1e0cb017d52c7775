"""A deadline for request headers in `armstrace serve` (against "slowloris" clients).

uvicorn closes an idle keep-alive connection after `timeout_keep_alive`, but that timer is
only set after a response: a new connection that sends part of its request headers, or sends
them a byte now and then, is kept open for as long as the client likes, and enough of them
use up the server's connections and file descriptors. Here every request must deliver its
complete headers within `header_timeout` seconds, counted from the opening of the connection
(or, on a kept-alive connection, from the end of the previous response); trickling bytes does
not extend it. A late client that sent something gets a 408 saying so; the connection is
closed either way. What follows the headers (a body) is not timed here: uploads are bounded in
size (api.py), and a reverse proxy in front bounds the rest.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

DEFAULT_HEADER_TIMEOUT = 10.0


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers."""

    header_timeout: float = DEFAULT_HEADER_TIMEOUT

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._headers_due: asyncio.TimerHandle | None = None

    def _await_headers(self) -> None:
        self._headers_arrived()
        self._headers_due = self.loop.call_later(self.header_timeout, self._headers_late)

    def _headers_arrived(self) -> None:
        if self._headers_due is not None:
            self._headers_due.cancel()
            self._headers_due = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()

    def handle_events(self) -> None:
        cycle = self.cycle
        super().handle_events()
        if self.cycle is not cycle:  # a request's headers were complete: its cycle began
            self._headers_arrived()

    def on_response_complete(self) -> None:
        if not self.transport.is_closing():
            self._await_headers()  # the next request on this connection (a pipelined one disarms it at once)
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._headers_arrived()
        super().connection_lost(exc)

    def _headers_late(self) -> None:
        self._headers_due = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.conn.trailing_data[0]:  # part of a request came: say why it is cut off
            message = (f"request headers not complete within {self.header_timeout:g} s; "
                       "send the whole request at once\n").encode("ascii")
            self.transport.write(b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                                 b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(message), message))
        self.transport.close()


def protocol(header_timeout: float) -> type[HeaderTimeoutProtocol]:
    """The protocol class for uvicorn's `http=` with this deadline."""
    return type("HeaderTimeoutProtocol", (HeaderTimeoutProtocol,), {"header_timeout": float(header_timeout)})

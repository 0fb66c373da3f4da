"""Live updates for the staff console: the relay and the console publish, open pages listen."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

log = logging.getLogger(__name__)
# Sent to a listener whose session ended (sign-out, account switched off, password changed): its
# stream closes and the page goes to the sign-in page.
SIGNED_OUT = {"kind": "signed_out"}
# A comment line this often keeps proxies from closing a quiet stream; the session is re-checked then too.
HEARTBEAT_SECONDS = 20.0


@dataclass(frozen=True)
class Listener:
    """Whose page a queue of events belongs to: the session (its token's hash) and the user."""

    session: str
    user_id: int


class StaffBus:
    """A fan-out of small events ("the queue changed", "conversation X changed") to open pages.

    Events carry ids and kinds, never a resident's words: each page fetches what it shows through
    the same role-checked, escaping views as a reload would.
    """

    def __init__(self, buffer: int = 200) -> None:
        self._listeners: dict[asyncio.Queue, Listener | None] = {}
        self._buffer = buffer

    def listen(self, owner: Listener | None = None) -> asyncio.Queue:
        """A queue that receives every event from now on (call `leave` when done)."""
        queue: asyncio.Queue = asyncio.Queue(self._buffer)
        self._listeners[queue] = owner
        return queue

    def leave(self, queue: asyncio.Queue) -> None:
        """Stop sending to `queue`."""
        self._listeners.pop(queue, None)

    def publish(self, event: dict) -> None:
        """Send an event to every listener; a listener too slow to keep up is told to reload."""
        for queue in list(self._listeners):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                log.info("a staff page fell behind; it will reload")
                _replace(queue, {"kind": "reload"})

    def sign_out(self, sessions: list[str] | None = None, user_id: int | None = None) -> int:
        """End the streams of these sessions, or of every session of a user; returns how many ended."""
        ended = 0
        for queue, owner in list(self._listeners.items()):
            if owner is not None and (owner.session in (sessions or ()) or owner.user_id == user_id):
                self.leave(queue)
                _replace(queue, SIGNED_OUT)
                ended += 1
        return ended


def _replace(queue: asyncio.Queue, event: dict) -> None:
    while not queue.empty():
        queue.get_nowait()
    queue.put_nowait(event)


async def stream(
    request: web.Request, bus: StaffBus, owner: Listener, still_signed_in: Callable[[], Awaitable[bool]]
) -> web.StreamResponse:
    """Server-sent events for one page, until it goes away or its session ends.

    The session is checked again before each event and each heartbeat, so a stream never outlives an
    idle timeout or an account switched off in another gateway process; in this process, signing out
    ends it at once (`StaffBus.sign_out`).
    """
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    listening = bus.listen(owner)
    try:
        await response.write(b"retry: 3000\n\n")
        while True:
            try:
                event = await asyncio.wait_for(listening.get(), timeout=HEARTBEAT_SECONDS)
            except asyncio.TimeoutError:
                event = None
            if event is SIGNED_OUT or not await still_signed_in():
                await response.write(f"data: {json.dumps(SIGNED_OUT)}\n\n".encode())
                break
            await response.write(b": still here\n\n" if event is None else f"data: {json.dumps(event)}\n\n".encode())
    except ConnectionResetError:
        pass  # the page was closed
    finally:
        bus.leave(listening)
    return response

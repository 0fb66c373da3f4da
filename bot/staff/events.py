"""Live updates for the staff console: the relay and the console publish, open pages listen."""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)


class StaffBus:
    """A fan-out of small events ("the queue changed", "conversation X changed") to open pages.

    Events carry ids and kinds, never a resident's words: each page fetches what it shows through
    the same role-checked, escaping views as a reload would.
    """

    def __init__(self, buffer: int = 200) -> None:
        self._listeners: set[asyncio.Queue] = set()
        self._buffer = buffer

    def listen(self) -> asyncio.Queue:
        """A queue that receives every event from now on (call `leave` when done)."""
        queue: asyncio.Queue = asyncio.Queue(self._buffer)
        self._listeners.add(queue)
        return queue

    def leave(self, queue: asyncio.Queue) -> None:
        """Stop sending to `queue`."""
        self._listeners.discard(queue)

    def publish(self, event: dict) -> None:
        """Send an event to every listener; a listener too slow to keep up is told to reload."""
        for queue in list(self._listeners):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                log.info("a staff page fell behind; it will reload")
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait({"kind": "reload"})

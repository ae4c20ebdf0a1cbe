"""The drive loop: run the commands a store operation names, pass back
the replies (sync and asyncio twins; nothing else differs between them).

A command is a tuple from the native ``StoreOperation``: ``("count" |
"row" | "rows", sql, params)``, ``("get", key)``, ``("cas", key, args)``,
``("sleep", seconds)`` or ``("done", value)``. The executor's ``execute``
runs one command on its driver; ``classify`` names a driver error
(``"conflict"``, ``"missing_table"``, ``"rejected"``, ``"unavailable"``) or
returns ``None`` to let it propagate. What happens next (retry, rollback,
give up with which code) is the operation's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .._errors import RegcoreError

Step = tuple[Any, ...]
Classify = Callable[[BaseException], "str | None"]


def _chain(err: RegcoreError, cause: BaseException | None) -> RegcoreError:
    if cause is not None and err.__cause__ is None:
        err.__cause__ = cause
    return err


def drive(op: Any, execute: Callable[[Step], Any], classify: Classify) -> Any:
    started = time.monotonic()
    cause: BaseException | None = None
    try:
        step: Step = op.resume()
        while step[0] != "done":
            if step[0] == "sleep":
                time.sleep(step[1])
                step = op.resume(time.monotonic() - started)
                continue
            try:
                reply = execute(step)
            except Exception as e:
                failure = classify(e)
                if failure is None:
                    raise
                cause = e
                step = op.fail(failure)
                continue
            step = op.resume(reply)
    except RegcoreError as err:
        raise _chain(err, cause) from err.__cause__
    return step[1]


async def drive_async(op: Any, execute: Callable[[Step], Awaitable[Any]], classify: Classify) -> Any:
    started = time.monotonic()
    cause: BaseException | None = None
    try:
        step: Step = op.resume()
        while step[0] != "done":
            if step[0] == "sleep":
                await asyncio.sleep(step[1])
                step = op.resume(time.monotonic() - started)
                continue
            try:
                reply = await execute(step)
            except Exception as e:
                failure = classify(e)
                if failure is None:
                    raise
                cause = e
                step = op.fail(failure)
                continue
            step = op.resume(reply)
    except RegcoreError as err:
        raise _chain(err, cause) from err.__cause__
    return step[1]

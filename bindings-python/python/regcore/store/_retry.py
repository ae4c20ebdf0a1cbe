"""The one retry loop every store uses (sync and asyncio).

An operation is a function that reads the stored value, asks core for the
next one and writes it only if the store still holds what was read (a
compare-and-set, or a write under the row lock it read with). When the
write loses a race the attempt raises :class:`Conflict` and the loop runs it
again on the fresh value, at most ``RetryPolicy.attempts`` times with full
jitter between tries; then it raises ``store.contended``. Nothing is ever
returned (no attempt is ever admitted) unless its write was stored.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from . import _errors

T = TypeVar("T")


class Conflict(Exception):
    """The write lost a race (internal: never escapes the retry loop).

    ``current`` is the value the store holds now, when the store's
    compare-and-set reported it (saves a read on the retry).
    """

    def __init__(
        self, current: str | None = None, *, known: bool = False, instead: Exception | None = None
    ) -> None:
        super().__init__("conflict")
        self.current = current
        self.known = known
        # Raised in place of store.contended if the budget ends on this one
        # (a failed read retried: when reads keep failing the store is
        # unavailable, not contended).
        self.instead = instead


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with full jitter.

    At most ``attempts`` tries and ``deadline`` seconds in all. A try that
    lost a compare-and-set is retried at once on the value that won; the next
    one first sleeps a uniform random time in ``[0, min(max_delay,
    base_delay * 2**n))`` and reads afresh. The default budget is sized for
    a hot key: 8 processes writing one key back to back on 2 cores win about
    1 try in 6, so 200 tries fail with probability < 1e-15.
    """

    attempts: int = 200
    deadline: float = 5.0
    base_delay: float = 0.0005
    max_delay: float = 0.02

    def delay(self, tried: int) -> float:
        return random.uniform(0.0, min(self.max_delay, self.base_delay * (2**tried)))


@dataclass
class StoreStats:
    """Counters for benchmarks and monitoring: operations and lost races."""

    operations: int = 0
    conflicts: int = 0
    contended: int = 0
    most_tries: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def count(self, conflicts: int, contended: bool) -> None:
        with self._lock:
            self.operations += 1
            self.conflicts += conflicts
            self.contended += int(contended)
            self.most_tries = max(self.most_tries, conflicts + 1)

    @property
    def retry_rate(self) -> float:
        """Lost races per operation."""
        return self.conflicts / self.operations if self.operations else 0.0


def run(
    operation: str,
    attempt: Callable[[str | None, bool], T],
    policy: RetryPolicy,
    stats: StoreStats,
) -> T:
    """Run ``attempt(known_current, known)`` until it does not conflict."""
    current: str | None = None
    known = False
    give_up = time.monotonic() + policy.deadline
    made = 0
    last: Conflict | None = None
    for tried in range(max(1, policy.attempts)):
        if tried and time.monotonic() > give_up:
            break
        made += 1
        try:
            result = attempt(current, known)
        except Conflict as conflict:
            # A compare-and-set that lost returns the value that won: retry on
            # it at once (it is one round trip old). After a sleep it would be
            # stale, so the backoff tries read afresh.
            last = conflict
            current, known = conflict.current, conflict.known and tried % 2 == 0
            if not known and tried + 1 < policy.attempts:
                time.sleep(policy.delay(tried // 2))
            continue
        stats.count(tried, False)
        return result
    stats.count(made, True)
    if last is not None and last.instead is not None:
        raise last.instead from last.instead.__cause__
    raise _errors.contended(operation, made)


async def run_async(
    operation: str,
    attempt: Callable[[str | None, bool], Awaitable[T]],
    policy: RetryPolicy,
    stats: StoreStats,
) -> T:
    """The asyncio twin of :func:`run`."""
    current: str | None = None
    known = False
    give_up = time.monotonic() + policy.deadline
    made = 0
    last: Conflict | None = None
    for tried in range(max(1, policy.attempts)):
        if tried and time.monotonic() > give_up:
            break
        made += 1
        try:
            result = await attempt(current, known)
        except Conflict as conflict:
            # A compare-and-set that lost returns the value that won: retry on
            # it at once (it is one round trip old). After a sleep it would be
            # stale, so the backoff tries read afresh.
            last = conflict
            current, known = conflict.current, conflict.known and tried % 2 == 0
            if not known and tried + 1 < policy.attempts:
                await asyncio.sleep(policy.delay(tried // 2))
            continue
        stats.count(tried, False)
        return result
    stats.count(made, True)
    if last is not None and last.instead is not None:
        raise last.instead from last.instead.__cause__
    raise _errors.contended(operation, made)

"""The coded errors an executor raises itself, built by core.

Everything else (contended, unavailable mid-operation, outcome unknown,
schema mismatch, invalid keys, ...) is raised by the store protocol. These
are the failures only the executor can see: a driver that is not installed,
a connection inside a transaction of the caller's, an object that is not a
connection, a pool that gives no connection.
"""

from __future__ import annotations

from typing import Any

from .. import _native
from .._errors import RegcoreError

_n: Any = _native


def unavailable(store: str, operation: str) -> RegcoreError:
    """``store.unavailable`` (kind ``store_unavailable``): nothing was recorded."""
    err: RegcoreError = _n.store_unavailable(store, operation)
    return err


def driver_missing(driver: str, extra: str) -> RegcoreError:
    """``store.driver_missing`` (kind ``configuration``), naming the extra."""
    err: RegcoreError = _n.store_driver_missing(driver, extra)
    return err


def transaction_open(store: str) -> RegcoreError:
    """``store.transaction_open`` (kind ``configuration``)."""
    err: RegcoreError = _n.store_transaction_open(store)
    return err


def invalid_client(store: str, expected: str) -> RegcoreError:
    """``store.invalid_client`` (kind ``configuration``)."""
    err: RegcoreError = _n.store_invalid_client(store, expected)
    return err


def invalid_admission() -> RegcoreError:
    """``store.invalid_admission`` (kind ``invalid_input``)."""
    err: RegcoreError = _n.store_invalid_admission()
    return err

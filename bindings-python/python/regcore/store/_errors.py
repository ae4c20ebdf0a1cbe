"""The store layer's coded errors, built by core (``regcore._native``).

Every code, kind and message is defined in core (``StoreError``); these
helpers only ask the native module for the exception instance so the store
can ``raise ... from`` the driver's exception (the cause stays chained; no
connection string or secret goes into the parameters).
"""

from __future__ import annotations

from typing import Any

from .. import _native
from .._errors import RegcoreError

_n: Any = _native


def contended(operation: str, attempts: int) -> RegcoreError:
    """``store.contended`` (kind ``store_contended``): nothing was recorded."""
    err: RegcoreError = _n.store_contended(operation, attempts)
    return err


def unavailable(store: str, operation: str) -> RegcoreError:
    """``store.unavailable`` (kind ``store_unavailable``): nothing was recorded."""
    err: RegcoreError = _n.store_unavailable(store, operation)
    return err


def driver_missing(driver: str, extra: str) -> RegcoreError:
    """``store.driver_missing`` (kind ``configuration``), naming the extra."""
    err: RegcoreError = _n.store_driver_missing(driver, extra)
    return err


def transaction_open(store: str) -> RegcoreError:
    """``store.transaction_open`` (kind ``configuration``): the caller's
    connection is inside a transaction, so an admission could not be
    committed before the password check."""
    err: RegcoreError = _n.store_transaction_open(store)
    return err


def unsupported(store: str, feature: str) -> RegcoreError:
    """``store.unsupported`` (kind ``configuration``): e.g. the ledger on Redis."""
    err: RegcoreError = _n.store_unsupported(store, feature)
    return err


def schema_mismatch(found: int, expected: int) -> RegcoreError:
    """``store.schema_mismatch`` (kind ``configuration``): run ``migrate()``."""
    err: RegcoreError = _n.store_schema_mismatch(found, expected)
    return err


def invalid_prefix(prefix: str) -> RegcoreError:
    """``store.invalid_prefix`` (kind ``configuration``)."""
    err: RegcoreError = _n.store_invalid_prefix(prefix)
    return err
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


def _fallback(code: str, params: dict[str, str], en: str) -> RegcoreError:
    # Only while the native module predates the store codes (development);
    # a released wheel always has the native constructors.
    return RegcoreError(code, params, en, en)


def contended(operation: str, attempts: int) -> RegcoreError:
    """``store.contended`` (kind ``store_contended``): nothing was recorded."""
    if hasattr(_n, "store_contended"):
        err: RegcoreError = _n.store_contended(operation, attempts)
        return err
    return _fallback(
        "store.contended",
        {"operation": operation, "attempts": str(attempts)},
        f"{operation}: the store stayed contended after {attempts} attempts; nothing was recorded",
    )


def unavailable(store: str, operation: str) -> RegcoreError:
    """``store.unavailable`` (kind ``store_unavailable``): nothing was recorded."""
    if hasattr(_n, "store_unavailable"):
        err: RegcoreError = _n.store_unavailable(store, operation)
        return err
    return _fallback(
        "store.unavailable",
        {"store": store, "operation": operation},
        f"{operation}: the {store} store is unavailable; nothing was recorded",
    )


def driver_missing(driver: str, extra: str) -> RegcoreError:
    """``store.driver_missing`` (kind ``configuration``), naming the extra."""
    if hasattr(_n, "store_driver_missing"):
        err: RegcoreError = _n.store_driver_missing(driver, extra)
        return err
    return _fallback(
        "store.driver_missing",
        {"driver": driver, "extra": extra},
        f"the {driver} driver is not installed; install regcore[{extra}]",
    )


def unsupported(store: str, feature: str) -> RegcoreError:
    """``store.unsupported`` (kind ``configuration``): e.g. the ledger on Redis."""
    if hasattr(_n, "store_unsupported"):
        err: RegcoreError = _n.store_unsupported(store, feature)
        return err
    return _fallback(
        "store.unsupported",
        {"store": store, "feature": feature},
        f"the {store} store does not support {feature}",
    )


def schema_mismatch(found: int, expected: int) -> RegcoreError:
    """``store.schema_mismatch`` (kind ``configuration``): run ``migrate()``."""
    if hasattr(_n, "store_schema_mismatch"):
        err: RegcoreError = _n.store_schema_mismatch(found, expected)
        return err
    return _fallback(
        "store.schema_mismatch",
        {"found": str(found), "expected": str(expected)},
        f"the store schema is at version {found}, this version of regcore needs {expected}; run migrate()",
    )


def invalid_prefix(prefix: str) -> RegcoreError:
    """``store.invalid_prefix`` (kind ``configuration``)."""
    if hasattr(_n, "store_invalid_prefix"):
        err: RegcoreError = _n.store_invalid_prefix(prefix)
        return err
    return _fallback(
        "store.invalid_prefix",
        {"prefix": prefix[:40]},
        f"invalid store prefix '{prefix[:40]}': use 1-32 of a-z, 0-9 and _, starting with a letter",
    )

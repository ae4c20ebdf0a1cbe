"""Exception hierarchy of regcore.

Every exception raised by regcore derives from :class:`RegcoreError` and
carries the stable machine ``code`` (e.g. ``"identifier.too_short"``), its
``kind`` (e.g. ``"invalid_input"``), the named ``params`` (all values are
strings, exactly as core reports them) and the English and Japanese messages.

The subclass is the one of the error's kind, and core decides the kind of
every code: this module holds no table of codes. Branch on the class (or on
``.kind``) for what to do, and on ``.code`` for what to say.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "RegcoreError",
    "InvalidInputError",
    "RejectedError",
    "LockedError",
    "ExpiredError",
    "RefusedError",
    "StoredStateError",
    "ConfigurationError",
    "StoreError",
    "StoreContendedError",
    "StoreUnavailableError",
    "InternalError",
    "exception_class_for_kind",
]


class RegcoreError(Exception):
    """Base class: a coded, bilingual error from regcore."""

    code: str
    kind: str
    params: dict[str, str]
    message_en: str
    message_ja: str

    def __init__(
        self,
        code: str,
        kind: str,
        params: dict[str, str],
        message_en: str,
        message_ja: str,
    ) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.kind = kind
        self.params = dict(params)
        self.message_en = message_en
        self.message_ja = message_ja

    def message(self, lang: str = "en") -> str:
        """The message in ``"en"`` or ``"ja"`` (any other raises ``binding.unknown_name``)."""
        if lang == "ja":
            return self.message_ja
        if lang == "en":
            return self.message_en
        from ._native import unknown_language_error

        raise unknown_language_error(lang)

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            type(self),
            (self.code, self.kind, self.params, self.message_en, self.message_ja),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, params={self.params!r})"


class InvalidInputError(RegcoreError, ValueError):
    """Kind ``invalid_input``: malformed or out-of-range input (a typo, a
    number that does not fit). Show it; do not count it as a failed attempt."""


class RejectedError(RegcoreError):
    """Kind ``rejected``: a well-formed credential, key or code was checked
    and is wrong. Count it as a failed attempt."""


class LockedError(RegcoreError):
    """Kind ``locked``: refused without checking, after too many failures
    (a lockout, a burned code)."""


class ExpiredError(RegcoreError):
    """Kind ``expired``: valid once, no longer (expired, superseded, used)."""


class RefusedError(RegcoreError):
    """Kind ``refused``: a domain rule refuses the operation (a key bound
    to another terminal, a sixth dealer)."""


class StoredStateError(RegcoreError, ValueError):
    """Kind ``stored_state``: stored state or a stored hash does not decode
    or is outside what this version accepts."""


class ConfigurationError(RegcoreError, ValueError):
    """Kind ``configuration``: a policy, secret, schema or driver problem."""


class StoreError(RegcoreError):
    """A store could not record the operation; nothing was recorded."""


class StoreContendedError(StoreError):
    """Kind ``store_contended``: compare-and-set kept losing; retry later."""


class StoreUnavailableError(StoreError):
    """Kind ``store_unavailable``: the store could not be reached."""


class InternalError(RegcoreError):
    """Kind ``internal``: the platform failed (OS randomness, allocation)."""


_BY_KIND: dict[str, type[RegcoreError]] = {
    "invalid_input": InvalidInputError,
    "rejected": RejectedError,
    "locked": LockedError,
    "expired": ExpiredError,
    "refused": RefusedError,
    "stored_state": StoredStateError,
    "configuration": ConfigurationError,
    "store_contended": StoreContendedError,
    "store_unavailable": StoreUnavailableError,
    "internal": InternalError,
}


def exception_class_for_kind(kind: str) -> type[RegcoreError]:
    """The exception class regcore raises for errors of a core kind."""
    return _BY_KIND.get(kind, RegcoreError)


def _from_native(
    code: str, kind: str, params: dict[str, str], message_en: str, message_ja: str
) -> RegcoreError:
    """Called by the native module to build the exception for a core error."""
    return exception_class_for_kind(kind)(code, kind, params, message_en, message_ja)

"""Exception hierarchy of regcore.

Every exception raised by regcore derives from :class:`RegcoreError` and
carries the stable machine ``code`` (e.g. ``"identifier.too_short"``), the
named ``params`` (all values are strings, exactly as core reports them) and
the English and Japanese messages.

The subclass is chosen from the code's prefix (see ``_PREFIXES``), so a new
core error code lands in the right family without a binding change.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "RegcoreError",
    "InvalidIdentifierError",
    "ConfigError",
    "InvalidInputError",
    "DecodeError",
    "TokenError",
    "TokenExpiredError",
    "TokenSupersededError",
    "TokenInvalidError",
    "TokenMalformedError",
    "TokenPhoneMismatchError",
    "CodeError",
    "KeyVerificationError",
    "PairingError",
    "MaintenanceError",
    "exception_class_for",
]


class RegcoreError(Exception):
    """Base class: a coded, bilingual error from regcore."""

    code: str
    params: dict[str, str]
    message_en: str
    message_ja: str

    def __init__(
        self,
        code: str,
        params: dict[str, str],
        message_en: str,
        message_ja: str,
    ) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.params = dict(params)
        self.message_en = message_en
        self.message_ja = message_ja

    def message(self, lang: str = "en") -> str:
        """The message in ``"en"`` or ``"ja"``."""
        if lang == "ja":
            return self.message_ja
        if lang == "en":
            return self.message_en
        raise ValueError(f"unknown language {lang!r}; expected 'en' or 'ja'")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.params, self.message_en, self.message_ja))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, params={self.params!r})"


class InvalidIdentifierError(RegcoreError, ValueError):
    """An identifier (MPR ID, serial number, e-mail, …) failed to parse."""


class ConfigError(RegcoreError, ValueError):
    """A policy, schedule, parameter set or secret is not acceptable."""


class InvalidInputError(RegcoreError, ValueError):
    """An input value is out of range (e.g. a password over the hashing cap)."""


class DecodeError(RegcoreError, ValueError):
    """Stored state or an encoded value could not be decoded."""


class TokenError(RegcoreError):
    """A signed link token was not accepted."""


class TokenExpiredError(TokenError):
    """The token's lifetime has passed."""


class TokenSupersededError(TokenError):
    """A newer token was issued for the same subject and purpose."""


class TokenInvalidError(TokenError):
    """The token's authentication tag does not match."""


class TokenMalformedError(TokenError, DecodeError):
    """The token is not a well-formed regcore token."""


class TokenPhoneMismatchError(TokenError):
    """The phone number typed does not match the one given at application."""


class CodeError(RegcoreError):
    """A one-time code was not accepted."""


class KeyVerificationError(RegcoreError):
    """A key code, gateway password, activation or registration key failed."""


class PairingError(RegcoreError):
    """An issuance request broke a pairing rule."""


class MaintenanceError(RegcoreError):
    """A maintenance link or e-mail operation was refused."""


# Exact codes first, then the longest matching prefix.
_EXACT: dict[str, type[RegcoreError]] = {
    "keycode.mismatch": KeyVerificationError,
    "gateway_password.mismatch": KeyVerificationError,
    "activation.authentication_failed": KeyVerificationError,
    "regkey.authentication_failed": KeyVerificationError,
    "hash.invalid_params": ConfigError,
    "hash.invalid_pepper": ConfigError,
    "hash.malformed_phc": DecodeError,
    "hash.unsupported_algorithm": DecodeError,
    "token.expired": TokenExpiredError,
    "token.superseded": TokenSupersededError,
    "token.invalid": TokenInvalidError,
    "token.malformed": TokenMalformedError,
    "token.phone_mismatch": TokenPhoneMismatchError,
    "token.claim_too_long": InvalidInputError,
    "lockout.malformed_state": DecodeError,
    "code.malformed_state": DecodeError,
}

_PREFIXES: dict[str, type[RegcoreError]] = {
    "identifier.": InvalidIdentifierError,
    "keys.": ConfigError,
    "keycode.": InvalidInputError,
    "gateway_password.": InvalidInputError,
    "regkey.": InvalidInputError,
    "activation.": InvalidInputError,
    "hash.": InvalidInputError,
    "policy.": ConfigError,
    "lockout.": ConfigError,
    "code.": CodeError,
    "token.": TokenError,
    "session.": ConfigError,
    "secret.": ConfigError,
    "issuance.": PairingError,
    "ledger.": PairingError,
    "maintenance.": MaintenanceError,
}


def exception_class_for(code: str) -> type[RegcoreError]:
    """The exception class regcore raises for a given error code."""
    exact = _EXACT.get(code)
    if exact is not None:
        return exact
    best = ""
    for prefix in _PREFIXES:
        if code.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return _PREFIXES[best] if best else RegcoreError


def _from_native(
    code: str, params: dict[str, str], message_en: str, message_ja: str
) -> RegcoreError:
    """Called by the native module to build the exception for a core error."""
    return exception_class_for(code)(code, params, message_en, message_ja)

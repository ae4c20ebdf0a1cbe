"""regcore: the rules of a device-registration portal, from a Rust core.

Password policies, Argon2id hashing, login lockout, one-time codes, signed
links, sessions and unlock-key derivation with pairing rules. Pure rules: you
store the state values regcore returns; regcore never does I/O except the two
conveniences of this binding, the system clock (``now=None``) and OS
randomness (salts, minted secrets).

Every error is a :class:`RegcoreError` with ``.code``, ``.params``,
``.message_en`` and ``.message_ja``.
"""

from __future__ import annotations

from ._errors import (
    CodeError,
    ConfigError,
    DecodeError,
    InvalidIdentifierError,
    InvalidInputError,
    KeyVerificationError,
    PairingError,
    RegcoreError,
    TokenError,
    TokenExpiredError,
    TokenInvalidError,
    TokenMalformedError,
    TokenSupersededError,
    exception_class_for,
)
from ._native import (
    ActivationNumber,
    DealerId,
    EmailAddress,
    GatewayId,
    KmsLoginId,
    MprId,
    PhoneNumber,
    RegistrationId,
    UpsSerial,
    __version__,
)

__all__ = [
    "__version__",
    # errors
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
    "CodeError",
    "KeyVerificationError",
    "PairingError",
    "exception_class_for",
    # identifiers
    "ActivationNumber",
    "DealerId",
    "EmailAddress",
    "GatewayId",
    "KmsLoginId",
    "MprId",
    "PhoneNumber",
    "RegistrationId",
    "UpsSerial",
]

"""regcore: the rules of a device-registration portal, from a Rust core.

Password policies, Argon2id hashing, login lockout, one-time codes, signed
links, sessions and unlock-key derivation with pairing rules. Pure rules: you
store the state values regcore returns; regcore does no I/O except the two
conveniences of this binding, the system clock (``now=None``) and OS
randomness (salts, generated secrets).

Every error is a :class:`RegcoreError` with ``.code``, ``.params``,
``.message_en`` and ``.message_ja``; rule violations that a form shows are
data (:class:`Diagnostic`), not exceptions.
"""

from __future__ import annotations

from ._errors import *  # noqa: F403
from ._native import *  # noqa: F403
from ._native import __version__

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
    "__version__",
    "ActivationAuthority",
    "ActivationInfo",
    "ActivationKey",
    "ActivationNumber",
    "Binding",
    "CodePolicy",
    "CodeSecret",
    "CodeState",
    "CodeVerification",
    "DailyCount",
    "DailyReport",
    "DealerAccount",
    "DealerId",
    "DeviceKey",
    "Diagnostic",
    "EmailAddress",
    "GatewayId",
    "GatewayMaintenance",
    "GatewayPassword",
    "HashParams",
    "HistoryReport",
    "HistoryRow",
    "IssuancePlan",
    "IssuanceRequest",
    "KeyCode",
    "KeyOutcome",
    "Keyring",
    "KmsLoginId",
    "Ledger",
    "LinkClaims",
    "LinkPolicy",
    "Locked",
    "LockoutAttempt",
    "LockoutPolicy",
    "LockoutRefusal",
    "LockoutState",
    "MAX_PASSWORD_BYTES",
    "MasterSecret",
    "MprId",
    "OneTimeCode",
    "PasswordAge",
    "PasswordPolicy",
    "PasswordReport",
    "Pepper",
    "PhoneNumber",
    "PolicyRule",
    "Product",
    "ProductCatalogue",
    "ProvisionalRegistration",
    "RebindRecord",
    "RegistrationId",
    "RegistrationKey",
    "SessionPolicy",
    "SessionState",
    "SessionTouch",
    "UpsSerial",
    "Violation",
    "code_key",
    "hash_password",
    "key_codes",
    "needs_rehash",
    "password_age",
    "peek_token",
    "plan_issuance",
    "registration_keys",
    "verify_password",
]

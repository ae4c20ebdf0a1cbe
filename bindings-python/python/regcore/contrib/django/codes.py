"""One-time codes for sign-up and password reset, through the configured store.

    code = codes.issue("sign_up", email)          # mail code (six digits)
    result = codes.verify("sign_up", email, typed)
    if not result.ok: form.add_error("code", result.message)

Core derives and checks the codes (latest only, burned after the policy's
wrong tries); the store keeps the small state atomically per subject.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import regcore

from . import conf
from .lang import language

Purpose = Literal["sign_up", "email_change", "password_reset"]


def policy(purpose: Purpose) -> regcore.CodePolicy:
    if purpose == "sign_up":
        return regcore.CodePolicy.sign_up()
    if purpose == "email_change":
        return regcore.CodePolicy.email_change()
    if purpose == "password_reset":
        return regcore.CodePolicy.password_reset()
    raise ValueError(f"unknown code purpose {purpose!r}")


def issue(purpose: Purpose, subject: str) -> str:
    """Issue the next code for ``subject`` (earlier ones die); the six digits to send."""
    code = conf.store().code_issue(policy(purpose), conf.code_secret(), subject)
    return code.expose()


@dataclass(frozen=True)
class CodeResult:
    ok: bool
    code: str | None
    """``None`` when ok, else core's code (``code.wrong``, ``code.expired``, …)
    or ``code.not_issued`` when nothing was issued for the subject."""
    message: str
    """In the active language ("" when ok)."""


def verify(purpose: Purpose, subject: str, typed: str) -> CodeResult:
    """Verify ``typed`` and store the outcome atomically (used up, or one wrong try counted)."""
    check = conf.store().code_verify(policy(purpose), conf.code_secret(), subject, typed)
    if check is None:
        # Nothing stored: answered like a wrong code, in core's words.
        return CodeResult(False, "code.not_issued", _not_issued_message())
    if check.ok:
        return CodeResult(True, None, "")
    rejection = check.rejection
    assert rejection is not None
    return CodeResult(False, rejection.code, rejection.message(language()))


def _not_issued_message() -> str:
    # Core has no diagnostic for "no code for this subject"; a wrong code's
    # message is what the user should read (and reveals nothing more).
    dummy = regcore.CodePolicy.sign_up()
    state, code = dummy.issue(b"\0" * 32, "-", None)
    typed = "000000" if code.expose() != "000000" else "111111"
    check = dummy.verify(b"\0" * 32, "-", typed, state)
    rejection = check.rejection
    return rejection.message(language()) if rejection is not None else ""

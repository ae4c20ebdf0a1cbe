"""``AUTH_PASSWORD_VALIDATORS`` entry: a regcore password policy.

    {"NAME": "regcore.contrib.django.validators.PasswordPolicyValidator",
     "OPTIONS": {"preset": "ups_site"}}          # or {"policy": {...core's dict...}}

Every violation becomes one ``ValidationError`` (``code`` = core's code,
message in the active language: Japanese when ``get_language()`` is ``ja*``,
else English); ``get_help_text()`` is the policy's ``describe()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError

import regcore

from .lang import language


class PasswordPolicyValidator:
    def __init__(
        self,
        preset: str | None = None,
        policy: Mapping[str, Any] | str | None = None,
        blocklist: Sequence[str] = (),
    ) -> None:
        if policy is not None and preset is not None:
            raise ValueError("give either preset or policy")
        if policy is None:
            self.policy = regcore.PasswordPolicy.preset(preset or "ups_site")
        elif isinstance(policy, str):
            self.policy = regcore.PasswordPolicy.from_json(policy)
        else:
            self.policy = regcore.PasswordPolicy.from_dict(policy)
        self.blocklist = list(blocklist)

    def report(self, password: str, user: Any = None) -> regcore.PasswordReport:
        user_id = email = None
        if user is not None:
            get_username = getattr(user, "get_username", None)
            user_id = (get_username() if callable(get_username) else None) or None
            email = getattr(user, "email", None) or None
        return self.policy.check(password, user_id=user_id, email=email, blocklist=self.blocklist)

    def validate(self, password: str, user: Any = None) -> None:
        report = self.report(password, user)
        if report.violations:
            lang = language()
            raise ValidationError([ValidationError(v.message(lang), code=v.code) for v in report.violations])

    def help_texts(self) -> list[str]:
        lang = language()
        return [rule.message(lang) for rule in self.policy.describe(blocklist=self.blocklist)]

    def get_help_text(self) -> str:
        return " ".join(self.help_texts())

    def get_error_message(self) -> str:  # Django 5.2 validators have one; ours are per violation
        return self.get_help_text()

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

import regcore
from regcore.contrib.django.validators import PasswordPolicyValidator

WEAK = "ｐａｓｓ"


def errors(password: str, user: object = None) -> list[ValidationError]:
    with pytest.raises(ValidationError) as e:
        validate_password(password, user)
    return list(e.value.error_list)


def test_every_violation_with_cores_code_and_language() -> None:
    report = regcore.PasswordPolicy.ups_site().check(WEAK)
    assert len(report.violations) >= 4
    with translation.override("en"):
        en = errors(WEAK)
    with translation.override("ja"):
        ja = errors(WEAK)
    assert [e.code for e in en] == report.codes == [e.code for e in ja]
    assert [e.message for e in en] == [v.message_en for v in report.violations]
    assert [e.message for e in ja] == [v.message_ja for v in report.violations]


def test_accepts_a_good_password_and_uses_the_user() -> None:
    validate_password("Sakura-2026!")
    user = User(username="sakura2026", email="sakura2026@example.com")
    codes = [e.code for e in errors("sakura", user)]
    expected = regcore.PasswordPolicy.ups_site().check("sakura", user_id="sakura2026", email="sakura2026@example.com")
    assert codes == expected.codes


def test_help_text_is_describe() -> None:
    with translation.override("ja"):
        (text,) = password_validators_help_texts()
    assert text == " ".join(r.message_ja for r in regcore.PasswordPolicy.ups_site().describe())


@override_settings(
    AUTH_PASSWORD_VALIDATORS=[
        {
            "NAME": "regcore.contrib.django.validators.PasswordPolicyValidator",
            "OPTIONS": {"policy": regcore.PasswordPolicy.kms().to_dict()},
        }
    ]
)
def test_custom_policy_dict() -> None:
    codes = [e.code for e in errors("abcd1234")]
    assert codes == regcore.PasswordPolicy.kms().check("abcd1234").codes
    assert PasswordPolicyValidator(preset="kms").policy.to_dict() == regcore.PasswordPolicy.kms().to_dict()

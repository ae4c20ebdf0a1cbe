"""A minimal Django site for the regcore.contrib.django tests."""

from __future__ import annotations

import os
from pathlib import Path

TMP = Path(os.environ.get("REGCORE_DJANGO_TMP", "/tmp/regcore-django-tests"))
TMP.mkdir(parents=True, exist_ok=True)

SECRET_KEY = "regcore-contrib-django-tests-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "Japanese")]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "site_urls"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "regcore.contrib.django",
]
if os.environ.get("REGCORE_DJANGO_AXES"):
    INSTALLED_APPS.append("axes")

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "regcore.contrib.django.middleware.LockoutMiddleware",
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(TMP / "django.sqlite3"),
        "OPTIONS": {"timeout": 60, "transaction_mode": "IMMEDIATE"},
        "TEST": {"NAME": str(TMP / "django.sqlite3")},
    }
}

PASSWORD_HASHERS = [
    "regcore.contrib.django.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "regcore.contrib.django.validators.PasswordPolicyValidator", "OPTIONS": {"preset": "ups_site"}},
]
AUTHENTICATION_BACKENDS = [
    "regcore.contrib.django.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

REGCORE_STORE = {"backend": "sqlite", "path": str(TMP / "regcore.sqlite3")}
REGCORE_LOCKOUT_POLICY = "ups_site"
REGCORE_LOCKOUT_PARAMETERS = ["username"]

"""The example portal: Django + regcore.contrib.django on the SQLite store."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("PORTAL_DATA", BASE_DIR / "data"))
DATA.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("PORTAL_SECRET_KEY", "example-portal-not-secret")
DEBUG = os.environ.get("PORTAL_DEBUG", "") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語")]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "portal.urls"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "regcore.contrib.django",
    "portal",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "regcore.contrib.django.middleware.LockoutMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                           "django.contrib.auth.context_processors.auth"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA / "portal.sqlite3")}}

# regcore: the hasher, the ups_site password rules, lockout first, the store.
PASSWORD_HASHERS = ["regcore.contrib.django.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "regcore.contrib.django.validators.PasswordPolicyValidator", "OPTIONS": {"preset": "ups_site"}},
]
AUTHENTICATION_BACKENDS = [
    "regcore.contrib.django.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
REGCORE_STORE = {"backend": "sqlite", "path": str(DATA / "regcore.sqlite3")}
REGCORE_LOCKOUT_POLICY = "ups_site"
REGCORE_LOCKOUT_PARAMETERS = ["username"]
REGCORE_LOCKOUT_TEMPLATE = "locked.html"

# Key derivation master secret (demo value; a real site loads it from its secret store).
PORTAL_MASTER_SECRET = bytes.fromhex(os.environ.get("PORTAL_MASTER_SECRET", "00" * 16 + "11" * 16))

# "Mail" goes to the outbox page and the console.
EMAIL_BACKEND = "portal.outbox.OutboxBackend"
PORTAL_OUTBOX = DATA / "outbox.jsonl"
LOGIN_URL = "/login/"

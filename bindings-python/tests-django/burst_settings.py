"""Settings for burst.py: one SQLite database holds Django's tables, axes'
tables and regcore's store, and the password hasher counts its checks."""

from __future__ import annotations

import datetime as dt
import os

import regcore
from settings import *  # noqa: F403
from settings import INSTALLED_APPS, TMP

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(TMP / "burst.sqlite3"),
        "OPTIONS": {"timeout": 120, "transaction_mode": "IMMEDIATE"},
    }
}
PASSWORD_HASHERS = ["counting.CountingArgon2PasswordHasher"]
REGCORE_STORE = {"backend": "sqlite", "path": str(TMP / "burst.sqlite3")}
# The same rule as the axes settings below: 5 free failures, then 15 minutes.
REGCORE_LOCKOUT_POLICY = regcore.LockoutPolicy.fixed(5, dt.timedelta(minutes=15))

if os.environ.get("REGCORE_BURST_CONTENDER") == "axes":
    INSTALLED_APPS = [*INSTALLED_APPS, "axes"]
    AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    AXES_FAILURE_LIMIT = 5
    AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    AXES_LOCKOUT_PARAMETERS = ["username"]
    AXES_VERBOSE = False
else:
    AUTHENTICATION_BACKENDS = [
        "regcore.contrib.django.backends.LockoutBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    REGCORE_LOCKOUT_PARAMETERS = ["username"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {"axes": {"level": "ERROR"}, "axes.watch_login": {"level": "ERROR"}},
}

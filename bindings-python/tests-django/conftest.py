from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("REGCORE_DJANGO_TMP", tempfile.mkdtemp(prefix="regcore-django-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

# run.sh names the Django release each run is for ("5.2", "6"): a pip that
# resolved another one fails the run here instead of testing the wrong Django.
_expect = os.environ.get("REGCORE_DJANGO_EXPECT")
if _expect:
    _want = tuple(int(part) for part in _expect.split("."))
    if tuple(django.VERSION[: len(_want)]) != _want:
        raise RuntimeError(f"this run is for Django {_expect}, but Django {django.get_version()} is installed")

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)
call_command("regcore_migrate", verbosity=0)

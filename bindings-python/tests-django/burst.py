"""N simultaneous wrong logins through django.contrib.auth.authenticate(),
one per OS process, released together at a barrier; prints how many reached
the password check (the hasher counts its verifications in a file).

    python burst.py regcore|axes [--processes 100]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))


def attempt(barrier: Any, username: str, i: int) -> None:
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    request = RequestFactory().post("/login/", REMOTE_ADDR=f"10.1.{i // 250}.{i % 250 + 1}")
    barrier.wait(timeout=120)
    user = authenticate(request, username=username, password="wrong-password-1")
    os._exit(3 if user is not None else 0)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("contender", choices=["regcore", "axes"])
    ap.add_argument("--processes", type=int, default=100)
    args = ap.parse_args()

    os.environ["REGCORE_BURST_CONTENDER"] = args.contender
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "burst_settings")
    tmp = Path(os.environ.setdefault("REGCORE_DJANGO_TMP", "/tmp/regcore-django-burst"))
    tmp.mkdir(parents=True, exist_ok=True)
    counter = tmp / f"checks-{args.contender}-{os.getpid()}"
    os.environ["REGCORE_BURST_COUNTER"] = str(counter)

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connections

    from regcore.contrib.django import conf

    call_command("migrate", verbosity=0)
    call_command("regcore_migrate", verbosity=0)
    username = f"burst-{args.contender}-{os.getpid()}"
    User.objects.create_user(username, password="Sakura-2026!")
    connections.close_all()
    conf.reset_cache()
    counter.write_bytes(b"")

    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(args.processes)
    procs = [ctx.Process(target=attempt, args=(barrier, username, i)) for i in range(args.processes)]
    for p in procs:
        p.start()
    started = time.monotonic()
    for p in procs:
        p.join(timeout=300)
    seconds = time.monotonic() - started
    codes = [p.exitcode for p in procs]
    result = {
        "contender": "regcore LockoutBackend" if args.contender == "regcore" else "django-axes AxesStandaloneBackend",
        "processes": args.processes,
        "password_checks": counter.stat().st_size,
        "refused_unchecked": args.processes - counter.stat().st_size,
        "logged_in": codes.count(3),
        "errors": len([c for c in codes if c not in (0, 3)]),
        "seconds": round(seconds, 2),
    }
    print(json.dumps(result))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

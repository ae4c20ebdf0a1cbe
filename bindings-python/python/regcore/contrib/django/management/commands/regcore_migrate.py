from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ... import conf


class Command(BaseCommand):
    help = "Apply regcore's store migrations to the REGCORE_STORE database (SQLite, PostgreSQL; Redis needs none)."

    def handle(self, *args: Any, **options: Any) -> None:
        handle = conf.store_handle()
        if handle.kind == "redis":
            self.stdout.write("regcore: the Redis store has no schema; nothing to do")
            return
        migrate = getattr(handle.store, "migrate")
        version = migrate()
        self.stdout.write(f"regcore: {handle.kind} store at schema version {version}")

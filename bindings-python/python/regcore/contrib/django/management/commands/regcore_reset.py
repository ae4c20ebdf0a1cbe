from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...backends import lockout_reset


class Command(BaseCommand):
    help = "Unlock: forget the stored lockout state of a username and/or IP address (or one raw key)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username")
        parser.add_argument("--ip", dest="ip_address")
        parser.add_argument("--key", help="a raw store key, e.g. 'username:alice'")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (options["username"] or options["ip_address"] or options["key"]):
            raise CommandError("give --username, --ip or --key")
        deleted = lockout_reset(options["username"], options["ip_address"], options["key"])
        self.stdout.write(f"regcore: {deleted} lockout state(s) removed")

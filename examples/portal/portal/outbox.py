"""An e-mail backend that writes to data/outbox.jsonl (shown at /outbox/) and the console."""

import json
import sys
from datetime import datetime, timezone

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        with open(settings.PORTAL_OUTBOX, "a", encoding="utf-8") as f:
            for m in email_messages:
                row = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                       "to": m.to, "subject": m.subject, "body": m.body}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                print(f"[outbox] to {', '.join(m.to)}: {m.subject}\n{m.body}", file=sys.stderr)
        return len(email_messages)


def messages():
    try:
        with open(settings.PORTAL_OUTBOX, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()][::-1]
    except FileNotFoundError:
        return []

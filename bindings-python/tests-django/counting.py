"""The real hasher, counting each password check in a file (one byte each)."""

from __future__ import annotations

import os

from regcore.contrib.django.hashers import Argon2PasswordHasher


class CountingArgon2PasswordHasher(Argon2PasswordHasher):
    def verify(self, password: str, encoded: str) -> bool:
        fd = os.open(os.environ["REGCORE_BURST_COUNTER"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, b"x")
        finally:
            os.close(fd)
        return super().verify(password, encoded)

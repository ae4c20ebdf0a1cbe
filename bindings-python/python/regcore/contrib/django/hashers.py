"""Argon2id through regcore, in Django's own ``argon2$argon2id$...`` format.

``Argon2PasswordHasher`` writes and reads exactly what
``django.contrib.auth.hashers.Argon2PasswordHasher`` does (``"argon2"`` + the
PHC string), so either verifies the other's hashes; ``must_update`` is core's
``needs_rehash`` against ``REGCORE_HASH_PARAMS`` (OWASP by default) plus
Django's rule that any other cost is rewritten, so a Django hash (m=100 MiB,
t=2, p=8) is rewritten at the next login. Use it *in
place of* Django's Argon2 hasher (both are named ``argon2``).

``PepperedArgon2PasswordHasher`` (``regcore_argon2$...``) adds the pepper of
``REGCORE_PASSWORD_PEPPER``; put it first and keep ``Argon2PasswordHasher``
after it so existing hashes verify and are upgraded to the peppered form.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_noop as _

import regcore

from . import conf


class Argon2PasswordHasher(BasePasswordHasher):
    algorithm = "argon2"

    def _pepper(self) -> regcore.Pepper | None:
        return None

    def encode(self, password: str, salt: str) -> str:
        self._check_encode_args(password, salt)
        phc = regcore.hash_password(password, salt=salt.encode(), params=conf.hash_params(), pepper=self._pepper())
        return self.algorithm + phc

    def _phc(self, encoded: str) -> str:
        algorithm, sep, rest = encoded.partition("$")
        if algorithm != self.algorithm or not sep:
            raise ValueError("not an encoded password of this hasher")
        return "$" + rest

    def verify(self, password: str, encoded: str) -> bool:
        try:
            return regcore.verify_password(password, self._phc(encoded), pepper=self._pepper())
        except (ValueError, regcore.RegcoreError):
            return False

    def decode(self, encoded: str) -> dict[str, Any]:
        # $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
        _, variety, version, params, salt, hash_ = self._phc(encoded).split("$")
        cost = dict(part.split("=", 1) for part in params.split(","))
        return {
            "algorithm": self.algorithm,
            "hash": hash_,
            "memory_cost": int(cost["m"]),
            "parallelism": int(cost["p"]),
            "salt": salt,
            "time_cost": int(cost["t"]),
            "variety": variety,
            "version": int(version.removeprefix("v=")),
            "params": params,
        }

    def safe_summary(self, encoded: str) -> dict[str, Any]:
        d = self.decode(encoded)
        return {
            _("algorithm"): d["algorithm"],
            _("variety"): d["variety"],
            _("version"): d["version"],
            _("memory cost"): d["memory_cost"],
            _("time cost"): d["time_cost"],
            _("parallelism"): d["parallelism"],
            _("salt"): mask_hash(d["salt"]),
            _("hash"): mask_hash(d["hash"]),
        }

    def must_update(self, encoded: str) -> bool:
        # Core's needs_rehash (weaker cost, other variant, short salt or tag),
        # plus Django's hasher convention: any cost other than the configured
        # one is rewritten at the next login (so a Django hash, m=100 MiB and
        # p=8, moves to the site's parameters).
        params = conf.hash_params()
        try:
            if regcore.needs_rehash(self._phc(encoded), params):
                return True
            d = self.decode(encoded)
        except (ValueError, KeyError, regcore.RegcoreError):
            return True
        return (d["memory_cost"], d["time_cost"], d["parallelism"]) != (
            params.memory_kib,
            params.iterations,
            params.parallelism,
        )

    def harden_runtime(self, password: str, encoded: str) -> None:
        # Like Django's Argon2 hasher: the cost is in the hash, nothing to pad.
        pass


class PepperedArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "regcore_argon2"

    def _pepper(self) -> regcore.Pepper | None:
        pepper = conf.pepper()
        if pepper is None:
            raise ImproperlyConfigured("PepperedArgon2PasswordHasher needs REGCORE_PASSWORD_PEPPER (16-64 bytes)")
        return pepper

"""100 simultaneous wrong logins, one per process, through authenticate()
with the real (counting) hasher: regcore's backend lets at most 5 reach the
password check. django-axes runs the same burst on the same database; its
count is reported (burst-results.jsonl), not asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def run(contender: str, tmp: Path) -> dict[str, object]:
    env = {**os.environ, "REGCORE_DJANGO_TMP": str(tmp), "DJANGO_SETTINGS_MODULE": "burst_settings"}
    out = subprocess.run(
        [sys.executable, str(HERE / "burst.py"), contender, "--processes", "100"],
        env=env, capture_output=True, text=True, timeout=300, check=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    results = os.environ.get("REGCORE_BURST_RESULTS")
    if results:
        with open(results, "a") as f:
            f.write(json.dumps(result) + "\n")
    return result


def test_burst_regcore_at_most_5_and_axes_reported(tmp_path: Path) -> None:
    regcore = run("regcore", tmp_path)
    axes = run("axes", tmp_path)  # same SQLite database, same hasher, same 100 processes
    print(f"\nburst: regcore {regcore['password_checks']} checks, django-axes {axes['password_checks']} checks")
    assert regcore["errors"] == 0 and axes["errors"] == 0
    assert regcore["logged_in"] == 0
    assert 1 <= int(str(regcore["password_checks"])) <= 5

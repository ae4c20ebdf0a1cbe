"""100 simultaneous wrong logins, one per process, through authenticate()
with the real (counting) hasher: regcore's backend lets at most 5 reach the
password check. django-axes runs the same burst on the same database; its
count is reported (REGCORE_BURST_RESULTS), not asserted.

run.sh runs this file on Django 5.2 LTS and on Django 6.x; the django-axes
burst, which only reports, runs in the first run only
(REGCORE_DJANGO_AXES_BURST=skip in the second): it is the slower half."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.fixture(scope="module")
def burst_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One directory, so both bursts use the same SQLite database.
    return tmp_path_factory.mktemp("burst")


def test_burst_regcore_at_most_5(burst_dir: Path) -> None:
    regcore = run("regcore", burst_dir)
    print(f"\nburst: regcore {regcore['password_checks']} checks")
    assert regcore["errors"] == 0
    assert regcore["logged_in"] == 0
    assert 1 <= int(str(regcore["password_checks"])) <= 5


@pytest.mark.skipif(
    os.environ.get("REGCORE_DJANGO_AXES_BURST") == "skip",
    reason="django-axes' burst (reported, not asserted) runs once, in run.sh's Django 5.2 LTS run",
)
def test_burst_axes_reported(burst_dir: Path) -> None:
    axes = run("axes", burst_dir)  # same SQLite database, same hasher, same 100 processes
    print(f"\nburst: django-axes {axes['password_checks']} checks")
    assert axes["errors"] == 0

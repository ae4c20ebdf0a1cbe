"""Shared fixtures: fixed masters and instants so tests never depend on the clock."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest

import regcore

VECTORS_DIR = pathlib.Path(__file__).resolve().parents[2] / "core" / "tests" / "vectors"
JST = dt.timezone(dt.timedelta(hours=9), "JST")


@pytest.fixture
def master() -> regcore.MasterSecret:
    return regcore.MasterSecret(1, bytes(range(32)))


@pytest.fixture
def t0() -> dt.datetime:
    return dt.datetime(2025, 4, 1, 9, 0, 0, tzinfo=dt.timezone.utc)

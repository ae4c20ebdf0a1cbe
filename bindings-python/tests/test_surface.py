"""The public surface: every exported name and every public method or
property is exercised somewhere in these tests (a guard against a binding
added without a boundary test), and the surface matches the stubs."""

from __future__ import annotations

import pathlib
import re

import regcore
import regcore._native as native

HERE = pathlib.Path(__file__).resolve().parent
SOURCES = "\n".join(p.read_text(encoding="utf-8") for p in HERE.glob("test_*.py") if p.name != "test_surface.py")


def _used(name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", SOURCES) is not None


def test_every_exported_name_is_exercised() -> None:
    missing = [n for n in regcore.__all__ if n != "__version__" and not _used(n)]
    assert not missing, missing


def test_every_public_member_is_exercised() -> None:
    missing = []
    for name in native.__all__:
        obj = getattr(native, name)
        if not isinstance(obj, type):
            continue
        for member in vars(obj):
            if member.startswith("_"):
                continue
            if not _used(member):
                missing.append(f"{name}.{member}")
    assert not missing, missing


def test_version_and_module_names() -> None:
    assert regcore.__version__ == native.__version__ and regcore.__version__.count(".") == 2
    for name in native.__all__:
        obj = getattr(native, name)
        if isinstance(obj, type):
            assert obj.__module__ == "regcore", name
            assert getattr(regcore, name) is obj

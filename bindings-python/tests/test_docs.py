"""The Python quick starts in docs/python.md and the README run as written."""

from __future__ import annotations

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("doc", [ROOT / "docs" / "python.md", ROOT / "README.md"], ids=["python.md", "README"])
def test_quick_start_runs(doc: pathlib.Path) -> None:
    text = doc.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, f"no python block in {doc.name}"
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], str(doc), "exec"), namespace)  # noqa: S102
    assert "outcome" in namespace and "store" in namespace

"""Which of core's two message languages the active Django language is."""

from __future__ import annotations

from typing import Literal

from django.utils import translation


def language() -> Literal["en", "ja"]:
    """``"ja"`` when Django's active language is Japanese, else ``"en"``."""
    lang = translation.get_language() or ""
    return "ja" if lang.lower().startswith("ja") else "en"

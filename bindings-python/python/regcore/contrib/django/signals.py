"""``user_locked_out``: sent when the lockout backend refuses an attempt unchecked.

Arguments: ``request`` (may be None), ``username``, ``keys`` (the lockout keys
tried), ``locked`` (core's :class:`regcore.Locked`: ``retry_after_secs``,
``until``, ``message(lang)``).
"""

from __future__ import annotations

from django.dispatch import Signal

user_locked_out = Signal()

"""429 with ``Retry-After`` for a request whose login the lockout refused.

    MIDDLEWARE = [..., "django.middleware.locale.LocaleMiddleware", ...,
                  "regcore.contrib.django.middleware.LockoutMiddleware"]

A view that calls ``authenticate()`` needs no change: when the backend found
the key locked it marked the request, and this middleware replaces the
view's response. Views that prefer to answer themselves call
:func:`lockout_response`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

import regcore

from .lang import language


def locked_of(request: HttpRequest) -> regcore.Locked | None:
    locked = getattr(request, "regcore_locked", None)
    return locked if isinstance(locked, regcore.Locked) else None


def lockout_response(request: HttpRequest, locked: regcore.Locked | None = None) -> HttpResponse | None:
    """The 429 answer for a locked login, or None when the request was not refused."""
    locked = locked or locked_of(request)
    if locked is None:
        return None
    lang = language()
    message = locked.message(lang)
    template = getattr(settings, "REGCORE_LOCKOUT_TEMPLATE", None)
    if template:
        body = render_to_string(
            template,
            {"message": message, "retry_after_secs": locked.retry_after_secs, "until": locked.until,
             "code": locked.code, "lang": lang},
            request=request,
        )
        response = HttpResponse(body, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(locked.retry_after_secs)
    response["Content-Language"] = lang
    return response


class LockoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        return lockout_response(request) or response

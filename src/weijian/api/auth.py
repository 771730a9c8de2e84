"""Who is calling: a bearer token (integrations) or the browser session (with its CSRF check)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from weijian.core.tokens import token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key from `weijian token create`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is None:
            return None
        # The audit middleware reads request.user when a write happens: the token's user is the actor.
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session. Unsafe methods must pass Django's CSRF check.

    Unlike ninja's `django_auth`, an anonymous request is not CSRF-checked, so it gets 401 (not
    authenticated) rather than 403 (CSRF failed).
    """

    param_name: str = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        self._get_key(request)  # raises HttpError(403) when the CSRF check fails
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


API_AUTH = [TokenAuth(), SessionAuth()]

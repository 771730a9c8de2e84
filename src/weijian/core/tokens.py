"""API tokens for integrations: create, revoke and authenticate.

A key looks like `wj_<prefix>_<secret>`. Only its SHA-256 hash is stored, so a key is found by the
hash of what the client sends: the lookup compares digests, never the secret itself, and a leaked
database does not leak usable keys. The prefix is kept in clear to name a token in lists and when
revoking it. Creating and revoking are audited (the key and its hash are not).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .errors import DomainError, NotVisible
from .models import ApiToken, User

KEY_PREFIX = "wj_"
# Writing last_used_at on every request would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns it with the plain key, which is not kept anywhere."""
    name = name.strip()
    if not name:
        raise DomainError(_("A token needs a name."), code="invalid", field="name")
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=prefix, key_hash=_hash(key))
    audit.record(
        token, "create", {"user": [None, user.pk], "name": [None, token.name], "prefix": [None, prefix]}
    )
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token; it stops working at once. Revoking twice keeps the first time."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(token, "update", {"revoked_at": [None, token.revoked_at.isoformat()]})
    return token


def token_authenticate(key: str) -> User | None:
    """The active user owning the live token with this key, or None."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    digest = _hash(key)
    token = (
        ApiToken.objects.filter(key_hash=digest, revoked_at__isnull=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, digest):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_by_prefix(prefix: str) -> ApiToken:
    """The one token with this prefix (prefixes are random and checked unique when created)."""
    matches = list(ApiToken.objects.filter(prefix=prefix)[:2])
    if len(matches) != 1:
        raise NotVisible(_("No single token has the prefix %(prefix)s.") % {"prefix": prefix})
    return matches[0]


def tokens_of(user: User):
    """A user's tokens, newest first, revoked ones included (operators need to see them)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")

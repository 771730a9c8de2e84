"""Role checks for services: what a user may do (the data scope decides to which records)."""

from .errors import NotAllowed


def require(user, permission: str) -> None:
    if user is None or not user.is_authenticated or not user.has_perm(permission):
        raise NotAllowed()

"""Domain errors: a stable code for machines and a Chinese message (through gettext) for people.

The API maps each error to a 4xx response carrying the same code; imports collect them per row.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    status = 400
    default_message = _("The request cannot be carried out.")

    def __init__(self, message=None, *, code: str | None = None, field: str | None = None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.field = field
        super().__init__(str(self.message))


class NotVisible(DomainError):
    """The record does not exist for this user: out of scope is reported exactly like missing."""

    code = "not_found"
    status = 404
    default_message = _("No such record.")


class NotAllowed(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("Your role may not do this.")


def is_refusal(error: DomainError) -> bool:
    """Out of scope or not allowed: pages let these become 404/403 instead of showing them on a form."""
    return isinstance(error, NotVisible | NotAllowed)


class InvalidInput(DomainError):
    """Data a service action was given that breaks one of its rules, named by its field. Each app
    subclasses it for its own records, so the API and the pages treat them all alike."""

    code = "invalid"
    status = 422

    @classmethod
    def required(cls, field: str) -> InvalidInput:
        return cls(_("This field is required."), field=field)


class InvalidRecord(DomainError):
    """A record failed its model validation; `errors` maps each field to its messages."""

    code = "invalid"
    status = 422

    def __init__(self, error: ValidationError):
        self.errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        first_field, messages = next(iter(self.errors.items()))
        super().__init__(messages[0], field=None if first_field == "__all__" else first_field)


def full_clean_or_raise(instance, exclude=None) -> None:
    """Services validate every record before saving; a failure becomes a domain error."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise InvalidRecord(error) from error

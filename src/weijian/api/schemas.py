"""Schemas and types shared by every router: errors, pagination, ids, text and partial updates."""

import datetime as dt
import re
from typing import Annotated, Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, BeforeValidator, ConfigDict, StringConstraints, create_model

# Ids are 64-bit in every database we run on; larger numbers are a client error, not a crash.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
DivisionCode = Annotated[str, StringConstraints(pattern=r"^\d{12}$")]


def _storable(value: str) -> str:
    # PostgreSQL refuses NUL in text and no database stores lone surrogates: reject, do not crash.
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("text contains characters that cannot be stored")
    return value


def text(max_length: int, *, min_length: int = 0) -> Any:
    """A string that fits the model field and can be stored in every supported database."""
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length, pattern=r"^[^\x00]*$"),
        AfterValidator(_storable),
    ]


class ErrorOut(Schema):
    """Every error the API returns: a stable machine code, a message for people, the field at fault."""

    code: str
    message: str
    field: str | None = None
    errors: dict[str, list[str]] | None = Field(
        None, description="Every invalid field with its messages, when the input was invalid."
    )


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error responses of an operation, for its OpenAPI description."""
    return dict.fromkeys(codes, ErrorOut)


# Every authenticated operation can answer these.
READ_ERRORS = (401, 403, 422)
WRITE_ERRORS = (400, 401, 403, 404, 422)


class PageInput(Schema):
    limit: int = Field(50, ge=1, le=500, description="Number of items to return (at most 500)")
    offset: int = Field(0, ge=0, le=2**31 - 1, description="Number of items to skip")


class Page(LimitOffsetPagination):
    """limit/offset pagination with bounded values, so any integer a client sends is handled."""

    Input = PageInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=500, **kwargs)


class InputSchema(Schema):
    """Request bodies refuse unknown fields, so a misspelt field is an error rather than ignored."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)


def partial(schema: type[Schema], name: str) -> type[Schema]:
    """The PATCH form of a create schema: every field optional, same types, null only where allowed.

    Fields a client leaves out stay untouched (read the body with `changes_of`); the `None` default
    is never a value, so it is left out of the OpenAPI document.
    """
    fields = {}
    for field_name, info in schema.model_fields.items():
        annotation = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        fields[field_name] = (
            annotation,
            Field(None, description=info.description, json_schema_extra=_drop_default),
        )
    return create_model(name, __base__=InputSchema, **fields)


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def changes_of(payload: Schema) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True)


# Dates the domain can count working days from without leaving the calendar (date.max + 7 days is
# no date): anything outside is a client error.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)


def _plausible(day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"date must be between {FIRST_DAY} and {LAST_DAY}")
    return day


def _iso_only(value):
    # pydantic would also read a number as a Unix timestamp; the API documents YYYY-MM-DD only.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_only), AfterValidator(_plausible)]
Year = Annotated[int, Field(ge=FIRST_DAY.year, le=LAST_DAY.year)]

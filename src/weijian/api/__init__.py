"""The HTTP API for integrations, at /api/ with its OpenAPI document at /api/openapi.json.

A layer over the domains (it depends on them, never the reverse): each handler translates HTTP to
one selector or service call. Every error is `ErrorOut` ({code, message, field, errors}); domain
errors keep their code and status (NotVisible 404, NotAllowed 403, InvalidRecord 422), input that
does not fit the schema is 422 `invalid_input`, a missing or bad credential 401 `not_authenticated`.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from weijian.core.errors import DomainError, NotVisible

from .auth import API_AUTH
from .campaigns import campaigns, checklists
from .complaints import complaints
from .core import router as core_router
from .enforcement import blacklist, cases, judicial_transfers, referrals, site_checks
from .inspections import inspections, sampling_draws
from .insurance import claims, members, settlements, statements
from .rectification import hazards
from .registry import enterprises, institutions, practitioners

DESCRIPTION = """Registry, reference data, supervision (campaigns, inspections, sampling draws, hazards),
enforcement (site checks, cases and penalties, referrals, transfers to the police, blacklist) and
complaints of the health commission, scoped to the calling user.

On-the-spot settlement for an institution's billing system: find the patient by card or ID number,
enter the claim, settle it (settling again returns the same settlement), reverse it, and read claims,
settlements and monthly statements. Amounts are yuan as decimal strings ("1234.50"), never numbers.

`POST /api/complaints/public` needs no authentication: it is the public complaint form.

Authenticate with `Authorization: Bearer <key>` (keys come from `weijian token create USERNAME`) or,
from a page of the site, with the session cookie and the CSRF token on writes.

Every error is `{code, message, field, errors}`: 400 malformed body, 401 not authenticated,
403 the role may not do this, 404 no such record or outside the user's scope, 409 the record's
state does not allow it, 422 invalid input.
"""

api = NinjaAPI(
    title="weijian API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=API_AUTH,
    # Deployments are offline: ninja's docs page loads Swagger from a CDN unless ninja is an
    # installed app (then it serves its own copy), so the page exists only in that case.
    docs_url="/docs" if "ninja" in settings.INSTALLED_APPS else None,
)
api.add_router("/", core_router)
api.add_router("/institutions", institutions)
api.add_router("/practitioners", practitioners)
api.add_router("/enterprises", enterprises)
api.add_router("/campaigns", campaigns)
api.add_router("/checklists", checklists)
api.add_router("/inspections", inspections)
api.add_router("/sampling-draws", sampling_draws)
api.add_router("/hazards", hazards)
api.add_router("/cases", cases)
api.add_router("/site-checks", site_checks)
api.add_router("/referrals", referrals)
api.add_router("/judicial-transfers", judicial_transfers)
api.add_router("/blacklist", blacklist)
api.add_router("/complaints", complaints)
api.add_router("/members", members)
api.add_router("/claims", claims)
api.add_router("/settlements", settlements)
api.add_router("/statements", statements)

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    429: "throttled",
}


def _error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body = {"code": code, "message": message, "field": field, "errors": errors}
    response = api.create_response(request, body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    field_errors = getattr(exc, "errors", None)
    if field_errors is not None:
        field_errors = {field: [str(m) for m in messages] for field, messages in field_errors.items()}
    return _error(request, exc.status, exc.code, str(exc.message), field=exc.field, errors=field_errors)


@api.exception_handler(ValidationError)
def _invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    field_errors: dict[str, list[str]] = {}
    for error in exc.errors:
        field_errors.setdefault(_field_name(error.get("loc", ())), []).append(str(error.get("msg", "")))
    first_field = next(iter(field_errors), "__all__")
    first_message = field_errors[first_field][0] if field_errors else _("Invalid input.")
    return _error(
        request,
        422,
        "invalid_input",
        first_message,
        field=None if first_field == "__all__" else first_field,
        errors=field_errors,
    )


def _field_name(loc) -> str:
    """`("body", "payload", "beds")` → "beds", `("query", "limit")` → "limit"."""
    parts = [str(part) for part in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


@api.exception_handler(AuthenticationError)
def _not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "not_authenticated", _("Send a valid bearer token or log in."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, _HTTP_CODES.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", str(NotVisible.default_message))

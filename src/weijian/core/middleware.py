from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views import defaults

from .audit import acting_as
from .errors import NotAllowed, NotVisible


class AuditActorMiddleware:
    """Attribute every write during a request to the request's user (resolved when the write happens,
    so a user authenticated later by an API token is still the one recorded). Also turns the domain's
    "not visible" and "not allowed" errors into the ordinary 404 and 403 pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(lazy_user=lambda: getattr(request, "user", None)):
            return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotVisible):
            return defaults.page_not_found(request, Http404())
        if isinstance(exception, NotAllowed):
            return defaults.permission_denied(request, PermissionDenied())
        return None

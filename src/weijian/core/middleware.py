from .audit import acting_as


class AuditActorMiddleware:
    """Attribute every write during a request to the request's user (resolved when the write happens,
    so a user authenticated later by an API token is still the one recorded)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(lazy_user=lambda: getattr(request, "user", None)):
            return self.get_response(request)

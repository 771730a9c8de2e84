"""`weijian token create|list|revoke`: manage API tokens for integrations."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from weijian.core import tokens
from weijian.core.audit import acting_as
from weijian.core.errors import DomainError
from weijian.core.models import User


class Command(BaseCommand):
    help = "Create, list or revoke API tokens. A new key is printed once and cannot be shown again."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token for a user and print its key")
        create.add_argument("username")
        create.add_argument("--name", default="api", help="what the token is for (default: api)")
        listing = actions.add_parser("list", help="list a user's tokens")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="revoke the token with this prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **options):
        with acting_as(label="weijian token"):
            getattr(self, f"_{action}")(**options)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        return user

    def _create(self, *, username, name, **options):
        try:
            _token, key = tokens.token_create(user=self._user(username), name=name)
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(key)

    def _list(self, *, username, **options):
        for token in tokens.tokens_of(self._user(username)):
            state = f"revoked {_local(token.revoked_at)}" if token.revoked_at else "active"
            used = _local(token.last_used_at) if token.last_used_at else "never"
            self.stdout.write(
                f"{token.prefix}  {token.name}  created {_local(token.created_at)}  last used {used}  {state}"
            )

    def _revoke(self, *, prefix, **options):
        try:
            token = tokens.token_by_prefix(prefix)
        except DomainError as error:
            raise CommandError(str(error)) from error
        tokens.token_revoke(token=token)
        self.stdout.write(f"revoked {prefix}")


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"

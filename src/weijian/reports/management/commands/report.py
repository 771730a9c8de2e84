"""`weijian report FORM --campaign ID --division CODE [--from DATE --to DATE] [--inspection ID]
[--by-child] --format xlsx|docx --out FILE [--as USERNAME]`.

FORM is one of beauty-summary, typical-cases, safety-weekly, safety-checklist, quantitative. Without
--as it is a system run over every record; with it, that user's role and data scope apply.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from weijian.core.errors import DomainError
from weijian.reports import services
from weijian.reports.forms import FORMS

# The argument of `services.generate` each option feeds, for naming the option in errors.
OPTION_OF_FIELD = {
    "form": "FORM",
    "campaign": "--campaign",
    "division": "--division",
    "date_from": "--from",
    "date_to": "--to",
    "fmt": "--format",
    "inspection": "--inspection",
    "by_child": "--by-child",
}


def _date(option: str):
    def parse(value: str) -> dt.date:
        try:
            return dt.date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(
                _("%(option)s: %(value)s is not a date (YYYY-MM-DD).") % {"option": option, "value": value}
            ) from error

    return parse


class Command(BaseCommand):
    help = "Produce an official form (xlsx or docx) from the records."

    def add_arguments(self, parser):
        parser.add_argument("form", choices=sorted(FORMS))
        parser.add_argument("--campaign", type=int, required=True, metavar="ID")
        parser.add_argument("--division", required=True, metavar="CODE", help="12-digit division code")
        parser.add_argument("--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", metavar="DATE", help="last day (YYYY-MM-DD)")
        parser.add_argument("--inspection", type=int, metavar="ID", help="for safety-checklist")
        parser.add_argument(
            "--by-child", action="store_true", help="add one sheet per child division (roll-up forms)"
        )
        parser.add_argument("--format", dest="fmt", required=True, choices=("xlsx", "docx"))
        parser.add_argument("--out", type=Path, required=True, metavar="FILE")
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="produce it as this user: their permission and data scope apply",
        )

    def handle(
        self,
        *args,
        form,
        campaign,
        division,
        date_from,
        date_to,
        inspection,
        by_child,
        fmt,
        out,
        username,
        **options,
    ):
        user = self._user(username)
        if not out.parent.is_dir():
            raise CommandError(_("--out: no such directory: %(path)s") % {"path": out.parent})
        try:
            filename, content = services.generate(
                user,
                form,
                campaign=campaign,
                division=division,
                date_from=_date("--from")(date_from) if date_from else None,
                date_to=_date("--to")(date_to) if date_to else None,
                fmt=fmt,
                inspection=inspection,
                by_child=by_child,
            )
        except DomainError as error:
            option = OPTION_OF_FIELD.get(error.field or "")
            message = str(error.message)
            raise CommandError(f"{option}: {message}" if option else message) from error
        out.write_bytes(content)
        self.stdout.write(_("Wrote %(path)s (%(name)s).") % {"path": out, "name": filename})

    def _user(self, username):
        if username is None:
            return None
        from weijian.core.models import User

        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(_("--as: no user named %(username)s.") % {"username": username}) from error

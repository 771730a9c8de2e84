"""`weijian import institutions|practitioners FILE [--dry-run] [--as USERNAME]`.

Progress goes to stderr; each problem is one line `第N行 [列名] rule: message (value)` on stdout,
then a summary line. Exit status 1 if any row is bad (and then nothing was written), else 0.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from weijian.core.audit import acting_as
from weijian.core.errors import DomainError
from weijian.registry import imports


class Command(BaseCommand):
    help = "Import institutions or practitioners from an xlsx or csv file (see the templates)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=imports.KINDS)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="import as this user: their permission and data scope apply "
            "(default: a system run without limits)",
        )

    def handle(self, *args, kind, file, dry_run, username, **options):
        user = self._user(username)
        if not file.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})

        def progress(done: int, total: int) -> None:
            # On a terminal the line is rewritten in place; in a log each report is a line.
            again = done < total and self.stderr.isatty()
            message = _("checked %(done)d of %(total)d rows") % {"done": done, "total": total}
            self.stderr.write(message, ending="\r" if again else "\n")

        try:
            with acting_as(user, label="import"):
                report = imports.import_file(
                    kind, file, user=user, dry_run=dry_run, filename=file.name, progress=progress
                )
        except DomainError as error:
            raise CommandError(str(error.message)) from error

        for e in report.errors:
            self.stdout.write(
                _("Row %(row)d [%(column)s] %(rule)s: %(reason)s (%(value)s)")
                % {"row": e.row, "column": e.column, "rule": e.rule, "reason": e.reason, "value": e.value}
            )
        if report.errors:
            rows = len({e.row for e in report.errors if e.row > 1})  # row 1 is the header
            raise CommandError(
                _("%(errors)d problems in %(rows)d of %(total)d rows; nothing was written.")
                % {"errors": len(report.errors), "rows": rows, "total": report.rows},
                returncode=1,
            )
        if dry_run:
            self.stdout.write(
                _("All %(total)d rows are valid; nothing was written (dry run).") % {"total": report.rows}
            )
        else:
            self.stdout.write(_("%(created)d records written.") % {"created": report.created})

    def _user(self, username):
        if username is None:
            return None
        from weijian.core.models import User

        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(_("No user named %(username)s.") % {"username": username}) from error

"""`weijian import_claims --institution NAME_OR_CREDIT_CODE FILE [--settle] [--as USERNAME]`.

Records an institution's claims from a file (format in weijian.insurance.claims_import) in one
transaction, then, with --settle, queues the batch settlement job and reports its outcome.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus

from weijian.core.audit import acting_as
from weijian.core.errors import DomainError
from weijian.core.models import User
from weijian.insurance import csvio
from weijian.insurance.claims_import import import_claims
from weijian.insurance.tasks import settle_entered_claims
from weijian.registry.models import Institution


class Command(BaseCommand):
    help = "Import an institution's claims from a CSV file (all or nothing) and optionally settle them."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--institution", required=True, help="institution name or credit code")
        parser.add_argument("--settle", action="store_true", help="settle the imported claims as a batch job")
        parser.add_argument("--as", dest="username", help="record the import as this user (default: system)")

    def handle(self, *args, file, institution, settle, username, **options):
        found = Institution.objects.filter(
            Q(organisation__name=institution) | Q(organisation__credit_code=institution)
        ).first()
        if found is None:
            raise CommandError(_("--institution: no institution named %(name)s") % {"name": institution})
        user = None
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(_("--as: no user named %(name)s") % {"name": username})
        if not file.is_file():
            raise CommandError(_("no such file: %(path)s") % {"path": file})
        try:
            text = file.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CommandError(_("%(path)s is not UTF-8 text") % {"path": file}) from error
        try:
            with acting_as(user, label="" if user else "import"):
                result = import_claims(user, found, text)
        except csvio.ClaimsFileError as error:
            lines = "\n".join(csvio.describe(error.problems))
            raise CommandError(
                _("%(path)s has %(count)d problem(s); nothing was imported:\n%(lines)s")
                % {"path": file, "count": len(error.problems), "lines": lines}
            ) from error
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(_("Imported %(count)d claims.") % {"count": len(result.claims)})
        if settle:
            job = settle_entered_claims.enqueue(found.pk, user.pk if user else None)
            self.stdout.write(_("Settlement job %(id)s queued.") % {"id": job.id})
            if job.status == TaskResultStatus.SUCCESSFUL:
                outcome = job.return_value
                self.stdout.write(
                    _("Settled %(settled)d claims; %(refused)d refused.")
                    % {"settled": outcome["settled"], "refused": len(outcome["refused"])}
                )
                for refusal in outcome["refused"]:
                    self.stdout.write(f"  {refusal['claim']}: {refusal['message']}")

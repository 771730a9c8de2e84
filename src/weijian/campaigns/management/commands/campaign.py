"""`weijian campaign templates` lists the campaign templates;
`weijian campaign new --template NAME --division CODE --year YYYY [--as USERNAME]` copies a template
(its code or Chinese name) into a campaign of that division and year and prints it."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from weijian.campaigns import selectors, services
from weijian.campaigns.models import Campaign, DepartmentRef
from weijian.core.audit import acting_as
from weijian.core.errors import DomainError
from weijian.core.models import Division


class Command(BaseCommand):
    help = "List campaign templates, or start a campaign from one."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("templates", help="list the campaign templates")
        new = sub.add_parser("new", help="start a campaign from a template")
        new.add_argument("--template", required=True, help="template code or Chinese name")
        new.add_argument("--division", required=True, help="12-digit division code")
        new.add_argument("--year", required=True, type=int)
        new.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="act as this user: their permission and data scope apply (default: a system run)",
        )

    def handle(self, *args, action, **options):
        if action == "templates":
            self._templates()
        else:
            self._new(**options)

    def _templates(self):
        for template in Campaign.objects.filter(is_template=True).order_by("template_code"):
            self.stdout.write(
                f"{template.template_code}\t{template.name}\t"
                + _("%(tasks)d tasks, %(phases)d phases")
                % {"tasks": template.tasks.count(), "phases": template.phases.count()}
            )

    def _new(self, *, template, division, year, username, **options):
        user = self._user(username)
        found = Campaign.objects.filter(is_template=True, template_code=template).first() or (
            Campaign.objects.filter(is_template=True, name=template).first()
        )
        if found is None:
            raise CommandError(_("No campaign template %(name)s.") % {"name": template})
        place = Division.objects.filter(code=division).first()
        if place is None:
            raise CommandError(_("No division %(code)s.") % {"code": division})
        try:
            with acting_as(user, label="campaign"):
                campaign = services.campaign_from_template(
                    user=user, template_code=found.template_code, division=place, year=year
                )
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self._print(campaign, user)

    def _print(self, campaign, user):
        write = self.stdout.write
        write(
            _("Campaign %(id)d: %(year)d %(name)s, %(division)s, owner %(owner)s")
            % {
                "id": campaign.pk,
                "year": campaign.year,
                "name": campaign.name,
                "division": campaign.division,
                "owner": campaign.owner or "-",
            }
        )
        if user is None:
            tasks = campaign.tasks.select_related("lead_organisation").prefetch_related(
                "partners__organisation"
            )
        else:
            tasks = selectors.campaign_tasks(user, campaign)
        write(_("Tasks:"))
        for task in tasks:
            partners = "、".join(
                _party(p.organisation, p.department, p.get_department_display(), p.label)
                for p in task.partners.all()
            )
            lead = _party(
                task.lead_organisation, task.lead_department, task.get_lead_department_display(), ""
            )
            write(f"  {task.order}. {task.title}")
            write(
                "     "
                + _("lead: %(lead)s; co-operating: %(partners)s")
                % {"lead": lead, "partners": partners or "-"}
            )
        write(_("Phases:"))
        for phase in campaign.phases.prefetch_related("deliverables"):
            write(f"  {phase.order}. {phase.name} {phase.start or ''}–{phase.end or ''}")
            for deliverable in phase.deliverables.all():
                write(f"     {deliverable.due or ''} {deliverable.title}")

    def _user(self, username):
        if username is None:
            return None
        from weijian.core.models import User

        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(_("No user named %(username)s.") % {"username": username}) from error


def _party(organisation, code: str, department: str, label: str) -> str:
    """An organisation's name, or the department (its name in the plan) when none is resolved."""
    if organisation is not None:
        return organisation.name
    if code in (DepartmentRef.INSTITUTIONS, DepartmentRef.OTHER):
        return label or department
    return _("%(department)s (none in this division)") % {"department": label or department}

"""`weijian sample --campaign ID --seed N [--as USERNAME]`: record a random sampling draw (双随机) and
print the selection. Without --as it is a system run with the campaign owner's supervisors."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from weijian.campaigns.models import Campaign, InstitutionClass
from weijian.core.audit import acting_as
from weijian.core.errors import DomainError
from weijian.core.models import User
from weijian.inspections import services
from weijian.registry.models import Institution


class Command(BaseCommand):
    help = "Draw institutions and inspection teams for a campaign at random, and record the draw."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="campaign id")
        parser.add_argument("--seed", type=int, required=True, help="random seed (kept with the draw)")
        parser.add_argument("--team-size", type=int, default=2)
        parser.add_argument("--as", dest="username", metavar="USERNAME", help="draw as this user")

    def handle(self, *args, campaign, seed, team_size, username, **options):
        user = None
        if username is not None:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(_("No user named %(username)s.") % {"username": username})
        found = Campaign.objects.filter(pk=campaign).first()
        if found is None:
            raise CommandError(_("No campaign %(id)s.") % {"id": campaign})
        try:
            with acting_as(user, label="sample"):
                draw = services.sampling_draw(user=user, campaign=found, seed=seed, team_size=team_size)
        except DomainError as error:
            raise CommandError(str(error.message)) from error

        names = {
            i.pk: i.name
            for i in Institution.objects.select_related("organisation").filter(
                pk__in=[r["institution"] for r in draw.result]
            )
        }
        people = {u.pk: str(u) for u in User.objects.filter(pk__in=draw.inputs["inspectors"])}
        self.stdout.write(
            _("Draw %(id)d, campaign %(campaign)s, seed %(seed)d: %(n)d institutions")
            % {"id": draw.pk, "campaign": found, "seed": seed, "n": len(draw.result)}
        )
        for number, row in enumerate(draw.result, start=1):
            self.stdout.write(
                f"{number}\t{InstitutionClass(row['class']).label}\t{names[row['institution']]}\t"
                + "、".join(people[p] for p in row["inspectors"])
            )

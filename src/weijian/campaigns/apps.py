from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "weijian.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import catalogue

        # Violation categories and templates follow their data files after every migrate.
        post_migrate.connect(catalogue.load_after_migrate, sender=self)

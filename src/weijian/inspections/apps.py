from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "weijian.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import catalogue

        post_migrate.connect(catalogue.load_after_migrate, sender=self)

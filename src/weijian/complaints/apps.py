from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "weijian.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import catalogue

        post_migrate.connect(catalogue.load_after_migrate, sender=self)

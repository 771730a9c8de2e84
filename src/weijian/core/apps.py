from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "weijian.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_migrate

        from . import audit, calendar, roles  # noqa: F401  (calendar connects its cache signals)

        post_migrate.connect(roles.sync_roles_after_migrate, sender=self)
        m2m_changed.connect(audit.record_m2m_change)
        post_delete.connect(audit.record_delete)

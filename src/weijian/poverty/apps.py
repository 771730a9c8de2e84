from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PovertyConfig(AppConfig):
    name = "weijian.poverty"
    label = "poverty"
    verbose_name = _("Health poverty alleviation")

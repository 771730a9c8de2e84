from django.contrib import admin
from django.urls import include, path

from weijian.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("", include("weijian.core.urls")),
    path("registry/", include("weijian.registry.urls")),
    path("campaigns/", include("weijian.campaigns.urls")),
    path("inspections/", include("weijian.inspections.urls")),
    path("rectification/", include("weijian.rectification.urls")),
    path("complaints/", include("weijian.complaints.urls")),
    path("enforcement/", include("weijian.enforcement.urls")),
    path("reports/", include("weijian.reports.urls")),
    path("insurance/", include("weijian.insurance.urls")),
    path("poverty/", include("weijian.poverty.urls")),
]

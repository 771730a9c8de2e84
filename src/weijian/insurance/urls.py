from django.urls import include, path

app_name = "insurance"

urlpatterns = [
    path("", include("weijian.insurance.urls_claims")),
    path("", include("weijian.insurance.urls_fund")),
]

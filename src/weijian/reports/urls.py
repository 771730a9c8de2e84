from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("campaign/<int:campaign_id>/", views.campaign_forms, name="campaign_forms"),
    path("campaign/<int:campaign_id>/<slug:form>/", views.download, name="download"),
    path("campaign/<int:campaign_id>/result/<str:result_id>/", views.result, name="result"),
]

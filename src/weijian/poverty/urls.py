from django.urls import path

from . import views, views_lists

app_name = "poverty"

urlpatterns = [
    path("persons/", views.person_list, name="person_list"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/status/", views.person_status, name="person_status"),
    path("persons/<int:pk>/follow-up/", views.follow_up_new, name="follow_up_new"),
    path("persons/<int:pk>/fulfilment/", views.fulfilment_new, name="fulfilment_new"),
    path("persons/<int:pk>/contract/", views.contract_new, name="contract_new"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("mismatches/", views.mismatch_list, name="mismatch_list"),
    path("mismatches/<int:pk>/resolve/", views.mismatch_resolve, name="mismatch_resolve"),
    path("covers/", views.covers, name="covers"),
    path("covers/sitting/", views.sitting_new, name="sitting_new"),
    path("covers/assign/", views.cover_assign, name="cover_assign"),
    path("checkups/", views.checkups, name="checkups"),
    path("checkups/campaign/", views.checkup_campaign_new, name="checkup_campaign_new"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:pk>/members/", views.team_members, name="team_members"),
    path("teams/<int:pk>/deactivate/", views.team_deactivate, name="team_deactivate"),
    path("kpi/", views.kpi_dashboard, name="kpi"),
    path("kpi/people/", views.kpi_people, name="kpi_people"),
    path("report/", views.report, name="report"),
    path("report/xlsx/", views.report_xlsx, name="report_xlsx"),
    path("lists/", views_lists.lists_page, name="lists"),
]

from django.urls import path

from . import views

app_name = "enforcement"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("checks/", views.site_check_list, name="site_check_list"),
    path("checks/new/", views.site_check_new, name="site_check_new"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("blacklist/", views.blacklist, name="blacklist"),
    path("blacklist/export.xlsx", views.blacklist_export, name="blacklist_export"),
    path("credit/", views.credit, name="credit"),
]

from django.urls import path

from . import views_fund

urlpatterns = [
    path("households/", views_fund.household_list, name="household_list"),
    path("households/new/", views_fund.household_new, name="household_new"),
    path("households/<int:pk>/", views_fund.household_detail, name="household_detail"),
    path("households/<int:pk>/members/<int:member_pk>/photo/", views_fund.member_photo, name="member_photo"),
    path("collection/", views_fund.collection, name="collection"),
    path("collection/collective/", views_fund.collective_contribution, name="collective_contribution"),
    path("fund/", views_fund.fund_report, name="fund_report"),
    path("fund/xlsx/", views_fund.fund_report_xlsx, name="fund_report_xlsx"),
    path("notice-board/", views_fund.notice_board, name="notice_board"),
    path("notice-board/xlsx/", views_fund.notice_board_xlsx, name="notice_board_xlsx"),
    path("policies/", views_fund.policy_list, name="policy_list"),
    path("policies/new/", views_fund.policy_new, name="policy_new"),
    path("policies/<int:pk>/", views_fund.policy_detail, name="policy_detail"),
]

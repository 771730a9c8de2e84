from django.urls import path

from . import views_claims as views

urlpatterns = [
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/new/", views.claim_new, name="claim_new"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/correct/", views.claim_correct, name="claim_correct"),
    path("settlements/<int:pk>/slip/", views.settlement_slip, name="settlement_slip"),
    path("statements/", views.statement_list, name="statement_list"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
]

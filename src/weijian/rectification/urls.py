from django.urls import path

from . import views

app_name = "rectification"

urlpatterns = [
    path("", views.board, name="board"),
    path("<int:pk>/", views.hazard_detail, name="hazard_detail"),
]

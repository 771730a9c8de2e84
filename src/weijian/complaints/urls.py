from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="complaint_list"),
    path("new/", views.complaint_new, name="complaint_new"),
    path("<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("submit/", views.public_submit, name="public_submit"),
    path("track/", views.public_track, name="public_track"),
]

from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("new/", views.inspection_start, name="inspection_start"),
    path("<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("campaigns/<int:campaign_pk>/sampling/", views.sampling, name="sampling"),
    path("sampling/<int:pk>/", views.sampling_draw, name="sampling_draw"),
]

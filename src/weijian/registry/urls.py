from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution_detail"),
    path("institutions/<int:pk>/edit/", views.institution_edit, name="institution_edit"),
    path("practitioners/", views.practitioner_list, name="practitioner_list"),
    path("practitioners/<int:pk>/", views.practitioner_detail, name="practitioner_detail"),
    path("practitioners/<int:pk>/edit/", views.practitioner_edit, name="practitioner_edit"),
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("import/", views.import_page, name="import"),
    path("import/template/<str:kind>.xlsx", views.import_template, name="import_template"),
]

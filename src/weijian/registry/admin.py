from django.contrib import admin

from .models import Enterprise, Institution, MedicalGroup, Practitioner, ServiceLine


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "institution_type", "grade_level", "grade_class", "ownership", "beds"]
    list_filter = ["institution_type", "grade_level", "ownership", "insurance_designated"]
    search_fields = ["organisation__name", "organisation__credit_code", "licence_number"]
    raw_id_fields = ["organisation", "medical_group"]
    filter_horizontal = ["service_lines"]


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "registered_institution", "practice_certificate"]
    list_filter = ["category", "practice_category"]
    search_fields = ["name", "id_number", "practice_certificate", "search_key"]
    raw_id_fields = ["registered_institution", "additional_sites"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "division", "credit_code"]
    list_filter = ["kind"]
    search_fields = ["name", "credit_code", "search_key"]
    raw_id_fields = ["division"]


admin.site.register(MedicalGroup)
admin.site.register(ServiceLine)

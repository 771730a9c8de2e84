from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, AuditEntry, Division, HolidayOverride, Organisation, User


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "department", "division", "scope_mode", "credit_code"]
    list_filter = ["kind", "department", "scope_mode"]
    search_fields = ["name", "credit_code", "search_key"]
    raw_id_fields = ["division"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "organisation", "is_active", "is_superuser"]
    list_filter = ["groups", "is_active"]
    search_fields = ["username", "full_name", "organisation__name"]
    raw_id_fields = ["organisation"]
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("Organisation"), {"fields": ["full_name", "organisation"]}))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is written by the system, never edited."""

    list_display = ["at", "actor_label", "action", "model", "object_repr"]
    list_filter = ["action", "model"]
    search_fields = ["object_id", "object_repr", "actor_label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note"]
    date_hierarchy = "date"

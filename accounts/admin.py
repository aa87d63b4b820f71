from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User


@admin.register(User)
class EbokUserAdmin(UserAdmin):
    list_display = ["username", "customer", "is_staff", "is_active", "last_login"]
    list_select_related = ["customer"]
    readonly_fields = ["customer", "last_login", "date_joined"]
    fieldsets = [*UserAdmin.fieldsets, ("eBOK", {"fields": ["customer"]})]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import EmailDelivery, OneTimePassword, Throttle, User
from customers.admin import BillingDataAdmin


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Staff accounts only: customers' logins (and their passwords) are not staff's to see or set."""

    list_display = ["username", "email", "is_staff", "is_active", "last_login"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(customer__isnull=True)


@admin.register(OneTimePassword)
class OneTimePasswordAdmin(BillingDataAdmin):
    list_display = ["customer", "created_at", "expires_at", "used_at", "revoked_at", "requested_by_staff"]
    list_select_related = ["customer"]
    list_filter = ["requested_by_staff"]
    search_fields = ["customer__number", "customer__name"]
    fields = ["customer", "created_at", "expires_at", "used_at", "revoked_at", "requested_by_staff"]


@admin.register(Throttle)
class ThrottleAdmin(BillingDataAdmin):
    """Lock-outs and counters. Deleting a row lifts that block (staff may do so after a phone call)."""

    list_display = ["key", "count", "window_start", "last_at"]
    search_fields = ["key"]
    ordering = ["-last_at"]

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("accounts.delete_throttle")


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(BillingDataAdmin):
    list_display = ["created_at", "kind", "to", "customer", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["customer"]
    search_fields = ["to", "customer__number", "customer__name"]
    fields = ["kind", "to", "customer", "status", "attempts", "last_error", "created_at", "sent_at"]
    date_hierarchy = "created_at"

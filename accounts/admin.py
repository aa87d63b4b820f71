from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import staff
from accounts.models import EmailDelivery, OneTimePassword, StaffAction, Throttle, User, enrolment_permit_end
from customers.admin import BillingDataAdmin

# A second factor is nobody else's to see, set or add: staff enrol their own at login
# (accounts.staff) within the permit given when their account is made here, and
# `manage.py reset_staff_otp` removes a lost one and grants a new permit.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Staff accounts only: customers' logins (and their passwords) are not staff's to see or set.

    An account made here, or made staff here, may enrol its second factor for the next 72 hours
    (accounts.limits.STAFF_ENROLMENT_PERMIT); the permit is shown, never edited.
    """

    list_display = [
        "username",
        "email",
        "is_staff",
        "is_active",
        "has_second_factor",
        "otp_enrolment_until",
        "last_login",
    ]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("weryfikacja dwuetapowa"), {"fields": ["otp_enrolment_until"]}),
    ]
    readonly_fields = ["otp_enrolment_until"]

    def get_queryset(self, request):
        enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).filter(customer__isnull=True).annotate(enrolled=Exists(enrolled))

    @admin.display(description=_("weryfikacja dwuetapowa"), boolean=True, ordering="enrolled")
    def has_second_factor(self, obj):
        return obj.enrolled

    def save_model(self, request, obj, form, change):
        made_staff = "is_staff" in form.changed_data and obj.is_staff
        enrolled = change and staff.has_second_factor(obj)
        if not change or (made_staff and not enrolled):
            obj.otp_enrolment_until = enrolment_permit_end()
        super().save_model(request, obj, form, change)


@admin.register(OneTimePassword)
class OneTimePasswordAdmin(BillingDataAdmin):
    list_display = ["customer", "created_at", "expires_at", "used_at", "revoked_at", "requested_by_staff"]
    list_select_related = ["customer"]
    list_filter = ["requested_by_staff"]
    search_fields = ["customer__number", "customer__name"]
    fields = ["customer", "created_at", "expires_at", "used_at", "revoked_at", "requested_by_staff"]


@admin.register(Throttle)
class ThrottleAdmin(BillingDataAdmin):
    """Lock-outs and counters. Deleting a row lifts that block (staff may do so after a phone call).

    Each lifted block is logged (who, when, the key and its count) in the transaction of the deletion.
    """

    list_display = ["key", "count", "window_start", "last_at"]
    search_fields = ["key"]
    ordering = ["-last_at"]

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("accounts.delete_throttle")

    @transaction.atomic
    def delete_model(self, request, obj):
        StaffAction.objects.lockout_lifted(staff=request.user, throttle=obj)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for row in queryset.select_for_update():
            StaffAction.objects.lockout_lifted(staff=request.user, throttle=row)
        super().delete_queryset(request, queryset)


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(BillingDataAdmin):
    list_display = ["created_at", "kind", "to", "customer", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["customer"]
    search_fields = ["to", "customer__number", "customer__name"]
    fields = ["kind", "to", "customer", "status", "attempts", "last_error", "created_at", "sent_at"]
    date_hierarchy = "created_at"


@admin.register(StaffAction)
class StaffActionAdmin(BillingDataAdmin):
    """Who touched which way in, and when: read-only, written only with the action itself."""

    list_display = ["at", "staff", "customer", "member", "action", "old_value", "new_value", "request_date"]
    list_filter = [
        "action",
        ("staff", admin.RelatedOnlyFieldListFilter),
        ("customer", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["staff", "customer", "member"]
    search_fields = ["customer__number", "customer__name", "staff__username", "member__username", "old_value"]
    fields = list_display
    date_hierarchy = "at"

"""The admin's door: a password, then a code from an authenticator app (TOTP), both limited.

1. ``admin:login``: username and password, counted before the password is checked, per client IP and
   per username (accounts.limits, in the shared store). A right password does not log in yet: it
   leaves the session half-way, naming the staff member for a few minutes, and leads to step 2.
2. ``admin:second_factor``: a member with an authenticator app types its code, or one recovery code
   (used up). A member without one enrols first, but only within an enrolment permit (User.
   otp_enrolment_until, accounts.limits.STAFF_ENROLMENT_PERMIT): a QR code and the secret as text, a
   code to confirm, then recovery codes shown once; the enrolment uses up the permit. Without a permit
   a right password is refused at step 1 and shows no secret. Wrong codes are limited per member.

Only then is the member logged in, with the device recorded in the session (django-otp), and the site
lets in no one whom a device has not verified. ``manage.py reset_staff_otp`` removes a member's devices
and grants a permit to enrol again. Every refusal over a limit is a 429 with Retry-After.
"""

import base64
import time

import django_otp
import segno
from django import forms
from django.contrib import admin, auth
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts import limits
from accounts.middleware import session_started
from accounts.models import User
from accounts.throttle import IpLimit, Limit, client_ip, store
from ops.events import error_code, security_event

PENDING = "ebok_staff_pending"
PENDING_SECONDS = 10 * 60  # time from the password to the code, enough to install an app and enrol
RECOVERY_CODES = 10
BACKEND = "accounts.backends.StaffBackend"


class StaffLoginAttempt:
    """One try of a staff password, counted before the password is checked, whether the username exists or not.

    The same shared call as every other limit (accounts.throttle.Limit): a refused try is not counted.
    """

    def __init__(self, request, username):
        self.per_ip = IpLimit(limits.STAFF_LOGIN_FAILURES_PER_IP, "staff-login-ip", client_ip(request))
        self.per_username = Limit(limits.STAFF_LOGIN_FAILURES_PER_USERNAME, f"staff-login:{username.casefold()}"[:200])

    def refusal(self):
        """The throttle.Refusal of a try that may not be checked, or None (then the try is counted)."""
        if refusal := self.per_ip.hit():
            return refusal
        if refusal := self.per_username.hit():
            self.per_ip.refund()
            return refusal
        return None

    def succeeded(self):
        self.per_ip.refund()
        store().reset(self.per_username.key)


def code_key(user):
    return f"staff-code:{user.pk}"


def has_second_factor(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


class StaffLoginForm(AdminAuthenticationForm):
    """Username and password, limited; `refusal` is the throttle.Refusal when a limit refused the try."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "no_second_factor": gettext_lazy(
            "Konto nie ma skonfigurowanej weryfikacji dwuetapowej; poproś administratora o zgodę na jej "
            "włączenie (polecenie reset_staff_otp)."
        ),
    }
    refusal = None

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not (username and password):  # an incomplete form checks no password, so counts nothing
            return super().clean()
        attempt = StaffLoginAttempt(self.request, username)
        self.refusal = attempt.refusal()
        if self.refusal:
            raise ValidationError(self.refusal.message, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if error.code == "no_second_factor":  # the password was right: not a guess
                attempt.succeeded()
            raise
        attempt.succeeded()
        return cleaned

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not has_second_factor(user) and not user.may_enrol_second_factor():
            raise ValidationError(self.error_messages["no_second_factor"], code="no_second_factor")


class CodeForm(forms.Form):
    """One code of the second factor; `check(code)` answers the device that accepts it, or None."""

    code = forms.CharField(
        label=gettext_lazy("Kod"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )

    def __init__(self, *args, user, check, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.check = user, check
        self.device = None
        self.refusal = None  # the throttle.Refusal when too many wrong codes refused this one

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).lower()
        if refusal := Limit(limits.STAFF_CODE_FAILURES_PER_USER, code_key(self.user)).hit():
            self.refusal = refusal
            raise ValidationError(refusal.message, code="throttled")
        self.device = self.check(code)
        if self.device is None:
            raise ValidationError(_("Kod jest nieprawidłowy albo już został użyty."), code="invalid")
        store().reset(code_key(self.user))
        return code


def verified_device(user, code):
    """The confirmed device of `user` that accepts `code`: a TOTP code, or a recovery code (then used up)."""
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice):
            for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
                if device.verify_token(code):
                    return device
    return None


class NoEnrolmentPermit(Exception):
    """The member may not enrol (no permit, or it has run out or been used up meanwhile)."""


def enrol(user, key, code):
    """Confirm a new authenticator app of `user` by one of its codes; returns (device, recovery codes) or None.

    Needs the member's enrolment permit and uses it up in the same transaction, so of two sessions
    enrolling at once only the first succeeds (NoEnrolmentPermit for the other). Replaces any earlier
    devices of the member; the code that confirmed it cannot be used again.
    """
    device = TOTPDevice(user=user, name="eBOK", key=key, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not code.isdigit() or not totp.verify(int(code), device.tolerance):
        return None
    device.last_t = totp.t()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        permitted = User.objects.filter(pk=user.pk, otp_enrolment_until__gt=timezone.now())
        if not permitted.update(otp_enrolment_until=None):
            raise NoEnrolmentPermit
        user.otp_enrolment_until = None
        for model in (TOTPDevice, StaticDevice):
            model.objects.devices_for_user(user).delete()
        device.save()
        recovery = StaticDevice.objects.create(user=user, name="kody zapasowe", confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=token) for token in codes)
    return device, codes


def qr_code_svg(device):
    """The device's otpauth:// address as an inline SVG QR code (dark on white, also in a dark theme)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, light="#fff", title=_("Kod QR do aplikacji"))


def _start_second_factor(request, user, next_url):
    request.session.cycle_key()  # a session planted before the password cannot finish the login
    request.session[PENDING] = {
        "user": user.pk,
        "hash": user.get_session_auth_hash(),
        "at": time.time(),
        "next": next_url,
    }


def _pending(request):
    """The staff member whose password was right a few minutes ago in this session, or None."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True, is_staff=True, customer__isnull=True).first()
    if user is None or user.get_session_auth_hash() != pending["hash"]:
        return None
    return user


def _log_in(request, user, device):
    next_url = request.session.pop(PENDING)["next"]
    auth.login(request, user, backend=BACKEND)
    django_otp.login(request, device)
    session_started(request)
    return next_url


class StaffAdminSite(admin.AdminSite):
    """The admin, open only to staff verified by their second factor in this session."""

    site_header = gettext_lazy("eBOK — administracja")
    site_title = gettext_lazy("eBOK")

    def has_permission(self, request):
        is_verified = getattr(request.user, "is_verified", None)
        return super().has_permission(request) and is_verified is not None and is_verified()

    def get_urls(self):
        return [path("logowanie/kod/", self.second_factor, name="second_factor"), *super().get_urls()]

    def _render(self, request, template, context, status=200, refusal=None):
        """The page; with `refusal` (a throttle.Refusal) a 429 with its Retry-After."""
        request.current_app = self.name
        context = {**self.each_context(request), "username": request.user.get_username(), **context}
        response = TemplateResponse(request, template, context, status=429 if refusal else status)
        if refusal:
            response["Retry-After"] = str(refusal.retry_after)
        return response

    def _next(self, request):
        next_url = request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME, ""))
        safe = url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
        return next_url if safe else reverse("admin:index", current_app=self.name)

    @method_decorator(sensitive_post_parameters("password"))
    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        if request.method == "GET" and self.has_permission(request):
            return redirect("admin:index")
        next_url = self._next(request)
        form = StaffLoginForm(request, data=request.POST if request.method == "POST" else None)
        if form.is_valid():
            security_event("staff_password_accepted", request=request, user=form.get_user())
            _start_second_factor(request, form.get_user(), next_url)
            return redirect("admin:second_factor")
        if reason := error_code(form):
            security_event("staff_login_failed", request=request, reason=reason)
        context = {"form": form, "title": _("Logowanie"), "app_path": request.get_full_path(), "next": next_url}
        status = 403 if form.has_error(NON_FIELD_ERRORS, "no_second_factor") else 200
        return self._render(request, "admin/login.html", context, status, form.refusal)

    @method_decorator(sensitive_post_parameters("code"))
    @method_decorator(never_cache)
    def second_factor(self, request):
        user = _pending(request)
        if user is None:
            request.session.pop(PENDING, None)
            return redirect("admin:login")
        if not has_second_factor(user):
            return self._enrol(request, user)
        data = request.POST if request.method == "POST" else None
        form = CodeForm(data, user=user, check=lambda code: verified_device(user, code))
        if form.is_valid():
            security_event("staff_second_factor_accepted", request=request, user=user)
            return redirect(_log_in(request, user, form.device))
        if reason := error_code(form):
            security_event("staff_second_factor_failed", request=request, user=user, reason=reason)
        context = {"form": form, "title": _("Weryfikacja")}
        return self._render(request, "admin/staff_second_factor.html", context, refusal=form.refusal)

    def _no_permit(self, request):
        """The permit ran out (or another session used it) between the password and the enrolment."""
        request.session.pop(PENDING, None)
        message = StaffLoginForm.error_messages["no_second_factor"]
        context = {"message": message, "title": _("Weryfikacja dwuetapowa")}
        return self._render(request, "admin/staff_no_second_factor.html", context, status=403)

    def _enrol(self, request, user):
        if not user.may_enrol_second_factor():
            return self._no_permit(request)
        pending = request.session[PENDING]
        if "key" not in pending:  # the secret waits in the session until a code confirms it
            pending["key"] = random_hex(20)
            request.session.modified = True
        enrolled = None

        def check(code):
            nonlocal enrolled
            enrolled = enrol(user, pending["key"], code)
            return enrolled and enrolled[0]

        form = CodeForm(request.POST if request.method == "POST" else None, user=user, check=check)
        try:
            confirmed = form.is_valid()
        except NoEnrolmentPermit:
            return self._no_permit(request)
        if reason := error_code(form):
            security_event("staff_second_factor_failed", request=request, user=user, reason=reason)
        if confirmed:
            security_event("staff_second_factor_enrolled", request=request, user=user)
            device, codes = enrolled
            next_url = _log_in(request, user, device)
            return self._render(
                request,
                "admin/staff_recovery_codes.html",
                {"codes": codes, "next": next_url, "title": _("Kody zapasowe")},
            )
        device = TOTPDevice(user=user, key=pending["key"])
        secret = base64.b32encode(device.bin_key).decode()
        context = {
            "form": form,
            "title": _("Włączenie weryfikacji dwuetapowej"),
            "qr_code": qr_code_svg(device),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        }
        return self._render(request, "admin/staff_enrol.html", context, refusal=form.refusal)

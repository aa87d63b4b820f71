import ipaddress

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import limits, otp, services, tasks
from accounts.decorators import MUST_SET_PASSWORD, customer_required, signed_in_customer
from accounts.forms import CodeForm, EinvoiceConsentForm, LoginForm
from accounts.middleware import session_started
from accounts.throttle import IpLimit, LoginAttempt, client_ip, ip_key
from customers import consent
from customers.documents import FORMS
from customers.models import EinvoiceConsent, Region
from customers.services import ConsentRefused, einvoice_consent_record
from ops.events import security_event
from ops.pagecache import visitor_page


def _too_many(request, region, refusal):
    security_event("throttled", request=request, region=region, retry_after=refusal.retry_after)
    return refusal.respond(request, "accounts/throttled.html", {"region": region})


@sensitive_post_parameters("password")
@never_cache
@visitor_page
def login(request, region):
    region = get_object_or_404(Region, slug=region)
    if customer := signed_in_customer(request):
        return render(request, "accounts/login.html", {"region": region, "signed_in": customer})
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = {"number": form.cleaned_data["number"], "sub_code": form.cleaned_data["sub_code"]}
        attempt = LoginAttempt(request, region=region, **code)
        if refusal := attempt.refusal():
            return _too_many(request, region, refusal)
        user = auth.authenticate(request, region=region, password=form.cleaned_data["password"], **code)
        if user is not None:
            attempt.succeeded()
            security_event("login_succeeded", request=request, customer=user.customer, region=region)
            return _log_in(request, user)
        security_event("login_failed", request=request, region=region, code="{number}-{sub_code}".format(**code))
        form.add_error(None, _("Nieprawidłowy kod odbiorcy lub hasło."))
    expired = request.GET.get("sesja") == "wygasla"
    return render(request, "accounts/login.html", {"region": region, "form": form, "expired": expired})


def _log_in(request, user):
    auth.login(request, user)
    session_started(request)
    if user.via_one_time_password:
        request.session[MUST_SET_PASSWORD] = True
        response = redirect("set_password")
    else:
        request.session.pop(MUST_SET_PASSWORD, None)  # an earlier one-time login in this session is over
        response = redirect("dashboard")
    return _remember_language(request, user, response)


def _remember_language(request, user, response):
    """A choice made with the switch on this browser (the cookie) becomes the customer's; without one,
    the customer's earlier choice is set on this browser too."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in dict(settings.LANGUAGES) and chosen != user.language:
        user.language = chosen
        user.save(update_fields=["language"])
    elif not chosen and user.language:
        _set_language_cookie(response, user.language)
    return response


def _set_language_cookie(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def set_language(request):
    """The language switch on every page: Django's set_language (cookie, redirect to `next`), and for a
    logged-in customer the choice is saved, so that e-mails and PDFs come in it too."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    user = request.user
    chosen = language in dict(settings.LANGUAGES) and translation.check_for_language(language)
    if user.is_authenticated and chosen and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


@never_cache
@visitor_page
def password_request(request, region):
    """Pobierz hasło do systemu: the same answer and the same work whatever the code (accounts.tasks).

    A request is answered with a redirect to the page saying what happens next, so reloading that
    page asks for nothing again.
    """
    region = get_object_or_404(Region, slug=region)
    if customer := signed_in_customer(request):
        return render(request, "accounts/password_request.html", {"region": region, "signed_in": customer})
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        ip = ip_key(client_ip(request))
        if refusal := IpLimit(limits.PASSWORD_REQUESTS_PER_IP, "password-ip", client_ip(request)).hit():
            return _too_many(request, region, refusal)
        if form.is_valid():
            code = form.cleaned_data["number"], form.cleaned_data["sub_code"]
            tasks.password_request.enqueue(region.pk, *code, timezone.now().isoformat(), ip)
            security_event("password_requested", request=request, region=region, code="-".join(code))
            return redirect("password_request_sent", region=region.slug)
    return render(request, "accounts/password_request.html", {"region": region, "form": form})


@never_cache
def password_request_sent(request, region):
    """What happens after a request, in words that fit every code; it names none, so it is a plain page."""
    region = get_object_or_404(Region, slug=region)
    context = {"region": region, "validity_hours": otp.validity_hours()}
    return render(request, "accounts/password_request_sent.html", context)


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@customer_required(allow_one_time=True)
def set_password(request):
    """After a login with a one-time password: the customer's own password, before anything else."""
    if not request.session.get(MUST_SET_PASSWORD):
        return redirect("account")
    form = SetPasswordForm(request.user, request.POST or None)
    if form.is_valid():
        services.customer_set_password(request=request, user=request.user, password=form.cleaned_data["new_password1"])
        del request.session[MUST_SET_PASSWORD]
        messages.success(request, _("Hasło zostało ustawione. Od teraz logujesz się nim."))
        return redirect("dashboard")
    return render(request, "accounts/set_password.html", {"form": form})


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@customer_required
def account(request):
    """Konto: change the password (needs the current one); the e-invoice consent, its text and history."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST":
        # The current password is guessable from a stolen session: the login's limits apply.
        customer = request.customer
        attempt = LoginAttempt(request, region=customer.region, number=customer.number, sub_code=customer.sub_code)
        if refusal := attempt.refusal():
            return _too_many(request, customer.region, refusal)
        if form.is_valid():
            attempt.succeeded()
            services.customer_set_password(
                request=request, user=request.user, password=form.cleaned_data["new_password1"]
            )
            messages.success(request, _("Hasło zostało zmienione. Pozostałe sesje zostały zakończone."))
            return redirect("account")
        if "old_password" not in form.errors:
            attempt.succeeded()
    return _account_page(request, form, EinvoiceConsentForm())


def _valid_ip(text):
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _account_page(request, password_form, consent_form):
    customer = request.customer
    history = list(customer.einvoice_consents.order_by("-recorded_at", "-pk"))
    context = {
        "form": password_form,
        "consent_form": consent_form,
        "customer": customer,
        "consent": history[0] if history and customer.einvoice_consent else None,
        "consent_history": history,
        "consent_version": consent.CURRENT_VERSION,
        "consent_text": consent.consent_text(),
        "consent_translated": consent.is_translation(),
        "forms": FORMS.values(),  # Formularze do pobrania, filled in with the customer's particulars
    }
    return render(request, "accounts/account.html", context)


@never_cache
@customer_required
@require_POST
def einvoice_consent(request):
    """Konto: accept the e-invoice consent (after reading its text) or withdraw it; both take effect today.

    Only ever the logged-in customer's own consent; the record names the login and the IP address.
    """
    form = EinvoiceConsentForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            einvoice_consent_record(
                customer=request.customer,
                action=action,
                channel=EinvoiceConsent.Channel.ONLINE,
                user=request.user,
                ip=_valid_ip(client_ip(request)),
            )
        except ConsentRefused as refusal:
            messages.error(request, refusal.args[0])
            return redirect("account")
        if action == EinvoiceConsent.Action.GRANTED:
            messages.success(request, _("Zgoda na e-fakturę została włączona. Potwierdzenie wysłano e-mailem."))
        else:
            messages.success(request, _("Zgoda na e-fakturę została wycofana. Potwierdzenie wysłano e-mailem."))
        return redirect("account")
    return _account_page(request, PasswordChangeForm(request.user), form)


@require_POST
def logout(request):
    customer = getattr(request.user, "customer", None)
    auth.logout(request)
    if customer is not None:
        return redirect("login", region=customer.region.slug)
    return redirect("landing")

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.hashers import check_password, make_password

from accounts.models import OneTimePassword, User

# A stand-in for a missing hash, so that an unknown code costs the same hashing as a known one.
_DUMMY = None


def _verify(password, encoded):
    """check_password that always does one hashing, also when there is nothing to check against."""
    global _DUMMY
    if encoded:
        return check_password(password, encoded)
    if _DUMMY is None:
        _DUMMY = make_password("eBOK dummy password")
    check_password(password, _DUMMY)
    return False


class CustomerBackend(BaseBackend):
    """Customers log in with region + customer number + sub-customer code + password.

    Two hash checks every time — the own password and the newest one-time password, or stand-ins
    when either is missing, the code is unknown or inactive — so the answer time does not tell
    which. A one-time password logs in once, and only to set the customer's own password
    (`user.via_one_time_password`).
    """

    def authenticate(self, request, *, region=None, number=None, sub_code=None, password=None, **kwargs):
        if region is None or number is None or password is None:
            return None
        user = (
            User.objects.select_related("customer")
            .filter(customer__region=region, customer__number=number, customer__sub_code=sub_code)
            .first()
        )
        usable = user is not None and user.is_active and user.customer.active
        own_hash = user.password if usable and user.has_usable_password() else None
        otp = OneTimePassword.objects.usable().filter(customer=user.customer).last() if usable else None
        own_ok = _verify(password, own_hash)
        otp_ok = _verify(password, otp.password_hash if otp else None)
        if own_ok:
            user.via_one_time_password = False
            return user
        if otp_ok and otp.use():
            user.via_one_time_password = True
            return user
        return None

    def get_user(self, user_id):
        # Every logged-in request runs this: get() leaves out the ORDER BY that first() adds, and the customer's
        # region comes in the same query (Pulpit names it; a separate query cost more than the join).
        try:
            user = User.objects.select_related("customer__region").get(pk=user_id, is_active=True)
        except User.DoesNotExist:
            return None
        if user.customer_id is not None and not user.customer.active:
            return None
        return user


class StaffBackend(ModelBackend):
    """Username and password for the admin; a customer's login never authenticates this way."""

    def user_can_authenticate(self, user):
        return user.customer_id is None and super().user_can_authenticate(user)

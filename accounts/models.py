from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class EbokUserManager(UserManager):
    def for_customer(self, customer):
        """The login of a customer, made on first need with no usable password."""
        user = self.filter(customer=customer).first()
        if user is None:
            user = self.model(username=f"{customer.region.slug}/{customer.code}", customer=customer)
            user.set_unusable_password()
            user.save()
        return user


class User(AbstractUser):
    """Staff members log in to the admin by username; a customer's login is linked to its Customer.

    The customer's password lives here, hashed, and nowhere else; staff never see or set it.
    """

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("odbiorca"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )

    objects = EbokUserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("użytkownik")
        verbose_name_plural = _("użytkownicy")

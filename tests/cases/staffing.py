"""Staff of the customer service office for the admin tests: members of the "Obsługa klienta" group."""

from django.contrib.auth.models import Group

from accounts.models import User

GROUP = "Obsługa klienta"


def service_member(username="anna", email="anna@cieplo.example", **fields):
    """A staff member in the group (the data migration made it), not a superuser."""
    user = User.objects.create_user(username, email, "staff password 2", is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=GROUP))
    return user

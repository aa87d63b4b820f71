from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.views import set_language

admin.site.site_header = _("eBOK — administracja")
admin.site.site_title = _("eBOK")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("jezyk/", set_language, name="set_language"),
    path("", include("customers.urls")),
    path("", include("accounts.urls")),
    path("", include("invoices.urls")),  # faktury/ and rozliczenia/
    path("zuzycie-ciepla/", include("consumption.urls")),
]

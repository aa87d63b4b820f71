from django.contrib import admin
from django.urls import include, path

from accounts.views import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("jezyk/", set_language, name="set_language"),
    path("", include("customers.urls")),
    path("", include("accounts.urls")),
    path("", include("invoices.urls")),  # faktury/ and rozliczenia/
    path("zuzycie-ciepla/", include("consumption.urls")),
    path("sprawy/", include("cases.urls")),
    path("", include("outages.urls")),
]

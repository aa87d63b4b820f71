from django.contrib import admin
from django.urls import include, path

from accounts.views import set_language
from ops.views import healthz, metrics_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),  # monitoring network only (ops.views.may_scrape)
    path("jezyk/", set_language, name="set_language"),
    path("", include("customers.urls")),
    path("", include("accounts.urls")),
    path("", include("invoices.urls")),  # faktury/ and rozliczenia/
    path("zuzycie-ciepla/", include("consumption.urls")),
    path("sprawy/", include("cases.urls")),
    path("", include("outages.urls")),
]

handler500 = "ops.views.server_error"  # a 503 while the database does not answer

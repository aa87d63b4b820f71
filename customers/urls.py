from django.urls import path
from django.views.generic import TemplateView

from customers import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("pulpit/", views.dashboard, name="dashboard"),
    path("ochrona-danych-osobowych/", TemplateView.as_view(template_name="public/privacy.html"), name="privacy"),
    path("regulamin/", TemplateView.as_view(template_name="public/terms.html"), name="terms"),
    path(
        "deklaracja-dostepnosci/",
        TemplateView.as_view(template_name="public/accessibility.html"),
        name="accessibility",
    ),
    path("dokumenty/", views.documents, name="documents"),
    path("dokumenty/<slug:slug>.pdf", views.blank_form_pdf, name="blank_form_pdf"),
    path("konto/formularze/<slug:slug>.pdf", views.filled_form_pdf, name="filled_form_pdf"),
    path("kontakt/", TemplateView.as_view(template_name="public/contact.html"), name="contact"),
]

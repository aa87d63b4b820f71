from django.urls import path

from invoices import views

app_name = "invoices"

# Invoices are addressed by their random public_id, never by the sequential primary key.
urlpatterns = [
    path("faktury/", views.invoice_list, name="list"),
    path("faktury/<uuid:public_id>/", views.invoice_detail, name="detail"),
    path("faktury/<uuid:public_id>/pdf/", views.invoice_pdf_download, name="pdf"),
    path("faktury/<uuid:public_id>/xml/", views.invoice_xml_download, name="xml"),
    path("rozliczenia/", views.settlements, name="settlements"),
    path("rozliczenia/zestawienie.pdf", views.statement_pdf, name="statement"),
]

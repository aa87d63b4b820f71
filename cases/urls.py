from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("nowa/", views.case_new, name="new"),
    path("nowa/awaria/", views.new_outage, name="new_outage"),
    path("nowa/reklamacja/", views.new_complaint, name="new_complaint"),
    path("nowa/wniosek/moc/", views.new_power, name="new_power"),
    path("nowa/wniosek/dane-kontaktowe/", views.new_contact, name="new_contact"),
    path("nowa/wniosek/inny/", views.new_other, name="new_other"),
    path("<uuid:public_id>/", views.case_detail, name="detail"),
    path("<uuid:public_id>/wiadomosc/", views.case_message, name="message"),
    path("<uuid:public_id>/zamknij/", views.case_close, name="close"),
    path("<uuid:public_id>/pliki/<uuid:attachment_id>/", views.attachment_download, name="attachment"),
]

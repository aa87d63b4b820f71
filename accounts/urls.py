from django.urls import path

from accounts import views

urlpatterns = [
    path("<slug:region>/logowanie/", views.login, name="login"),
    path("<slug:region>/pobierz-haslo/", views.password_request, name="password_request"),
    path("<slug:region>/pobierz-haslo/wyslano/", views.password_request_sent, name="password_request_sent"),
    path("konto/", views.account, name="account"),
    path("konto/e-faktura/", views.einvoice_consent, name="einvoice_consent"),
    path("konto/ustaw-haslo/", views.set_password, name="set_password"),
    path("wyloguj/", views.logout, name="logout"),
]

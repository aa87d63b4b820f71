from django.urls import path

from accounts import views

urlpatterns = [
    path("<slug:region>/logowanie/", views.login, name="login"),
    path("wyloguj/", views.logout, name="logout"),
]

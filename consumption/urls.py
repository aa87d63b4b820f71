from django.urls import path

from consumption import views

app_name = "consumption"

urlpatterns = [
    path("", views.index, name="index"),
    path("eksport.csv", views.export_csv, name="export_csv"),
    path("eksport.xlsx", views.export_xlsx, name="export_xlsx"),
]

from django.urls import path

from outages import feeds, views

app_name = "outages"
urlpatterns = [
    path("awarie-i-wylaczenia/", views.public, name="public"),
    path("awarie-i-wylaczenia/atom.xml", feeds.OutageFeed(), name="atom"),
    path("awarie-i-wylaczenia/planowane.ics", feeds.planned_calendar, name="calendar"),
    path("konto/powiadomienia-o-awariach/", views.notice_choice, name="notice_choice"),
]

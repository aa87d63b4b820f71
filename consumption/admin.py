from django.contrib import admin

from consumption.models import ConsumptionReading
from customers.admin import BillingDataAdmin


@admin.register(ConsumptionReading)
class ConsumptionReadingAdmin(BillingDataAdmin):
    list_display = ["point", "period_from", "period_to", "consumption_gj", "meter_reading_gj", "kind"]
    list_filter = ["kind", "point__region"]
    list_select_related = ["point"]
    search_fields = ["point__identifier", "point__customer__number", "point__customer__name"]
    date_hierarchy = "period_from"

from django.contrib import admin

from pins.models import Pin


@admin.register(Pin)
class PinAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "board", "owner", "created_at"]
    search_fields = ["title", "description"]
    raw_id_fields = ["board", "section", "owner", "parent_pin", "media"]

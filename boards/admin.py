from django.contrib import admin

from boards.models import Board, BoardSection


class BoardSectionInline(admin.TabularInline):
    model = BoardSection
    extra = 0


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "privacy", "created_at", "pins_modified_at"]
    list_filter = ["privacy"]
    search_fields = ["name", "owner__username"]
    inlines = [BoardSectionInline]

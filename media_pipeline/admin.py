from django.contrib import admin

from media_pipeline.models import MediaRecord, Rendition


class RenditionInline(admin.TabularInline):
    model = Rendition
    extra = 0
    readonly_fields = ["name", "format", "width", "height", "file", "bytes"]


@admin.register(MediaRecord)
class MediaRecordAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "format", "width", "height", "status", "attempts", "created_at"]
    list_filter = ["status", "format"]
    readonly_fields = ["sha256", "original", "width", "height", "format", "attempts"]
    inlines = [RenditionInline]

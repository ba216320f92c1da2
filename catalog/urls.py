from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from accounts.urls import settings_urlpatterns
from catalog.views import healthz
from media_pipeline.views import serve_media

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v5/", include("catalog.api.urls")),
    *settings_urlpatterns,
    path("", include("pins.urls")),
]
if settings.SERVE_MEDIA:
    prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(re_path(rf"^{prefix}(?P<path>.+)$", serve_media, name="media"))
# Profile and board URLs take any username, so they come last.
urlpatterns.append(path("", include("boards.urls")))

handler500 = "catalog.api.errors.server_error"

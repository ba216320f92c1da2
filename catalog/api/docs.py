from django.http import HttpResponse
from drf_spectacular.views import SpectacularSwaggerSplitView

from catalog.middleware import CONTENT_SECURITY_POLICY


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI served by us (offline). It injects a <style> element, so this one page allows
    inline styles; scripts stay same-origin only."""

    def finalize_response(self, request, response, *args, **kwargs) -> HttpResponse:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "style-src 'self'", "style-src 'self' 'unsafe-inline'"
        )
        return response

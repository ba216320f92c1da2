"""Teach drf-spectacular our authentication classes (imported from catalog.apps.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "catalog.api.auth.BearerTokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (Settings, or manage.py create_access_token).",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "catalog.api.auth.CsrfSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}

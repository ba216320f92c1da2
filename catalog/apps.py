from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "catalog project"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from catalog.api import schema_extensions  # noqa: F401 - registers the schema extensions
        from catalog.response_cache import watch_writes

        connection_created.connect(watch_writes, dispatch_uid="response-cache-watch-writes")

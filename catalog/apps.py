from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "catalog project"

    def ready(self) -> None:
        from catalog.api import schema_extensions  # noqa: F401 - registers the schema extensions

import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class Command(BaseCommand):
    help = "Check that the database and, with REDIS_URL, the broker answer; one line if not."
    requires_system_checks = []

    def handle(self, *args, **options) -> None:
        try:
            connection.ensure_connection()
        except Exception as exc:  # any driver error: the point is one readable line
            raise CommandError(
                f"cannot reach the database (DATABASE_URL): {_first_line(exc)}"
            ) from None
        if settings.REDIS_URL:
            client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
            try:
                client.ping()
            except redis.RedisError as exc:
                raise CommandError(f"cannot reach Redis (REDIS_URL): {_first_line(exc)}") from None
            finally:
                client.close()
        self.stdout.write("Settings, database and broker are ready.", self.style.SUCCESS)

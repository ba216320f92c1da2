from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from catalog.search_index import SearchConfigMissing, search_index_rebuild


class Command(BaseCommand):
    help = (
        "Re-install the search triggers with the current SEARCH_CONFIG and recompute every "
        "pin's and board's search vector (PostgreSQL; needed after changing SEARCH_CONFIG)."
    )

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write("Nothing to do: search keeps no index on this database.")
            return
        try:
            done = search_index_rebuild(progress=self.stdout.write)
        except SearchConfigMissing as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Reindexed {done['pins_pin']} pins and {done['boards_board']} boards "
            f"with {settings.SEARCH_CONFIG!r}."
        )

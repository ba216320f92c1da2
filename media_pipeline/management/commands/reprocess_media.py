import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from media_pipeline.models import MediaRecord
from media_pipeline.services import media_reprocess


class Command(BaseCommand):
    help = "Make renditions again from the originals, e.g. after sizes or encoders change."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="Every media record.")
        which.add_argument("--failed", action="store_true", help="Records that failed.")
        which.add_argument("ids", nargs="*", type=int, default=[], help="Media ids.")

    def handle(self, *args, all: bool, failed: bool, ids: list[int], **options) -> None:
        if all:
            selected = MediaRecord.objects.all()
        elif failed:
            selected = MediaRecord.objects.filter(status=MediaRecord.Status.FAILED)
        else:
            selected = MediaRecord.objects.filter(pk__in=ids)
            missing = set(ids) - set(selected.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"no media with id {', '.join(map(str, sorted(missing)))}")
        media_ids = list(selected.order_by("pk").values_list("pk", flat=True))
        outcome = {"ready": 0, "failed": 0}
        started = time.monotonic()
        for done, media_id in enumerate(media_ids, start=1):
            media = media_reprocess(media_id=media_id)
            if media is not None:
                outcome["ready" if media.status == MediaRecord.Status.READY else "failed"] += 1
            self._progress(done, len(media_ids), started)
        self.stdout.write(
            f"Reprocessed {len(media_ids)} media: {outcome['ready']} ready, "
            f"{outcome['failed']} failed."
        )

    def _progress(self, done: int, total: int, started: float) -> None:
        width = 30
        filled = width * done // total
        rate = done / max(time.monotonic() - started, 1e-6)
        bar = "#" * filled + "." * (width - filled)
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r[{bar}] {done}/{total} {rate:.1f}/s{end}")
        sys.stderr.flush()

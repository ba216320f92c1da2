import pytest

from media_pipeline.models import MediaRecord
from media_pipeline.services import media_create
from media_pipeline.tasks import process_media_task, unavailable_countdown
from tests.images import jpeg_bytes


def test_waiting_for_the_database_or_disk_backs_off_to_a_minute_then_stops():
    countdowns = [unavailable_countdown(retries) for retries in range(12)]
    assert countdowns == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60, None, None]


@pytest.mark.django_db
def test_a_task_run_in_process_leaves_media_that_met_a_full_disk_queued_not_failed(
    user, small_disk, settings
):
    settings.MEDIA_MAX_ATTEMPTS = 1
    media = media_create(owner=user, upload=jpeg_bytes(800, 600))
    result = process_media_task.delay(media.pk)
    media.refresh_from_db()
    assert result.failed()
    assert (media.status, media.attempts) == (MediaRecord.Status.QUEUED, 0)
    assert media.renditions.count() == 0

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from media_pipeline.services import (
    TransientMediaError,
    media_fail,
    media_make_avif,
    media_process,
    media_sweep_stuck,
)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def process_media_task(self, media_id: int) -> None:
    try:
        media_process(media_id=media_id)
    except (TransientMediaError, SoftTimeLimitExceeded) as exc:
        if isinstance(exc, SoftTimeLimitExceeded):
            reason = f"processing took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} s"
        else:
            reason = str(exc)
        # A poison image fails every time: stop after MEDIA_MAX_ATTEMPTS with the last reason.
        if self.request.retries + 1 >= settings.MEDIA_MAX_ATTEMPTS:
            media_fail(media_id=media_id, error=reason)
            return
        raise self.retry(countdown=2**self.request.retries) from exc


@shared_task(acks_late=True, reject_on_worker_lost=True)
def make_avif_task(media_id: int) -> None:
    media_make_avif(media_id=media_id)


@shared_task
def sweep_stuck_media_task() -> int:
    return len(media_sweep_stuck())

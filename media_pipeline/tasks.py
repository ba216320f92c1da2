from typing import NoReturn

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from media_pipeline.services import (
    MediaStorageFull,
    TransientMediaError,
    media_fail,
    media_make_avif,
    media_process,
    media_sweep_stuck,
)

# The database restarting or the disk filling up says nothing about the image: rather than fail
# it, the task waits, backing off to at most a minute (a message held past the broker's visibility
# timeout would be delivered twice). What is still queued after the last retry is the sweeper's.
UNAVAILABLE = (MediaStorageFull, OperationalError, InterfaceError)
UNAVAILABLE_RETRIES = 10
UNAVAILABLE_BACKOFF_CAP_SECONDS = 60


def unavailable_countdown(retries: int) -> int | None:
    """Seconds to wait before retrying a task that the database or storage has failed `retries`
    times already, or None once it has waited long enough (about five minutes in all)."""
    if retries >= UNAVAILABLE_RETRIES:
        return None
    return min(2**retries, UNAVAILABLE_BACKOFF_CAP_SECONDS)


def _retry_when_available(task: Task, exc: Exception) -> NoReturn:
    countdown = unavailable_countdown(task.request.retries)
    # In-process, a retry would run at once, inside the request that queued the task.
    if task.request.is_eager or countdown is None:
        raise exc
    raise task.retry(exc=exc, countdown=countdown)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def process_media_task(self, media_id: int) -> None:
    try:
        media_process(media_id=media_id)
    except UNAVAILABLE as exc:
        _retry_when_available(self, exc)
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


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def make_avif_task(self, media_id: int) -> None:
    try:
        media_make_avif(media_id=media_id)
    except UNAVAILABLE as exc:
        _retry_when_available(self, exc)


@shared_task
def sweep_stuck_media_task() -> int:
    return len(media_sweep_stuck())

from celery import shared_task

from media_pipeline.services import (
    TransientMediaError,
    media_fail,
    media_process,
    media_sweep_stuck,
)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def process_media_task(self, media_id: int) -> None:
    try:
        media_process(media_id=media_id)
    except TransientMediaError as exc:
        if self.request.retries >= self.max_retries:
            media_fail(media_id=media_id, error=str(exc))
            return
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc


@shared_task
def sweep_stuck_media_task() -> int:
    return len(media_sweep_stuck())

import pytest
from django.core.management import CommandError, call_command

from media_pipeline.models import MediaRecord, Rendition
from tests.factories import MediaFactory

pytestmark = pytest.mark.django_db


def test_reprocessing_failed_media_finishes_them(user, capsys):
    media = MediaFactory(owner=user, process=False)
    MediaRecord.objects.filter(pk=media.pk).update(status="failed", error="disk full", attempts=5)
    call_command("reprocess_media", "--failed")
    media.refresh_from_db()
    assert (media.status, media.error, media.attempts) == ("ready", "", 1)
    captured = capsys.readouterr()
    assert "Reprocessed 1 media: 1 ready, 0 failed." in captured.out
    assert "1/1" in captured.err


def test_reprocessing_everything_restores_missing_renditions(user):
    first, second = MediaFactory(owner=user), MediaFactory(owner=user)
    Rendition.objects.filter(media=first, name="474x").delete()
    call_command("reprocess_media", "--all")
    assert Rendition.objects.filter(media=first).count() == 14
    assert Rendition.objects.filter(media=second).count() == 14


def test_unknown_ids_are_named_in_one_line(user):
    media = MediaFactory(owner=user)
    with pytest.raises(CommandError, match="no media with id 999999"):
        call_command("reprocess_media", str(media.pk), "999999")


def test_one_of_all_failed_or_ids_is_required():
    with pytest.raises(CommandError):
        call_command("reprocess_media")

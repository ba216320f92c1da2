"""Grid cards are rendered once per version and reused (pins/cards.py): never stale, cheaper."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from media_pipeline.models import MediaRecord
from media_pipeline.services import media_process
from pins.services import pin_update
from tests.factories import MediaFactory, PinFactory


def _rendition_queries(captured: CaptureQueriesContext) -> int:
    return sum("media_pipeline_rendition" in query["sql"] for query in captured.captured_queries)


def test_a_page_seen_again_reuses_its_cards_without_loading_renditions(client, board):
    for n in range(3):
        PinFactory(board=board, title=f"card {n}")
    with CaptureQueriesContext(connection) as first:
        first_html = client.get("/").content.decode()
    with CaptureQueriesContext(connection) as second:
        second_html = client.get("/").content.decode()
    assert _rendition_queries(first) == 1
    assert _rendition_queries(second) == 0
    assert first_html == second_html
    assert all(f"card {n}" in second_html for n in range(3))


def test_an_edited_pin_shows_its_new_title_at_once(client, user, pin):
    old_title = pin.title
    assert old_title in client.get("/").content.decode()
    pin_update(pin=pin, user=user, title="A better title")
    html = client.get("/").content.decode()
    assert "A better title" in html
    assert old_title not in html


def test_a_card_shows_the_image_once_the_pipeline_has_made_it(client, user, board):
    media = MediaFactory(owner=user, process=False)
    PinFactory(board=board, media=media, title="still processing")
    assert "Processing…" in client.get("/").content.decode()
    media_process(media_id=media.pk)
    assert MediaRecord.objects.get(pk=media.pk).status == MediaRecord.Status.READY
    html = client.get("/").content.decode()
    assert "Processing…" not in html
    assert "<picture>" in html


def test_signed_in_and_anonymous_visitors_get_their_own_save_control(client, user, pin):
    anonymous = client.get("/").content.decode()
    client.force_login(user)
    signed_in = client.get("/?all=1").content.decode()
    assert 'class="card-save" href="/accounts/login/' in anonymous
    assert '<form class="card-save"' in signed_in
    assert '<form class="card-save"' not in anonymous

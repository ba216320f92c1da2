import io
import random

import pytest
from django.core.management import call_command
from PIL import Image

from boards.models import Board
from media_pipeline.models import MediaRecord
from pins.demo import demo_image
from pins.models import Pin

pytestmark = pytest.mark.django_db


def test_demo_content_goes_through_the_real_pipeline_once(
    capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--pins", "8")
    assert (
        "Created demo content: 6 boards, 8 pins (log in as demo / demo)." in capsys.readouterr().out
    )
    assert Pin.objects.filter(owner__username="demo").count() == 8
    assert set(MediaRecord.objects.values_list("status", flat=True)) == {"ready"}
    assert Board.objects.filter(privacy="SECRET").count() == 1
    pins_before = Pin.objects.count()
    call_command("seed_demo", "--pins", "8")
    assert "already present" in capsys.readouterr().out
    assert Pin.objects.count() == pins_before


def test_the_demo_neighbour_saves_demo_pins_and_is_followed(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--pins", "30")

    saves = Pin.objects.filter(owner__username="ada")
    assert saves.exists()
    assert not saves.filter(parent_pin__isnull=True).exists()
    assert not saves.filter(parent_pin__board__privacy="SECRET").exists()
    client.login(username="demo", password="demo")
    feed = client.get("/").content.decode()
    saved = saves.order_by("-pk").first()
    assert f'href="/pin/{saved.pk}/"' in feed


def test_the_demo_login_works(client):
    call_command("seed_demo", "--pins", "1")
    assert client.login(username="demo", password="demo")


def test_demo_images_vary_in_shape_and_colour():
    rng = random.Random(1)
    images = [Image.open(io.BytesIO(demo_image(rng, long_side=90))) for _ in range(12)]
    assert len({image.size for image in images}) >= 4
    assert len({image.getpixel((0, 0)) for image in images}) >= 10


def test_seed_demo_refuses_a_silly_count():
    with pytest.raises(SystemExit) as caught:
        call_command("seed_demo", "--pins", "0")
    assert caught.value.code == 2

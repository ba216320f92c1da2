"""`manage.py generate_catalog`: a skewed synthetic catalog that the real app can show."""

import io
import os
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from PIL import Image

from accounts.models import User
from boards.models import Board, BoardSection
from catalog.synthetic import BENCH_PASSWORD, BENCH_USERNAME
from media_pipeline import imaging
from media_pipeline.colors import hex_to_oklab
from media_pipeline.models import MediaRecord, Rendition
from pins.models import Pin
from tests.factories import BoardFactory

ROOT = Path(__file__).resolve().parents[2]


def generate(*, pins: int = 400, users: int = 30, boards: int = 60, **more: object) -> None:
    extra = [f"--{name.replace('_', '-')}={value}" for name, value in more.items()]
    call_command(
        "generate_catalog",
        f"--pins={pins}",
        f"--users={users}",
        f"--boards={boards}",
        *extra,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


@pytest.fixture
def catalog(db):
    generate(seed=3)


def test_the_catalog_has_the_pins_users_and_boards_asked_for(catalog):
    media = MediaRecord.objects.count()

    assert Pin.objects.count() == 400
    assert User.objects.count() == 31  # and the benchmark login
    assert Board.objects.count() == 60
    assert media == Pin.objects.filter(parent_pin__isnull=True).count()
    assert Rendition.objects.count() == media * 2 * len(imaging.RENDITIONS)
    assert not MediaRecord.objects.exclude(status=MediaRecord.Status.READY).exists()
    assert 0.30 <= Pin.objects.filter(parent_pin__isnull=False).count() / 400 <= 0.40


def test_a_few_boards_hold_most_pins(catalog):
    sizes = sorted(Counter(Pin.objects.values_list("board_id", flat=True)).values())

    assert sizes[-1] > 5 * statistics.median(sizes)


def test_saves_share_their_parents_media_on_another_board_of_their_owner(catalog):
    saves = list(Pin.objects.filter(parent_pin__isnull=False).select_related("parent_pin", "board"))
    popularity = Counter(save.parent_pin_id for save in saves)

    assert saves
    for save in saves:
        assert save.media_id == save.parent_pin.media_id
        assert save.board_id != save.parent_pin.board_id
        assert save.owner_id == save.board.owner_id
        assert save.created_at >= save.parent_pin.created_at
        assert save.id > save.parent_pin_id
    assert len({(save.board_id, save.parent_pin_id) for save in saves}) == len(saves)
    assert popularity.most_common(1)[0][1] >= 5 * statistics.median(popularity.values())


def test_pins_on_boards_with_sections_use_that_boards_sections(catalog):
    placed = Pin.objects.filter(section__isnull=False).select_related("section")

    assert BoardSection.objects.exists()
    assert placed.exists()
    assert all(pin.section.board_id == pin.board_id for pin in placed)


@pytest.mark.django_db
def test_about_the_secret_share_of_boards_is_secret():
    generate(boards=200, secret_share=0.3)

    secret = Board.objects.filter(privacy=Board.Privacy.SECRET).count()

    assert 0.2 <= secret / 200 <= 0.4


def test_colour_fields_are_the_oklab_of_the_dominant_colour(catalog):
    media = list(MediaRecord.objects.all())

    assert len({m.dominant_color for m in media}) > len(media) // 2
    for record in media:
        expected = hex_to_oklab(record.dominant_color)
        assert record.color_l == pytest.approx(expected.l, abs=1e-9)
        assert record.color_a == pytest.approx(expected.a, abs=1e-9)
        assert record.color_b == pytest.approx(expected.b, abs=1e-9)


def test_some_images_are_near_duplicates_a_few_bits_apart(catalog):
    hashes = list(MediaRecord.objects.values_list("phash", flat=True))
    unique_hashes = set(hashes)
    close = sum(
        1
        for i, first in enumerate(hashes)
        for second in hashes[i + 1 :]
        if 0 < imaging.hamming_distance(first & (2**64 - 1), second & (2**64 - 1)) <= 5
    )

    assert len(unique_hashes) > 0.9 * len(hashes)
    assert close >= 3


def test_renditions_are_real_image_files_of_their_recorded_size(catalog):
    storage = storages["default"]
    # The files are shared by many rows: each distinct one is opened once.
    files = {r.file.name: r for r in Rendition.objects.all()}.values()
    assert len(files) >= 2 * len(imaging.RENDITIONS)
    for rendition in files:
        with storage.open(rendition.file.name) as handle, Image.open(handle) as image:
            assert image.size == (rendition.width, rendition.height)
            assert image.format == rendition.format


def test_only_the_benchmark_user_can_log_in_and_it_has_recent_saves(catalog, client):
    bench = User.objects.get(username=BENCH_USERNAME)
    newest = Pin.objects.order_by("-id")[:50]

    assert client.login(username=BENCH_USERNAME, password=BENCH_PASSWORD)
    assert not User.objects.exclude(pk=bench.pk).filter(password__regex=r"^[^!]").exists()
    assert Board.objects.filter(owner=bench).exists()
    assert Pin.objects.filter(owner=bench, parent_pin__isnull=False).exists()
    assert any(pin.owner_id == bench.pk for pin in newest)


def test_generating_again_adds_after_the_existing_rows(catalog):
    first_max = Pin.objects.order_by("-id").values_list("id", flat=True).first()

    generate(pins=100, users=5, boards=10, seed=4)
    board = BoardFactory()
    created = Pin.objects.create(
        board=board, owner=board.owner, media=MediaRecord.objects.first(), title="By hand"
    )

    assert Pin.objects.count() == 501
    assert User.objects.filter(username=BENCH_USERNAME).count() == 1
    assert Pin.objects.filter(id__gt=first_max).count() == 101
    assert created.id == Pin.objects.order_by("-id").values_list("id", flat=True).first()


@pytest.mark.django_db
def test_follows_match_the_counters_when_the_follows_app_is_installed():
    from django.apps import apps

    if not apps.is_installed("follows"):
        pytest.skip("no follows app")
    from follows.models import BoardFollow, UserFollow

    generate(seed=5)
    user = User.objects.order_by("-follower_count").first()

    assert UserFollow.objects.exists()
    assert user.follower_count == UserFollow.objects.filter(followee=user).count()
    assert user.following_count == UserFollow.objects.filter(follower=user).count()
    assert not BoardFollow.objects.filter(board__privacy=Board.Privacy.SECRET).exists()
    assert not UserFollow.objects.filter(follower_id=F("followee_id")).exists()


@pytest.mark.django_db
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only"
)
def test_postgresql_loads_rows_with_copy_not_inserts():
    with CaptureQueriesContext(connection) as queries:
        generate(pins=300)

    statements = " ".join(query["sql"] for query in queries.captured_queries)
    assert Pin.objects.count() == 300
    assert "INSERT" not in statements.upper()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'pins_pin' AND column_name = 'search_vector'"
        )
        if cursor.fetchone():
            # The search triggers fire on COPY as they do on INSERT.
            cursor.execute("SELECT count(*) FROM pins_pin WHERE search_vector IS NULL")
            assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--pins=0", "--users=1", "--boards=1"], "argument --pins: '0' is not a positive integer"),
        (["--pins=-3", "--users=1", "--boards=1"], "--pins"),
        (["--pins=many", "--users=1", "--boards=1"], "--pins"),
        (["--pins=10", "--boards=1"], "the following arguments are required: --users"),
        (["--pins=10", "--users=1", "--boards=1", "--secret-share=2"], "--secret-share"),
    ],
)
def test_bad_arguments_stop_with_one_line(capsys, arguments, message):
    with pytest.raises(SystemExit) as stopped:
        call_command("generate_catalog", *arguments)

    lines = capsys.readouterr().err.strip().splitlines()
    assert stopped.value.code != 0
    assert len(lines) == 1
    assert message in lines[0]


def test_bad_arguments_exit_non_zero_from_the_shell():
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "manage.py", "generate_catalog", "--pins=0", "--users=1", "--boards=1"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "generate_catalog: argument --pins: '0' is not a positive integer"
    ]

import os

import pytest

from catalog.celery import app as celery_app
from catalog.response_cache import generation_bump
from catalog.versioned_cache import clear_versioned_caches
from tests.factories import (
    BLUE,
    CRIMSON,
    ORANGE,
    PASSWORD,
    PURE_RED,
    BoardFactory,
    PinFactory,
    UserFactory,
    painted_pin,
)


@pytest.fixture(autouse=True)
def media_storage(settings, tmp_path):
    """Every test writes its originals and renditions under its own temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ORIGINALS_ROOT = tmp_path / "originals"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": settings.MEDIA_ROOT, "base_url": settings.MEDIA_URL},
        },
        "originals": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": settings.ORIGINALS_ROOT, "base_url": None},
        },
    }
    return tmp_path


@pytest.fixture(autouse=True)
def fast_password_hashing(request, settings):
    """Slow hashing proves nothing in tests; processes a test starts need the real hasher."""
    if not request.node.get_closest_marker("worker"):
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def cards_rendered_in_this_test():
    """Cards are kept per process by what they show (pins/cards.py); a test starts with none, so
    what it sees was rendered from its own rows and settings."""
    clear_versioned_caches()


@pytest.fixture(autouse=True)
def responses_kept_in_this_test():
    """Pages and API reads are kept whole until the next write (catalog/response_cache.py); a
    test starts a new generation, so none kept for an earlier test's rows is sent."""
    generation_bump()


@pytest.fixture(autouse=True)
def related_graph_from_this_test(settings):
    """Related pins walk a graph of this test's rows, rebuilt in the test's own transaction: no
    snapshot from an earlier test, and no background refresh thread holding a connection."""
    settings.RELATED_GRAPH_REFRESH_SECONDS = 0


@pytest.fixture(autouse=True)
def tasks_in_process(request):
    """Tasks run in-process (the embedded default) unless a test drives a real worker."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def pytest_collection_modifyitems(config, items):
    needs = "worker tests need DATABASE_URL (PostgreSQL) and REDIS_URL; .ci/run sets both"
    missing = not (
        os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")
    )
    for item in items:
        if missing and item.get_closest_marker("worker"):
            item.add_marker(pytest.mark.skip(reason=needs))


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def board(user):
    return BoardFactory(owner=user)


@pytest.fixture
def secret_board(user):
    return BoardFactory(owner=user, privacy="SECRET")


@pytest.fixture
def pin(board):
    return PinFactory(board=board)


@pytest.fixture
def secret_pin(secret_board):
    return PinFactory(board=secret_board)


@pytest.fixture
def rainbow(board):
    """Pins painted blue, pure red, orange and crimson, in that order (crimson is newest)."""
    return {
        name: painted_pin(board, rgb, title=f"{name} pin")
        for name, rgb in [
            ("blue", BLUE),
            ("pure_red", PURE_RED),
            ("orange", ORANGE),
            ("crimson", CRIMSON),
        ]
    }

import pytest
from django.db import connection

from boards.models import Board
from media_pipeline.models import MediaRecord
from pins.models import Pin
from tests.factories import MediaFactory, PinFactory

# Stemming, ranking, stop words and the stored vectors exist only on PostgreSQL; CI runs these
# there (DATABASE_URL), and the embedded SQLite default has its own, plainer tests.
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="full-text search (stemming, ranking, triggers) needs PostgreSQL: set DATABASE_URL",
)
sqlite_only = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the embedded default's plain word match"
)


@pytest.fixture
def image(user) -> MediaRecord:
    """One small processed image the pins of a test share (search is about their text)."""
    return MediaFactory(owner=user, width=64, height=48)


@pytest.fixture
def make_pin(image):
    def make(board: Board, title: str = "", **fields: str) -> Pin:
        return PinFactory(board=board, media=image, title=title, **fields)

    return make

import pytest
from django.core.files.storage import storages

from tests.media_pipeline.small_disk import SmallDiskStorage

# Room for the first few renditions of a small image, not for all of them.
SMALL_DISK_BYTES = 5_000


@pytest.fixture
def small_disk(settings) -> SmallDiskStorage:
    """Renditions go to a disk too small for all of them; the storage, to free space on it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tests.media_pipeline.small_disk.SmallDiskStorage",
            "OPTIONS": {"capacity": SMALL_DISK_BYTES},
        },
    }
    return storages["default"]

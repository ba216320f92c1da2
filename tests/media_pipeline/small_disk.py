"""A storage for renditions that fills up: files kept in memory, on a 'disk' of a set size."""

import errno
import os

from django.core.files.base import File
from django.core.files.storage import InMemoryStorage


class SmallDiskStorage(InMemoryStorage):
    """Past `capacity` bytes, a save fails with ENOSPC, as on a full file system; raise
    `capacity` to free space."""

    def __init__(self, *, capacity: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.capacity = capacity
        self.used = 0

    def _save(self, name: str, content: File) -> str:
        if self.used + content.size > self.capacity:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)
        self.used += content.size
        return super()._save(name, content)

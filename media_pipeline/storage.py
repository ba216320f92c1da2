"""Where media bytes live. Paths are content-addressed, so a file never changes once written."""

import errno
import hashlib
import os
import tempfile

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages


def originals_storage() -> Storage:
    return storages["originals"]


def renditions_storage() -> Storage:
    return storages["default"]


# The file system is out of room, or the user of its quota: nothing wrong with what was written,
# and the same write succeeds once space is freed.
_OUT_OF_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_out_of_space(error: OSError) -> bool:
    return error.errno in _OUT_OF_SPACE


def content_path(prefix: str, data: bytes, extension: str) -> str:
    """`prefix/ab/cd/ef/<sha256>.ext`: unguessable, immutable, spread over directories."""
    digest = hashlib.sha256(data).hexdigest()
    return f"{prefix}/{digest[0:2]}/{digest[2:4]}/{digest[4:6]}/{digest}.{extension}"


def save_immutable(storage: Storage, name: str, data: bytes) -> str:
    """Write `data` at `name` unless it is already there; no reader ever sees a partial file."""
    if storage.exists(name):
        return name
    if isinstance(storage, FileSystemStorage):
        final_path = storage.path(name)
        os.makedirs(os.path.dirname(final_path), exist_ok=True)
        descriptor, temporary_path = tempfile.mkstemp(
            dir=os.path.dirname(final_path), suffix=".part"
        )
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            os.chmod(temporary_path, 0o644)
            os.replace(temporary_path, final_path)
        except BaseException:
            if os.path.exists(temporary_path):
                os.unlink(temporary_path)
            raise
        return name
    # Object stores write whole objects, so a partial file is never visible there.
    return storage.save(name, ContentFile(data))

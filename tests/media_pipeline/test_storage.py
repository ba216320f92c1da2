import errno

import pytest

from media_pipeline.storage import is_out_of_space


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_or_quota_is_out_of_space(code):
    assert is_out_of_space(OSError(code, "full"))


@pytest.mark.parametrize("code", [errno.EACCES, errno.EIO, errno.EROFS, None])
def test_other_write_errors_are_not_out_of_space(code):
    assert not is_out_of_space(OSError(code, "failed"))

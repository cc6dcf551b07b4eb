# -*- coding: utf-8 -*-
"""The private directory: made 0700, and refused unless it is this user's alone."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import stat

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent import directory


def test_the_directory_is_created_private(short_dir):
    path = os.path.join(short_dir, 'sub', 'pc')
    assert directory.private_directory(path) == path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700


@pytest.mark.parametrize('problem, prepare, message', [
    ('open to the group', lambda path: os.chmod(path, 0o750), 'is open to other users (mode 750)'),
    ('open to all', lambda path: os.chmod(path, 0o777), 'is open to other users (mode 777)'),
    ('a file', lambda path: (os.rmdir(path), open(path, 'w').close()), 'cannot be used: File exists'),
    ('another owner', lambda path: os.chown(path, 65534, 65534), 'belongs to another user'),
])
def test_an_unsafe_directory_is_refused_naming_the_option(short_dir, problem, prepare, message):
    if problem == 'another owner' and os.geteuid() != 0:
        pytest.skip('only root can give a directory away')
    path = os.path.join(short_dir, 'pc')
    os.mkdir(path, 0o700)
    prepare(path)
    with pytest.raises(directory.UnsafeDirectory) as caught:
        directory.private_directory(path)
    assert str(caught.value).startswith('persistent_dir %s ' % path)
    assert message in str(caught.value)

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The private directory that outlives a module run: the persistent helper's socket, and the modules' compiled code.

What is in it is trusted (a socket that serves the run's calls, code the run executes), so it is used only when it is
a directory of this user closed to everyone else. Standard library only: ``_ansible/code_cache.py`` checks it before
any other code of the collection is imported.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

DEFAULT_DIR = '~/.ansible/heat_rpc'
DIR_VARIABLE = 'HEAT_RPC_PERSISTENT_DIR'


class UnsafeDirectory(Exception):
    """The directory cannot be made, or is not this user's alone."""


def private_directory(path):
    """``path`` (created 0700 if missing), refused unless it is a directory of this user closed to others.

    A path that exists and is not a directory fails in makedirs (it exists, and is not one).
    """
    path = os.path.expanduser(path)
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.stat(path)
    except OSError as exc:
        raise UnsafeDirectory('persistent_dir %s cannot be used: %s' % (path, exc.strerror or exc))
    if info.st_uid != os.geteuid():
        raise UnsafeDirectory('persistent_dir %s belongs to another user' % path)
    if info.st_mode & 0o077:
        raise UnsafeDirectory('persistent_dir %s is open to other users (mode %o); it must be 0700'
                              % (path, stat.S_IMODE(info.st_mode)))
    return path

# -*- coding: utf-8 -*-
"""Finding the persistent helper processes of one persistent_dir, for the tests and the benchmarks.

A helper is a process whose command line runs ``launch.run_helper`` (the helper's entry, in
``_rpc/persistent/launch.py``) and that holds a Unix socket bound in the directory (as /proc/net/unix
lists it); an ended helper holds none.
"""

import os

HELPER_MARK = b'launch.run_helper'


def socket_inodes_bound_in(directory):
    """Inodes ('socket:[N]' as /proc/<pid>/fd links show them) of the Unix sockets bound in ``directory``."""
    prefix = os.path.join(directory, '')
    inodes = set()
    with open('/proc/net/unix') as handle:
        next(handle)
        for line in handle:
            fields = line.split()
            if len(fields) >= 8 and fields[7].startswith(prefix):
                inodes.add('socket:[%s]' % fields[6])
    return inodes


def helper_pids(directory):
    """The live helpers of ``directory``, sorted."""
    inodes = socket_inodes_bound_in(directory)
    pids = []
    for entry in os.listdir('/proc') if inodes else ():
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % entry, 'rb') as handle:
                if HELPER_MARK not in handle.read():
                    continue
            fds = os.listdir('/proc/%s/fd' % entry)
            if any(os.readlink('/proc/%s/fd/%s' % (entry, fd)) in inodes for fd in fds):
                pids.append(int(entry))
        except OSError:  # the process ended meanwhile
            continue
    return sorted(pids)


def process_state(pid):
    """The one-letter state of process ``pid`` ('Z' for a zombie), or None when it is gone."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[1].split()[0]
    except (OSError, IndexError):
        return None

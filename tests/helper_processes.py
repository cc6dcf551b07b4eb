# -*- coding: utf-8 -*-
"""Finding, watching and ending the persistent helper processes of one persistent_dir, for the tests and
the benchmarks.

A helper is a process whose command line runs ``launch.run_helper`` (the helper's entry, in
``_rpc/persistent/launch.py``) and that holds a Unix socket bound in the directory (as /proc/net/unix
lists it); an ended helper holds none.
"""

import os
import signal
import threading
import time

HELPER_MARK = b'launch.run_helper'
# What a module run warns when it could not use the helper and connected itself (client.PersistentConnection).
FALLBACK_WARNING = 'persistent: this run connected to the broker itself: '
# 'heat-rpc-<24 hex>.sock' after the directory; AF_UNIX paths end at 107 bytes.
SOCKET_NAME_LENGTH = len('/heat-rpc-%s.sock' % ('0' * 24))
MAX_SOCKET_PATH = 100
# A generous bound for a helper to exit once its socket file is gone (it looks every second when idle).
HELPER_EXIT_WAIT = 20


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


def socket_files(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith('.sock')) if os.path.isdir(directory) else []


def wait_until(condition, timeout, interval=0.1):
    """True as soon as ``condition()`` is, False if it still is not after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


def end_helpers(directory):
    """Delete the helpers' socket files (an idle helper then exits within a second); kill any that stay."""
    for name in socket_files(directory):
        os.unlink(os.path.join(directory, name))
    if not wait_until(lambda: not helper_pids(directory), HELPER_EXIT_WAIT):
        for pid in helper_pids(directory):
            os.kill(pid, signal.SIGKILL)


class BackgroundSampler:
    """Calls ``sample()`` every ``interval`` seconds in a background thread for as long as a ``with`` block lasts
    (while a play runs); a sampler may be entered again."""

    def __init__(self, interval):
        self.interval = interval
        self._stop = threading.Event()
        self._thread = None

    def sample(self):
        raise NotImplementedError

    def __enter__(self):
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return


class HelperWatch(BackgroundSampler):
    """Samples the helpers and socket files of ``directory`` in the background (while a play runs)."""

    def __init__(self, directory, interval=0.2):
        super().__init__(interval)
        self.directory = directory
        self.samples = []

    def sample(self):
        self.samples.append((tuple(helper_pids(self.directory)), tuple(socket_files(self.directory))))

    @property
    def pids(self):
        return sorted(set(pid for pids, _files in self.samples for pid in pids))

    @property
    def most_at_once(self):
        """The most helpers, and the most socket files, seen in any one sample."""
        return (max((len(pids) for pids, _files in self.samples), default=0),
                max((len(files) for _pids, files in self.samples), default=0))

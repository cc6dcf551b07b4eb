# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where a persistent helper lives and how a run starts one.

The helper key (the settings a helper serves, this user, this Python and this code), the private
directory and the socket path in it, the start lock (one starter at a time per directory), and the
start itself: fork and exec of a fresh interpreter in a new session, sent only its settings over a
pipe, with only what Python, the locale and TLS need of the run's environment.

The fresh interpreter imports the helper's code from the run's own module payload (the run's
``sys.path``): ``run_helper`` below imports ``server.py``, and that import is also what puts
``server.py`` in every module's AnsiballZ payload (AnsiballZ bundles each module_util named by an
import statement in the code a module imports, an import inside a function included).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import hashlib
import importlib.util
import json
import os
import select
import signal
import socket
import sys
import time
import zipimport

from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent import directory
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent.wire import PROTOCOL
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import TLS_FILES

# Seconds a new helper gets to start, import oslo.messaging and listen before the run connects in process.
START_TIMEOUT = 30.0
# After a helper failed to start, runs with the same settings connect themselves for this long before one tries
# again: a start that fails (or hangs for START_TIMEOUT) is not paid by every task of a play.
START_BACKOFF = 120.0
START_LOCK = 'heat-rpc-start.lock'
# What a helper is started with: a fresh interpreter, its configuration on stdin, and of the run's
# environment only what Python, the locale and TLS need.
HELPER_BOOTSTRAP = ('import json, sys; config = json.loads(sys.stdin.readline()); sys.path[:0] = config["sys_path"]; '
                    'from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent import launch; '
                    'launch.run_helper(config)')
HELPER_ENVIRONMENT = ('PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR', 'SSL_CERT_FILE', 'SSL_CERT_DIR')
# The module_utils a helper runs; their source is part of the key, so a changed collection gets a new helper.
_HELPER_CODE = ('errors', '_rpc.api_versions', '_rpc.redaction', '_rpc.settings', '_rpc.transport',
                '_rpc.persistent.wire', '_rpc.persistent.directory', '_rpc.persistent.launch', '_rpc.persistent.client',
                '_rpc.persistent.server')
_PACKAGE = 'ansible_collections.heat_rpc.engine.plugins.module_utils'


class HelperUnavailable(Exception):
    """The helper cannot be used, and nothing was handed to it: the run may connect in process."""


# -- where a helper lives --------------------------------------------------------------------------


def source_of(name):
    """The source of module ``name`` (of a package already imported), read and never compiled; None if not found.

    importlib.util.find_spec would give it too, but for a module in a zip (a module run's payload) zipimport's
    find_spec compiles the module to learn its file name, and helper_key reads ten sources on every run.
    """
    module = sys.modules.get(name)
    loader = getattr(getattr(module, '__spec__', None), 'loader', None)
    if loader is not None:
        try:
            return loader.get_source(name)
        except (AttributeError, ImportError, OSError):
            return None
    parent, _dot, tail = name.rpartition('.')
    for entry in getattr(sys.modules.get(parent), '__path__', None) or ():
        try:
            return zipimport.zipimporter(entry).get_source(name)
        except zipimport.ZipImportError:
            pass  # not a zip, or not in it
        except OSError:
            continue
        try:
            with open(os.path.join(entry, tail + '.py'), 'rb') as handle:
                return importlib.util.decode_source(handle.read())
        except OSError:
            continue
    return None


def _code_digest():
    digest = hashlib.sha256()
    for name in _HELPER_CODE:
        source = source_of('%s.%s' % (_PACKAGE, name))
        digest.update((source or name).encode('utf-8'))
    return digest.hexdigest()


def _absolute(path):
    return os.path.abspath(path) if path else path


def helper_key(settings):
    """What one helper serves: the settings it is started with, this user, this Python and this code."""
    fields = dict(helper_settings(settings), protocol=PROTOCOL, code=_code_digest(), python=sys.executable,
                  uid=os.geteuid())
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode('utf-8')).hexdigest()


def private_directory(path):
    """``path`` as directory.private_directory checks it; an unusable one leaves the run to connect itself."""
    try:
        return directory.private_directory(path)
    except directory.UnsafeDirectory as exc:
        raise HelperUnavailable(str(exc))


def socket_path(settings, key):
    return os.path.join(private_directory(settings.persistent_dir), 'heat-rpc-%s.sock' % key[:24])


def helper_settings(settings):
    """The ``connection`` values of ConnectionSettings a helper is started with (and keyed by), TLS files as absolute paths.

    Not the request context (every call brings its own) nor the API cap (each call comes with its version).
    """
    started = dict(settings.connection)
    started.update((name, _absolute(started[name])) for name in TLS_FILES)
    return started


def helper_environment(environ):
    """The helper's environment: what Python, locale and TLS need; none of the run's HEAT_RPC_*, OS_* or other secrets."""
    return dict((name, value) for name, value in environ.items()
                if name in HELPER_ENVIRONMENT or name.startswith(('LC_', 'PYTHON')))


# -- finding or starting the helper ----------------------------------------------------------------


def connect(path, timeout):
    """A connection to the helper at ``path``, or None when no helper listens there."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(path)
    except (FileNotFoundError, ConnectionRefusedError):
        sock.close()
        return None
    except OSError as exc:
        sock.close()
        raise HelperUnavailable('cannot connect to %s: %s' % (path, exc.strerror or exc))
    return sock


def start_and_connect(settings, path, key):
    """Start a helper at ``path`` unless another run just did (one starter at a time per directory), and connect."""
    # One lock for the whole directory (starts are rare): no lock file per set of settings piles up.
    lock_path = os.path.join(os.path.dirname(path), START_LOCK)
    try:
        lock = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise HelperUnavailable('cannot create %s: %s' % (lock_path, exc.strerror))
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sock = connect(path, settings.connect_timeout)
        if sock is None:
            _start_unless_failed_lately(settings, path, key)
            sock = connect(path, settings.connect_timeout)
        if sock is None:
            raise HelperUnavailable('the helper started but does not listen at %s' % path)
        return sock
    finally:
        os.close(lock)


def failed_start_path(path):
    """Where the reason a helper of the socket ``path`` failed to start is kept (its time: the file's)."""
    return path[:-len('.sock')] + '.failed' if path.endswith('.sock') else path + '.failed'


def _start_unless_failed_lately(settings, path, key, now=time.time):
    """Start the helper, unless one of the same settings failed to start less than START_BACKOFF seconds ago."""
    failed = failed_start_path(path)
    try:
        age = now() - os.stat(failed).st_mtime
    except FileNotFoundError:
        age = None
    if age is not None and 0 <= age < START_BACKOFF:
        with open(failed) as handle:
            reason = handle.read().strip()
        raise HelperUnavailable('a helper failed to start %d s ago (%s); the next try is %d s after that'
                                % (age, reason, START_BACKOFF))
    try:
        _start_helper(settings, path, key)
    except HelperUnavailable as exc:
        descriptor = os.open(failed, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, 'w') as handle:
            handle.write(str(exc))
        raise
    if age is not None:
        os.unlink(failed)


def _start_helper(settings, path, key):
    """Start the helper in a new session and wait until it listens (or says why it cannot).

    A fresh interpreter, not a fork of this run: it holds only what it is sent (the connection
    settings, over a pipe) and not this run's parameters, credentials or environment. It imports its
    code from this run's module payload, which stays in place until this run ends, before it says it
    is ready.
    """
    config = {'path': path, 'key': key, 'sys_path': [entry for entry in sys.path if entry],
              'settings': helper_settings(settings)}
    try:
        pid, to_helper, from_helper = _spawn([sys.executable, '-c', HELPER_BOOTSTRAP],
                                             helper_environment(os.environ))
    except OSError as exc:
        raise HelperUnavailable('the helper could not be started: %s' % (exc.strerror or exc))
    try:
        _write_all(to_helper, json.dumps(config).encode('utf-8') + b'\n')
        answer = _read_line(from_helper, START_TIMEOUT)
    except OSError as exc:
        answer = ('E%s' % exc).encode('utf-8')
    finally:
        os.close(to_helper)
        os.close(from_helper)
    if answer is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise HelperUnavailable('the helper did not start within %d s' % START_TIMEOUT)
    if answer[:1] != b'R':
        os.waitpid(pid, 0)
        raise HelperUnavailable('the helper could not start: %s'
                                % (answer[1:].decode('utf-8', 'replace').strip() or 'it ended without a word'))
    # The helper outlives this run, in its own session; when it exits, init reaps it.


def _spawn(argv, env):
    """Run ``argv`` in a new session, cwd /, stdin and stdout on pipes, stderr on /dev/null: (pid, stdin, stdout).

    fork and exec, as ansible's own run_command does underneath (which waits for the command; this one
    must outlive the run). Every other descriptor of this process is non-inheritable and closes on exec.
    """
    stdin_read, stdin_write = os.pipe()
    stdout_read, stdout_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child, until exec
        try:
            os.setsid()
            os.chdir('/')
            os.dup2(stdin_read, 0)
            os.dup2(stdout_write, 1)
            os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)  # pylint: disable=protected-access  # never return into the run's code
    os.close(stdin_read)
    os.close(stdout_write)
    return pid, stdin_write, stdout_read


def _write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


def _read_line(fd, timeout):
    """One line from ``fd`` (up to EOF), or None if it does not come within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    data = b''
    while not data.endswith(b'\n'):
        ready, _unused, _unused = select.select([fd], [], [], max(0, deadline - time.monotonic()))
        if not ready:
            return None
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data


def run_helper(config):  # pragma: no cover - runs in the helper process (the integration tests drive it)
    """What HELPER_BOOTSTRAP runs in the fresh interpreter: the helper's server, imported there only.

    A run never calls this, so it never imports the server (nor, through it, oslo.messaging); the import
    statement is still what AnsiballZ follows to put ``server.py`` in the module's payload.
    """
    from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent.server import helper_main
    helper_main(config)

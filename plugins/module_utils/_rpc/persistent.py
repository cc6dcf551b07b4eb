# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The persistent helper (opt-in, ``persistent: true``): one broker connection kept open between module runs.

A module run normally imports oslo.messaging and opens its own AMQP connections, which is most of what
a short task costs. With ``persistent`` the run instead hands each RPC to a helper process of the same
user, on the same host, over a Unix socket in a private directory (as ``ansible-connection`` keeps
network sessions). The first run that needs the helper starts it (a fresh interpreter, sent only the
connection settings); it keeps oslo.messaging loaded and its transport open, and exits when no run has
used it for ``persistent_idle_timeout`` seconds.

What stays the same: the module run does all the work (templates, comparisons, waiting) and sends the
same calls; the helper only relays them through the in-process EngineConnection and sends back the
result or the typed error. Each run's first call re-checks that the broker accepts connections, as a
run that connects itself does. What the helper cannot know about a call it may have sent is reported
as for a lost broker: a write is ``outcome_unknown``; a read is retried in this process.

One helper serves one set of connection settings (URL, exchange, topic, timeouts, TLS files) for one
user and one Python; the request context travels with every call, never in a file or on a command line.
Anything that keeps the helper from being used before a call was handed over (a directory open to
other users, a socket path too long, a helper that does not start or answer) makes the run connect in
its own process, with a warning saying why.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import hashlib
import importlib.util
import json
import os
import select
import signal
import socket
import stat
import struct
import sys
import threading
import time

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import (
    DEADLINE_GRACE, ConnectionSettings, context_dict,
)

# Bumped whenever a request or reply changes shape; part of the helper's key, so runs of a newer
# collection never talk to an older helper.
PROTOCOL = 1
FRAME_HEADER = struct.Struct('!I')
MAX_FRAME = 256 * 1024 * 1024
# Seconds a new helper gets to start, import oslo.messaging and listen before the run connects in process.
START_TIMEOUT = 30.0
# Seconds on top of the helper's own deadline (connect_timeout + timeout + grace) before a run stops
# waiting for its answer.
ANSWER_GRACE = 3.0
START_LOCK = 'heat-rpc-start.lock'
# What a helper is started with: a fresh interpreter, its configuration on stdin, and of the run's
# environment only what Python, the locale and TLS need.
HELPER_BOOTSTRAP = ('import json, sys; config = json.loads(sys.stdin.readline()); sys.path[:0] = config["sys_path"]; '
                    'from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc import persistent; '
                    'persistent.helper_main(config)')
HELPER_ENVIRONMENT = ('PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR', 'SSL_CERT_FILE', 'SSL_CERT_DIR')
# How often an idle helper looks at its clock and at its socket file.
IDLE_TICK = 1.0
# The module_utils a helper runs; their source is part of the key, so a changed collection gets a new helper.
_HELPER_CODE = ('errors', '_rpc.api_versions', '_rpc.redaction', '_rpc.settings', '_rpc.transport', '_rpc.persistent')
_PACKAGE = 'ansible_collections.heat_rpc.engine.plugins.module_utils'


class HelperUnavailable(Exception):
    """The helper cannot be used, and nothing was handed to it: the run may connect in process."""


# -- the wire: length-prefixed JSON frames ---------------------------------------------------------


def send_frame(sock, message):
    data = json.dumps(message, separators=(',', ':'), default=_refuse_unserialisable).encode('utf-8')
    if len(data) > MAX_FRAME:
        raise errors.ConfigurationError('a request of %d bytes is too large for the persistent helper (at most %d)'
                                        % (len(data), MAX_FRAME))
    sock.sendall(FRAME_HEADER.pack(len(data)) + data)


def recv_frame(sock):
    """The next message, or None when the peer closed the connection between messages."""
    header = _recv_exactly(sock, FRAME_HEADER.size, allow_eof=True)
    if header is None:
        return None
    (size,) = FRAME_HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ValueError('frame of %d bytes is over the limit' % size)
    return json.loads(_recv_exactly(sock, size).decode('utf-8'))


def _recv_exactly(sock, size, allow_eof=False):
    chunks = []
    remaining = size
    while remaining:
        chunk = sock.recv(min(remaining, 1024 * 1024))
        if not chunk:
            if allow_eof and remaining == size:
                return None
            raise EOFError('connection closed mid-message')
        chunks.append(chunk)
        remaining -= len(chunk)
    return b''.join(chunks)


def _refuse_unserialisable(value):
    raise errors.ConfigurationError('cannot hand a value of type %s to the persistent helper' % type(value).__name__)


def error_to_wire(exc):
    return {'class': type(exc).__name__, 'message': exc.message, 'remote_name': exc.remote_name,
            'details': exc.details, 'method': exc.method}


def error_from_wire(data):
    """The typed error a helper reported, as the in-process connection would have raised it."""
    cls = getattr(errors, data.get('class') or '', None)
    # Only errors built as (message, remote_name, details, method); the wait errors never come from a call.
    call_error = isinstance(cls, type) and issubclass(cls, errors.HeatRpcError)
    if not call_error or cls in (errors.StackFailed, errors.WaitTimeout):
        cls = errors.HeatRpcError
    return cls(data.get('message') or 'the persistent helper reported an error', remote_name=data.get('remote_name'),
               details=data.get('details'), method=data.get('method'))


# -- where a helper lives --------------------------------------------------------------------------


def _code_digest():
    digest = hashlib.sha256()
    for name in _HELPER_CODE:
        spec = importlib.util.find_spec('%s.%s' % (_PACKAGE, name))
        source = spec.loader.get_source(spec.name) if spec is not None else None
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
    """``path`` (created 0700 if missing), refused unless it is a directory of this user closed to others.

    A path that exists and is not a directory fails in makedirs (it exists, and is not one).
    """
    path = os.path.expanduser(path)
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.stat(path)
    except OSError as exc:
        raise HelperUnavailable('persistent_dir %s cannot be used: %s' % (path, exc.strerror or exc))
    if info.st_uid != os.geteuid():
        raise HelperUnavailable('persistent_dir %s belongs to another user' % path)
    if info.st_mode & 0o077:
        raise HelperUnavailable('persistent_dir %s is open to other users (mode %o); it must be 0700'
                                % (path, stat.S_IMODE(info.st_mode)))
    return path


def socket_path(settings, key):
    return os.path.join(private_directory(settings.persistent_dir), 'heat-rpc-%s.sock' % key[:24])


# -- the module run's side -------------------------------------------------------------------------


class PersistentConnection:
    """EngineConnection's interface, with the calls handed to the helper (started on first use)."""

    def __init__(self, settings, fallback_factory=None):
        self.settings = settings
        self._fallback_factory = fallback_factory or _in_process_connection
        self._sock = None
        self._fallback = None
        self.helper_pid = None
        # Why this run connected in process after all; HeatRpcModule turns them into warnings.
        self.notices = []

    def invoke(self, method, kwargs, version, writes=False, cast=False, timeout=None, context=None):
        if self._fallback is None:
            call_timeout = timeout or self.settings.timeout
            request = {'op': 'invoke', 'method': method, 'kwargs': kwargs, 'version': version, 'writes': bool(writes),
                       'cast': bool(cast), 'timeout': call_timeout,
                       'context': context_dict(context or self.settings.context)}
            try:
                return self._hand_over(request, call_timeout)
            except HelperUnavailable as exc:
                self._fall_back(str(exc))
        return self._fallback.invoke(method, kwargs, version, writes=writes, cast=cast, timeout=timeout,
                                     context=context)

    def close(self):
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()
        if self._fallback is not None:
            self._fallback.close()

    def _fall_back(self, reason):
        self.close()
        self.notices.append('persistent: this run connected to the broker itself: %s' % reason)
        self._fallback = self._fallback_factory(self.settings)

    def _hand_over(self, request, call_timeout):
        """Send one request to the helper and return its result (or raise the error it reports)."""
        sock = self._helper_socket()
        method, writes = request['method'], request['writes']
        try:
            send_frame(sock, request)
        except (OSError, EOFError) as exc:
            # The frame did not get through whole, and the helper acts only on a whole one.
            raise HelperUnavailable('the helper (pid %s) closed the connection: %s' % (self.helper_pid, exc))
        sock.settimeout(self.answer_deadline(call_timeout))
        try:
            reply = recv_frame(sock)
        except socket.timeout:
            reply = {'lost': 'no answer within %.1f s' % sock.gettimeout()}
        except (OSError, EOFError, ValueError) as exc:
            reply = {'lost': str(exc) or type(exc).__name__}
        if reply is None:
            reply = {'lost': 'it ended'}
        if 'lost' in reply:
            self.close()
            if not writes:
                # A read is safe to send again.
                raise HelperUnavailable('the helper (pid %s) lost the call to %s: %s'
                                        % (self.helper_pid, method, reply['lost']))
            raise errors.OutcomeUnknownError(
                "the persistent helper (pid %s) did not answer '%s' (%s); the request was handed over, so it may "
                "or may not have taken effect" % (self.helper_pid, method, reply['lost']), method=method)
        if 'error' in reply:
            raise error_from_wire(reply['error'])
        return reply.get('result')

    def answer_deadline(self, call_timeout):
        """Seconds to wait for the helper's answer: its broker check (each host, up to connect_timeout),
        then its own deadline for the call, then a margin; the helper always answers first when it can."""
        settings = self.settings
        broker_check = settings.connect_timeout * max(1, len(settings.url.hosts))
        return broker_check + settings.connect_timeout + call_timeout + DEADLINE_GRACE + ANSWER_GRACE

    def _helper_socket(self):
        if self._sock is None:
            key = helper_key(self.settings)
            path = socket_path(self.settings, key)
            sock = _connect(path, self.settings.connect_timeout)
            if sock is None:
                sock = _start_and_connect(self.settings, path, key)
            self.helper_pid = _hello(sock, key, self.settings.connect_timeout)
            self._sock = sock
        return self._sock


def _in_process_connection(settings):
    from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.transport import EngineConnection
    return EngineConnection(settings)


def _connect(path, timeout):
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


def _hello(sock, key, timeout):
    """Check that the helper serves these settings; its pid."""
    sock.settimeout(timeout)
    try:
        send_frame(sock, {'op': 'hello', 'key': key})
        reply = recv_frame(sock)
    except (OSError, EOFError, ValueError) as exc:
        sock.close()
        raise HelperUnavailable('the helper did not answer: %s' % (exc or type(exc).__name__))
    if reply is None:
        sock.close()
        raise HelperUnavailable('the helper closed the connection')
    if reply.get('key') != key:
        sock.close()
        raise HelperUnavailable('the helper listening there serves other settings')
    return reply.get('pid')


def _start_and_connect(settings, path, key):
    """Start a helper at ``path`` unless another run just did (one starter at a time per directory), and connect."""
    # One lock for the whole directory (starts are rare): no lock file per set of settings piles up.
    lock_path = os.path.join(os.path.dirname(path), START_LOCK)
    try:
        lock = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise HelperUnavailable('cannot create %s: %s' % (lock_path, exc.strerror))
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sock = _connect(path, settings.connect_timeout)
        if sock is None:
            _start_helper(settings, path, key)
            sock = _connect(path, settings.connect_timeout)
        if sock is None:
            raise HelperUnavailable('the helper started but does not listen at %s' % path)
        return sock
    finally:
        os.close(lock)


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


def helper_settings(settings):
    """The ConnectionSettings arguments a helper is started with: what its transport depends on.

    Not the request context (every call brings its own) nor the API cap (each call comes with its version).
    """
    return {
        'transport_url': settings.transport_url, 'exchange': settings.exchange, 'topic': settings.topic,
        'timeout': settings.timeout, 'connect_timeout': settings.connect_timeout,
        'call_monitor_timeout': settings.call_monitor_timeout, 'ssl': settings.ssl,
        'ssl_ca_file': _absolute(settings.ssl_ca_file), 'ssl_cert_file': _absolute(settings.ssl_cert_file),
        'ssl_key_file': _absolute(settings.ssl_key_file),
        'ssl_trust_system_store': bool(settings.ssl_trust_system_store),
        'persistent_idle_timeout': settings.persistent_idle_timeout, 'persistent_dir': settings.persistent_dir,
    }


def helper_environment(environ):
    """The helper's environment: what Python, locale and TLS need; none of the run's HEAT_RPC_*, OS_* or other secrets."""
    return dict((name, value) for name, value in environ.items()
                if name in HELPER_ENVIRONMENT or name.startswith(('LC_', 'PYTHON')))


# -- the helper's side -----------------------------------------------------------------------------


def helper_main(config):  # pragma: no cover - runs in the helper process (the integration tests drive it)
    """The helper process: build the in-process connection, listen, say ready, let go of the pipes, serve, exit."""
    settings = None
    try:
        settings = ConnectionSettings(**config['settings'])
        server = HelperServer(settings, config['path'], config['key'])
    except BaseException as exc:  # pylint: disable=broad-except  # told to the starting run, which connects itself
        message = '%s: %s' % (type(exc).__name__, exc)
        if settings is not None:
            message = settings.scrubber.scrub(message)
        sys.stdout.write('E%s\n' % message.replace('\n', ' ')[:4000])
        sys.stdout.flush()
        return
    sys.stdout.write('R\n')
    sys.stdout.flush()
    _release_standard_streams()
    server.serve()


def _release_standard_streams():  # pragma: no cover - runs in the helper process
    """Point stdin, stdout and stderr at /dev/null: the starting run stops reading, and nothing is ever printed."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(devnull, target)
    os.close(devnull)


class HelperServer:
    """Serves the runs that connect to ``path``: each on its own thread, every call through one EngineConnection."""

    def __init__(self, settings, path, key, connection=None):
        if connection is None:
            connection = _in_process_connection(settings)
        self.connection = connection
        self.settings = settings
        self.path = path
        self.key = key
        self.idle_timeout = settings.persistent_idle_timeout
        self.lock = threading.Lock()
        self.build_lock = threading.Lock()
        self.active = 0
        self.last_seen = time.monotonic()
        self.listener = self._listen(path)
        self.inode = os.stat(path).st_ino

    @staticmethod
    def _listen(path):
        try:
            os.unlink(path)  # a dead helper's socket (the starter holds the lock: no live helper is there)
        except FileNotFoundError:
            pass
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        os.chmod(path, 0o600)
        listener.listen(64)
        listener.settimeout(IDLE_TICK)
        return listener

    def serve(self):
        """Accept runs until idle for ``idle_timeout`` seconds (or the socket file is gone), then clean up."""
        try:
            while not self._should_exit():
                try:
                    client, _address = self.listener.accept()
                except socket.timeout:
                    continue
                if not _same_user(client):
                    client.close()
                    continue
                with self.lock:
                    self.active += 1
                worker = threading.Thread(target=self._serve_client, args=(client,), name='heat-rpc-helper-client')
                worker.daemon = True
                worker.start()
        finally:
            self.listener.close()
            if self._socket_is_ours():
                os.unlink(self.path)
            self.connection.close()

    def _should_exit(self):
        with self.lock:
            if self.active:
                return False
            idle = time.monotonic() - self.last_seen
        return idle >= self.idle_timeout or not self._socket_is_ours()

    def _socket_is_ours(self):
        try:
            return os.stat(self.path).st_ino == self.inode
        except OSError:
            return False

    def _serve_client(self, client):
        session = {'probed': False}
        try:
            client.settimeout(None)
            while True:
                try:
                    request = recv_frame(client)
                except (OSError, EOFError, ValueError):
                    break
                if request is None:
                    break
                try:
                    send_frame(client, self.answer(request, session))
                except (OSError, errors.HeatRpcError):
                    break
        finally:
            client.close()
            with self.lock:
                self.active -= 1
                self.last_seen = time.monotonic()

    def answer(self, request, session):
        """The reply to one request of one run; ``session`` holds what the helper knows about that run."""
        op = request.get('op')
        if op == 'hello':
            return {'key': self.key if request.get('key') == self.key else None, 'pid': os.getpid()}
        if op != 'invoke':
            return {'error': error_to_wire(errors.HeatRpcError('the persistent helper got an unknown request %r' % op))}
        try:
            # A run that connects itself checks the broker first; a run through the helper gets the same check.
            self.connection.preflight(again=not session['probed'])
            session['probed'] = True
            with self.build_lock:
                self.connection.transport  # pylint: disable=pointless-statement  # built once, by one thread
            result = self.connection.invoke(request['method'], request['kwargs'], request['version'],
                                            writes=request['writes'], cast=request['cast'], timeout=request['timeout'],
                                            context=request['context'])
        except errors.HeatRpcError as exc:
            return {'error': error_to_wire(exc)}
        except Exception as exc:  # pylint: disable=broad-except  # every failure reaches the run, typed and scrubbed
            message = self.settings.scrubber.scrub('%s failed in the persistent helper: %s: %s'
                                                   % (request.get('method'), type(exc).__name__, exc))
            return {'error': error_to_wire(errors.HeatRpcError(message, method=request.get('method')))}
        return {'result': result}


def _same_user(client):
    """Refuse a peer of another user (Linux tells; elsewhere the 0700 directory is the guard)."""
    option = getattr(socket, 'SO_PEERCRED', None)
    if option is None:
        return True
    try:
        credentials = client.getsockopt(socket.SOL_SOCKET, option, struct.calcsize('3i'))
    except OSError as exc:
        return exc.errno == errno.ENOPROTOOPT
    _pid, uid, _gid = struct.unpack('3i', credentials)
    return uid == os.geteuid()

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The persistent helper process: builds the in-process connection once and relays every run's calls through it.

``helper_main`` runs in the fresh interpreter ``launch.py`` starts: it rebuilds the settings it was sent,
listens on the Unix socket, says ready, and serves until idle for ``persistent_idle_timeout`` seconds
(or until its socket file is gone). Each connected run gets a thread; every call goes through one
EngineConnection, after the same broker check a run that connects itself makes. Only runs of the
same user are served. Nothing here runs in a module run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import socket
import struct
import sys
import threading
import time

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent.wire import error_to_wire, recv_frame, send_frame
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import ConnectionSettings

# How often an idle helper looks at its clock and at its socket file.
IDLE_TICK = 1.0


def helper_main(config):  # pragma: no cover - runs in the helper process (the integration tests drive it)
    """The helper process: build the in-process connection, listen, say ready, let go of the pipes, serve, exit."""
    settings = None
    try:
        # What the run sent is complete (launch.helper_settings); the helper connects in its own process.
        settings = ConnectionSettings(config['settings'], persistent=False)
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
            from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.transport import EngineConnection
            connection = EngineConnection(settings)
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

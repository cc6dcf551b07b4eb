# -*- coding: utf-8 -*-
"""The helper's side (``_rpc/persistent/server.py``): HelperServer in a thread before a recording
connection, and one real helper process (rabbit:// to a port nobody listens on)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import errno
import os
import socket
import threading
import time

import pytest

pytest.importorskip('oslo_messaging')

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc import transport  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent import client, launch, wire
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent import server as server_module  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_settings  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import RequestContext  # noqa: E402

from .doubles import free_port, make_settings, refuse_fallback, wait_until_gone  # noqa: E402


# -- the helper's side ------------------------------------------------------------------------------------------------


class RecordingConnection:
    """Stands for the helper's in-process connection: records broker checks and calls."""

    def __init__(self):
        self.events = []
        self.transport = object()
        self.closed = False

    def preflight(self, again=False):
        self.events.append((threading.current_thread(), 'check again' if again else 'check if not yet'))

    def invoke(self, method, kwargs, version, **options):
        self.events.append((threading.current_thread(), method, options['context']['username']))
        return {'ok': method}

    def by_run(self):
        """The events of each run (each is served on its own thread, kept here so that none is mistaken for
        another that ended), in order."""
        runs = {}
        for event in self.events:
            runs.setdefault(event[0], []).append(event[1:])
        return sorted(runs.values())

    def close(self):
        self.closed = True


def serve_in_thread(settings, connection):
    key = launch.helper_key(settings)
    path = launch.socket_path(settings, key)
    server = server_module.HelperServer(settings, path, key, connection=connection)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    return server, thread


def run_session(path, key, methods):
    sock = launch.connect(path, 5)
    with sock:
        assert client.hello(sock, key, 5) == os.getpid()  # the helper runs in this process here
        for method in methods:
            wire.send_frame(sock, {'op': 'invoke', 'method': method, 'kwargs': {}, 'version': '1.0',
                                         'writes': False, 'cast': False, 'timeout': 5,
                                         'context': {'username': 'u-%s' % method}})
            assert wire.recv_frame(sock) == {'result': {'ok': method}}


def test_the_helper_checks_the_broker_once_per_run_and_serves_runs_side_by_side(short_dir, monkeypatch):
    monkeypatch.setattr(server_module, 'IDLE_TICK', 0.05)
    connection = RecordingConnection()
    server, thread = serve_in_thread(make_settings(short_dir), connection)
    runs = [threading.Thread(target=run_session, args=(server.path, server.key, ['a%d' % run, 'b%d' % run]))
            for run in range(3)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(10)
    # Each run's first call checks the broker again; its later calls only if it was never checked.
    assert connection.by_run() == [
        [('check again',), ('a%d' % run, 'u-a%d' % run), ('check if not yet',), ('b%d' % run, 'u-b%d' % run)]
        for run in range(3)]
    os.unlink(server.path)
    thread.join(10)
    assert not thread.is_alive() and connection.closed


def test_an_idle_helper_exits_and_removes_its_socket_but_not_while_a_run_is_connected(short_dir, monkeypatch):
    monkeypatch.setattr(server_module, 'IDLE_TICK', 0.05)
    connection = RecordingConnection()
    server, thread = serve_in_thread(make_settings(short_dir, persistent_idle_timeout=0.3), connection)
    sock = launch.connect(server.path, 5)
    client.hello(sock, server.key, 5)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        assert thread.is_alive(), 'the helper left a connected run'
        time.sleep(0.05)
    sock.close()
    thread.join(5)
    assert not thread.is_alive()
    assert not os.path.exists(server.path) and connection.closed


def test_a_helper_whose_socket_was_replaced_leaves_the_new_one_alone(short_dir, monkeypatch):
    monkeypatch.setattr(server_module, 'IDLE_TICK', 0.05)
    server, thread = serve_in_thread(make_settings(short_dir), RecordingConnection())
    os.unlink(server.path)
    replacement = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    replacement.bind(server.path)
    thread.join(5)
    assert not thread.is_alive()
    assert os.path.exists(server.path)
    replacement.close()


def test_the_helper_answers_a_hello_for_other_settings_with_no_key(short_dir, monkeypatch):
    monkeypatch.setattr(server_module, 'IDLE_TICK', 0.05)
    server, thread = serve_in_thread(make_settings(short_dir), RecordingConnection())
    sock = launch.connect(server.path, 5)
    with pytest.raises(launch.HelperUnavailable, match='serves other settings'):
        client.hello(sock, 'e' * 64, 5)
    os.unlink(server.path)
    thread.join(5)


def test_an_unknown_request_and_an_unexpected_failure_come_back_as_typed_scrubbed_errors(short_dir, monkeypatch):
    monkeypatch.setattr(server_module, 'IDLE_TICK', 0.05)

    class Failing(RecordingConnection):
        def invoke(self, method, kwargs, version, **options):
            raise KeyError('token s3cret-pass')

    settings = make_settings(short_dir)
    server, thread = serve_in_thread(settings, Failing())
    session = {'probed': False}
    unknown = server.answer({'op': 'shutdown'}, session)
    assert unknown['error']['class'] == 'HeatRpcError'
    assert unknown['error']['message'] == "the persistent helper got an unknown request 'shutdown'"
    failed = server.answer({'op': 'invoke', 'method': 'show_stack', 'kwargs': {}, 'version': '1.0', 'writes': False,
                            'cast': False, 'timeout': 5, 'context': {}}, session)['error']
    assert failed['class'] == 'HeatRpcError' and failed['method'] == 'show_stack'
    assert failed['message'] == "show_stack failed in the persistent helper: KeyError: 'token ********'"
    os.unlink(server.path)
    thread.join(5)


def test_only_the_same_user_is_served(short_dir):
    left, right = socket.socketpair(socket.AF_UNIX)
    with left, right:
        assert server_module._same_user(left) is True
    if os.geteuid() != 0:
        pytest.skip('connecting as another user needs root')
    # A peer of another user (nobody) connecting to a socket it may reach.
    os.chmod(short_dir, 0o777)
    path = os.path.join(short_dir, 'open.sock')
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with listener:
        listener.bind(path)
        os.chmod(path, 0o777)
        listener.listen(1)
        peer = os.fork()
        if peer == 0:  # the peer: becomes nobody, connects, waits to be let go (socket calls only)
            try:
                os.setgid(65534)
                os.setuid(65534)
                connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                connection.connect(path)
                connection.recv(1)
            finally:
                os._exit(0)
        try:
            listener.settimeout(10)
            client, _address = listener.accept()
            with client:
                assert server_module._same_user(client) is False
        finally:
            os.kill(peer, 9)
            os.waitpid(peer, 0)


class PeerCredentialsRefused:
    def __init__(self, errno_value):
        self.errno_value = errno_value

    def getsockopt(self, *args):
        raise OSError(self.errno_value, os.strerror(self.errno_value))


@pytest.mark.parametrize('errno_value, served', [(errno.ENOPROTOOPT, True), (errno.EBADF, False)])
def test_a_socket_that_cannot_tell_its_peer_is_served_only_where_the_system_has_no_such_option(errno_value, served):
    assert server_module._same_user(PeerCredentialsRefused(errno_value)) is served


def test_a_started_helper_reports_an_unreachable_broker_as_a_run_in_process_does(short_dir):
    url = 'rabbit://u:s3cret@127.0.0.1:%d/v' % free_port()
    options = dict(connect_timeout=1, timeout=2, persistent_dir=short_dir,
                   context=RequestContext(username='demo', password='ctx-pass'))
    settings = connection_settings(url, persistent=True, **options)
    through_helper = client.PersistentConnection(settings, fallback_factory=refuse_fallback)
    in_process = transport.EngineConnection(connection_settings(url, **options))
    failures = {}
    for name, connection in (('helper', through_helper), ('in process', in_process)):
        with pytest.raises(errors.HeatRpcError) as caught:
            connection.invoke('get_revision', {}, '1.0')
        failures[name] = (type(caught.value), str(caught.value))
    pid = through_helper.helper_pid
    through_helper.close()
    in_process.close()
    assert failures['helper'] == failures['in process']
    assert failures['helper'][0] is errors.BrokerUnreachableError and 's3cret' not in failures['helper'][1]
    assert isinstance(pid, int) and pid != os.getpid()
    with open('/proc/%d/environ' % pid, 'rb') as handle:
        environment = handle.read().decode('utf-8', 'replace')
    assert 'HEAT_RPC_' not in environment
    # Deleting the socket ends an idle helper.
    os.unlink(launch.socket_path(settings, launch.helper_key(settings)))
    assert wait_until_gone(pid, 10)

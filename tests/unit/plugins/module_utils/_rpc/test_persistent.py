# -*- coding: utf-8 -*-
"""The persistent helper: the wire, what a helper serves, where it lives, and every decision a run makes about it.

A HelperServer runs in a thread here, in front of oslo.messaging's fake transport and a recording engine,
so calls through it can be compared with the same calls made in process. Scripted helpers (a socket that
answers what a test tells it to) drive the run's decisions: hand over, fall back, or report the outcome
unknown. One test starts a real helper process (rabbit:// to a port nobody listens on).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import errno
import json
import os
import shutil
import socket
import stat
import tempfile
import threading
import time

import pytest

pytest.importorskip('oslo_messaging')

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import settings_from_options  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc import persistent, transport  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import (  # noqa: E402
    ConnectionSettings, RequestContext,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient, new_connection  # noqa: E402

from fake_engine import FakeEngine  # noqa: E402
from helper_processes import process_state  # noqa: E402

STACK = {'stack_name': 's1', 'stack_id': 'abc', 'tenant': 'p1', 'path': ''}
TEMPLATE = {'heat_template_version': '2018-08-31', 'resources': {}}
TOPIC = 'engine-persistent'


@pytest.fixture
def short_dir():
    """A private directory with a short path (a Unix socket path has at most 107 bytes)."""
    path = tempfile.mkdtemp(prefix='hrpc-')
    yield path
    shutil.rmtree(path, ignore_errors=True)


def make_settings(directory, **overrides):
    options = dict(transport_url='fake://', topic=TOPIC, timeout=5, connect_timeout=2, persistent=True,
                   persistent_dir=directory, persistent_idle_timeout=30,
                   context=RequestContext(username='demo', password='s3cret-pass', project_id='p1', user_id='u1'))
    options.update(overrides)
    return ConnectionSettings(**options)


@pytest.fixture(scope='module')
def fake_transport():
    connection = transport.EngineConnection(ConnectionSettings('fake://', topic=TOPIC))
    engine = FakeEngine(connection.transport, topic=TOPIC).start()
    yield engine, connection.transport
    engine.stop()
    connection.transport.cleanup()


class RunningHelper:
    """A HelperServer serving in a thread, for the settings a run will use."""

    def __init__(self, settings, shared_transport, idle_timeout=30):
        settings.persistent_idle_timeout = idle_timeout
        self.key = persistent.helper_key(settings)
        self.path = persistent.socket_path(settings, self.key)
        connection = transport.EngineConnection(settings, transport=shared_transport)
        self.server = persistent.HelperServer(settings, self.path, self.key, connection=connection)
        self.thread = threading.Thread(target=self.server.serve, daemon=True)
        self.thread.start()

    def stop(self):
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.thread.join(10)
        assert not self.thread.is_alive()


@pytest.fixture
def helper(short_dir, fake_transport, monkeypatch):
    monkeypatch.setattr(persistent, 'IDLE_TICK', 0.05)
    engine, shared = fake_transport
    engine.reset()
    running = RunningHelper(make_settings(short_dir), shared)
    yield engine, running
    running.stop()


def persistent_client(directory, fallback=None, **overrides):
    settings = make_settings(directory, **overrides)
    connection = persistent.PersistentConnection(settings, fallback_factory=fallback)
    return EngineClient(settings, connection=connection)


def refuse_fallback(settings):
    raise AssertionError('the run connected in process')


# -- calls through a helper are the calls made in process -------------------------------------------------------------


def test_calls_through_the_helper_reach_the_engine_as_in_process_calls_do(helper, short_dir, fake_transport):
    engine, _running = helper
    calls = [
        lambda client: client.create_stack(None, 's1', TEMPLATE, {'p': 'v'}, {'f': 'x'}, {'timeout_mins': 3}),
        lambda client: client.show_stack(None, STACK, resolve_outputs=False),
        lambda client: client.list_stacks(None, filters={'name': 's1'}, limit=5),
        lambda client: client.stack_cancel_update(None, STACK, cancel_with_rollback=False),
    ]
    seen = {}
    for mode in ('in process', 'helper'):
        if mode == 'helper':
            client = persistent_client(short_dir, fallback=refuse_fallback)
        else:
            settings = make_settings(short_dir, persistent=False)
            client = EngineClient(settings, connection=transport.EngineConnection(settings, fake_transport[1]))
        engine.reset()
        with client:
            answers = [call(client) for call in calls]
            seen[mode] = {'answers': answers, 'writes': client.writes_sent, 'received': [
                (record['method'], record['kwargs'], record['ctxt']['username'], record['ctxt']['password'])
                for record in engine.endpoint.received], 'versions': list(engine.versions)}
    assert seen['helper'] == seen['in process']
    assert [record[0] for record in seen['helper']['received']] == [
        'create_stack', 'show_stack', 'list_stacks', 'stack_cancel_update']


def test_each_call_brings_its_own_context_and_request_id(helper, short_dir):
    engine, _running = helper
    with persistent_client(short_dir, fallback=refuse_fallback) as client:
        client.get_revision(None)
        client.get_revision({'username': 'other', 'project_id': 'p2', 'request_id': 'req-given'})
    first, second = [record['ctxt'] for record in engine.endpoint.received]
    assert (first['username'], first['project_id']) == ('demo', 'p1')
    assert first['request_id'].startswith('req-') and first['request_id'] != 'req-given'
    assert (second['username'], second['project_id'], second['request_id']) == ('other', 'p2', 'req-given')


class EntityNotFound(Exception):
    """Named as heat's own (errors are recognised by class name)."""


class StackValidationFailed(Exception):
    """Named as heat's own."""


def test_engine_errors_arrive_with_the_class_message_and_details_they_have_in_process(helper, short_dir,
                                                                                      fake_transport):
    engine, _running = helper
    cases = [('show_stack', EntityNotFound('The Stack (s1) could not be found.')),
             ('validate_template', StackValidationFailed('Property error: a: b')),
             ('get_revision', RuntimeError('boom with s3cret-pass inside'))]
    for method, exception in cases:
        raised = {}
        for mode in ('in process', 'helper'):
            engine.reset()
            engine.endpoint.raises[method] = exception
            if mode == 'helper':
                connection = persistent.PersistentConnection(make_settings(short_dir), fallback_factory=refuse_fallback)
            else:
                connection = transport.EngineConnection(make_settings(short_dir, persistent=False), fake_transport[1])
            with pytest.raises(errors.HeatRpcError) as caught:
                connection.invoke(method, {}, '1.0')
            connection.close()
            raised[mode] = (type(caught.value), caught.value.message, caught.value.remote_name, caught.value.method,
                            bool(caught.value.details))
        assert raised['helper'] == raised['in process'], method
        assert 's3cret-pass' not in raised['helper'][1]


# -- the wire ---------------------------------------------------------------------------------------------------------


WIRE_CLASSES = [cls for cls in vars(errors).values()
                if isinstance(cls, type) and issubclass(cls, errors.HeatRpcError)
                and cls not in (errors.StackFailed, errors.WaitTimeout)]


@pytest.mark.parametrize('cls', WIRE_CLASSES, ids=lambda cls: cls.__name__)
def test_every_call_error_crosses_the_wire_unchanged(cls):
    original = cls('the message', remote_name='Remote', details='Traceback ...', method='show_stack')
    back = persistent.error_from_wire(json.loads(json.dumps(persistent.error_to_wire(original))))
    assert back.__class__ is cls
    assert (back.message, back.remote_name, back.details, back.method, back.kind) == (
        'the message', 'Remote', 'Traceback ...', 'show_stack', original.kind)


@pytest.mark.parametrize('name', ['StackFailed', 'WaitTimeout', 'ValueError', 'NoSuchClass', None, 'errors'])
def test_a_class_that_no_call_raises_comes_back_as_the_base_error(name):
    back = persistent.error_from_wire({'class': name, 'message': 'm', 'method': 'x'})
    assert back.__class__ is errors.HeatRpcError
    assert (back.message, back.method) == ('m', 'x')


def test_an_error_without_a_message_still_says_where_it_came_from():
    back = persistent.error_from_wire({'class': 'EngineError', 'message': None})
    assert back.__class__ is errors.EngineError
    assert back.message == 'the persistent helper reported an error'


def test_frames_carry_json_and_a_closed_peer_between_frames_is_the_end():
    left, right = socket.socketpair()
    with left, right:
        big = {'template': 'x' * 3000000, 'nested': [1, {'a': None}]}
        sender = threading.Thread(target=persistent.send_frame, args=(left, big))
        sender.start()
        assert persistent.recv_frame(right) == big
        sender.join()
        left.close()
        assert persistent.recv_frame(right) is None


def test_a_peer_closing_mid_frame_is_an_error_not_the_end():
    left, right = socket.socketpair()
    with left, right:
        left.sendall(persistent.FRAME_HEADER.pack(100) + b'{"partial":')
        left.close()
        with pytest.raises(EOFError):
            persistent.recv_frame(right)


def test_a_frame_over_the_limit_is_refused_before_reading_it():
    left, right = socket.socketpair()
    with left, right:
        left.sendall(persistent.FRAME_HEADER.pack(persistent.MAX_FRAME + 1))
        with pytest.raises(ValueError, match='over the limit'):
            persistent.recv_frame(right)


def test_a_value_json_cannot_carry_is_refused_naming_its_type_and_nothing_is_sent():
    left, right = socket.socketpair()
    with left, right:
        with pytest.raises(errors.ConfigurationError, match='type set'):
            persistent.send_frame(left, {'kwargs': {'tags': {'a', 'b'}}})
        right.setblocking(False)
        with pytest.raises(BlockingIOError):
            right.recv(1)


# -- what one helper serves, and where it lives -----------------------------------------------------------------------


KEY_CHANGES = [
    ('transport_url', 'rabbit://u:p@other:5672/v'),
    ('exchange', 'openstack'),
    ('topic', 'engine2'),
    ('timeout', 7),
    ('connect_timeout', 3),
    ('call_monitor_timeout', 9),
    ('persistent_idle_timeout', 5),
]


@pytest.mark.parametrize('field, value', KEY_CHANGES)
def test_settings_the_transport_depends_on_get_their_own_helper(field, value):
    base = dict(transport_url='rabbit://u:p@broker:5672/v', timeout=5, connect_timeout=2, persistent=True)
    assert persistent.helper_key(ConnectionSettings(**base)) != persistent.helper_key(
        ConnectionSettings(**dict(base, **{field: value})))


def test_tls_files_are_part_of_the_key_by_absolute_path(tmp_path, monkeypatch):
    ca = tmp_path / 'ca.pem'
    ca.write_text('x')
    base = dict(transport_url='rabbit://u:p@broker:5672/v', persistent=True, ssl=True)
    monkeypatch.chdir(tmp_path)
    relative = persistent.helper_key(ConnectionSettings(ssl_ca_file='ca.pem', **base))
    assert relative == persistent.helper_key(ConnectionSettings(ssl_ca_file=str(ca), **base))
    assert relative != persistent.helper_key(ConnectionSettings(ssl_trust_system_store=True, **base))


def test_the_request_context_and_the_api_cap_do_not_change_the_helper():
    base = dict(transport_url='rabbit://u:p@broker:5672/v', persistent=True)
    keys = {persistent.helper_key(ConnectionSettings(**base)),
            persistent.helper_key(ConnectionSettings(context=RequestContext(username='x', password='y'), **base)),
            persistent.helper_key(ConnectionSettings(api_version_cap='1.20', **base))}
    assert len(keys) == 1


def test_a_helper_is_started_with_the_transport_settings_and_no_request_context(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'ca.pem').write_text('x')
    settings = ConnectionSettings('rabbit://u:p@broker:5672/v?ssl=1', ssl_ca_file='ca.pem', persistent=True,
                                  context=RequestContext(username='demo', password='s3cret'))
    started = persistent.helper_settings(settings)
    assert 's3cret' not in json.dumps(started)
    assert started['ssl'] is True and started['ssl_ca_file'] == str(tmp_path / 'ca.pem')
    rebuilt = ConnectionSettings(**started)
    assert persistent.helper_key(rebuilt) == persistent.helper_key(settings)


ENVIRONMENT_KEPT = {'PATH': '/bin', 'HOME': '/root', 'LANG': 'C.UTF-8', 'LC_ALL': 'C', 'TZ': 'UTC', 'TMPDIR': '/t',
                    'PYTHONPATH': '/p', 'SSL_CERT_FILE': '/c.pem', 'SSL_CERT_DIR': '/certs'}
ENVIRONMENT_DROPPED = {'HEAT_RPC_PASSWORD': 'pw', 'HEAT_RPC_TRANSPORT_URL': 'rabbit://u:pw@h/', 'OS_PASSWORD': 'pw',
                       'ANSIBLE_VAULT_PASSWORD_FILE': '/v', 'AWS_SECRET_ACCESS_KEY': 'k', 'SSH_AUTH_SOCK': '/s'}


def test_the_helper_environment_keeps_what_python_needs_and_none_of_the_run_secrets():
    assert persistent.helper_environment(dict(ENVIRONMENT_KEPT, **ENVIRONMENT_DROPPED)) == ENVIRONMENT_KEPT


def test_the_directory_is_created_private(short_dir):
    path = os.path.join(short_dir, 'sub', 'pc')
    assert persistent.private_directory(path) == path
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
    with pytest.raises(persistent.HelperUnavailable) as caught:
        persistent.private_directory(path)
    assert str(caught.value).startswith('persistent_dir %s ' % path)
    assert message in str(caught.value)


def test_the_socket_path_is_in_the_directory_and_short(short_dir):
    settings = make_settings(short_dir)
    path = persistent.socket_path(settings, persistent.helper_key(settings))
    assert os.path.dirname(path) == short_dir and len(os.path.basename(path)) == len('heat-rpc-.sock') + 24


# -- the run's decisions: hand over, connect itself, or report the outcome unknown ------------------------------------


class ScriptedHelper:
    """Listens where a run looks for its helper and answers as told: ``hello`` and ``invoke`` are
    'answer', 'close' (end the connection), 'answer, then close', 'half' (end it halfway through the
    answer) or 'silent' (read and never answer)."""

    def __init__(self, settings, hello='answer', invoke='answer', key=None):
        self.key = key or persistent.helper_key(settings)
        self.path = persistent.socket_path(settings, persistent.helper_key(settings))
        self.behaviour = {'hello': hello, 'invoke': invoke}
        self.requests = []
        self.ended = threading.Event()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(4)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        client, _address = self.listener.accept()
        try:
            self._answer(client)
        finally:
            client.close()
            self.ended.set()

    def _answer(self, client):
        while True:
            request = persistent.recv_frame(client)
            if request is None:
                return
            self.requests.append(request)
            behaviour = self.behaviour[request['op']]
            if behaviour == 'close':
                return
            if behaviour == 'half':
                client.sendall(persistent.FRAME_HEADER.pack(50) + b'{"result":')
                return
            if behaviour == 'silent':
                client.recv(1)
                return
            reply = {'key': self.key, 'pid': 4242} if request['op'] == 'hello' else {'result': 'from helper'}
            persistent.send_frame(client, reply)
            if behaviour == 'answer, then close':
                return

    def close(self):
        self.listener.close()


class InProcessDouble:
    """Stands for the in-process connection a run falls back to."""

    def __init__(self, settings):
        self.calls = []
        self.closed = False

    def invoke(self, method, kwargs, version, **options):
        self.calls.append(method)
        return 'from in process'

    def close(self):
        self.closed = True


FELL_BACK = 'persistent: this run connected to the broker itself: '
LOST_READ = 'the helper (pid 4242) lost the call to create_stack: %s'
LOST_WRITE = ("the persistent helper (pid 4242) did not answer 'create_stack' (%s); the request was handed over, "
              "so it may or may not have taken effect")
# (what the helper does, is the call a write, what the run returns or raises, why: the end of the warning
# or the error message, calls handed over)
DECISIONS = [
    ('answers', False, 'from helper', None, 1),
    ('answers', True, 'from helper', None, 1),
    ('closes during the read', False, 'from in process', LOST_READ % 'it ended', 1),
    ('closes during the write', True, errors.OutcomeUnknownError, LOST_WRITE % 'it ended', 1),
    ('breaks off during the read', False, 'from in process', LOST_READ % 'connection closed mid-message', 1),
    ('breaks off during the write', True, errors.OutcomeUnknownError, LOST_WRITE % 'connection closed mid-message', 1),
    ('is silent during the read', False, 'from in process', LOST_READ % 'no answer within 3.2 s', 1),
    ('is silent during the write', True, errors.OutcomeUnknownError, LOST_WRITE % 'no answer within 3.2 s', 1),
    ('closes at hello', True, 'from in process', 'the helper closed the connection', 0),
    ('is silent at hello', True, 'from in process', 'the helper did not answer: timed out', 0),
    ('serves other settings', True, 'from in process', 'the helper listening there serves other settings', 0),
]
BEHAVIOURS = {
    'answers': {}, 'closes during the read': {'invoke': 'close'}, 'closes during the write': {'invoke': 'close'},
    'breaks off during the read': {'invoke': 'half'}, 'breaks off during the write': {'invoke': 'half'},
    'is silent during the read': {'invoke': 'silent'}, 'is silent during the write': {'invoke': 'silent'},
    'closes at hello': {'hello': 'close'}, 'is silent at hello': {'hello': 'silent'},
    'serves other settings': {'key': 'f' * 64},
}


@pytest.mark.parametrize('behaviour, writes, outcome, why, handed_over', DECISIONS, ids=[row[0] for row in DECISIONS])
def test_what_a_run_does_when_its_helper(short_dir, monkeypatch, behaviour, writes, outcome, why, handed_over):
    # The silent cases wait for the answer deadline (here 1 x 0.3 + 0.3 + 0.2 + 0.1 + 2.3 s): keep it short.
    monkeypatch.setattr(persistent, 'DEADLINE_GRACE', 0.1)
    monkeypatch.setattr(persistent, 'ANSWER_GRACE', 2.3)
    settings = make_settings(short_dir, timeout=0.2, connect_timeout=0.3)
    scripted = ScriptedHelper(settings, **BEHAVIOURS[behaviour])
    doubles = []
    connection = persistent.PersistentConnection(
        settings, fallback_factory=lambda given: doubles.append(InProcessDouble(given)) or doubles[-1])
    try:
        if isinstance(outcome, type):
            with pytest.raises(outcome) as caught:
                connection.invoke('create_stack', {'stack_name': 's'}, '1.0', writes=writes)
            assert str(caught.value) == why
            assert caught.value.method == 'create_stack'
        else:
            assert connection.invoke('create_stack', {'stack_name': 's'}, '1.0', writes=writes) == outcome
    finally:
        connection.close()
        scripted.close()
    falls_back = outcome == 'from in process'
    assert bool(doubles) is falls_back
    if falls_back:
        assert doubles[0].calls == ['create_stack'] and doubles[0].closed
        assert connection.notices == [FELL_BACK + why]
    else:
        assert connection.notices == []
    assert len([request for request in scripted.requests if request['op'] == 'invoke']) == handed_over


def test_a_helper_gone_before_a_later_call_is_handed_over_is_replaced_by_the_run_itself(short_dir):
    # Nothing of that call reached a helper, so even a write is safe to send from the run itself.
    settings = make_settings(short_dir)
    scripted = ScriptedHelper(settings, invoke='answer, then close')
    doubles = []
    connection = persistent.PersistentConnection(
        settings, fallback_factory=lambda given: doubles.append(InProcessDouble(given)) or doubles[-1])
    try:
        assert connection.invoke('create_stack', {}, '1.0', writes=True) == 'from helper'
        assert scripted.ended.wait(5)
        assert connection.invoke('delete_stack', {}, '1.0', writes=True) == 'from in process'
    finally:
        connection.close()
        scripted.close()
    assert doubles[0].calls == ['delete_stack']
    assert [request.get('method') for request in scripted.requests] == [None, 'create_stack']
    assert connection.notices == [FELL_BACK + 'the helper (pid 4242) closed the connection: [Errno 32] Broken pipe']


def test_a_socket_path_too_long_for_unix_sockets_makes_the_run_connect_itself(short_dir):
    directory = os.path.join(short_dir, 'd' * 100)
    settings = make_settings(directory)
    path = persistent.socket_path(settings, persistent.helper_key(settings))
    doubles = []
    connection = persistent.PersistentConnection(
        settings, fallback_factory=lambda given: doubles.append(InProcessDouble(given)) or doubles[-1])
    assert connection.invoke('get_revision', {}, '1.0') == 'from in process'
    assert connection.notices == [FELL_BACK + 'cannot connect to %s: AF_UNIX path too long' % path]


def test_a_run_whose_directory_is_unsafe_connects_itself_and_says_why(short_dir):
    directory = os.path.join(short_dir, 'open')
    os.mkdir(directory)
    os.chmod(directory, 0o755)
    doubles = []
    connection = persistent.PersistentConnection(
        make_settings(directory), fallback_factory=lambda given: doubles.append(InProcessDouble(given)) or doubles[-1])
    assert connection.invoke('get_revision', {}, '1.0') == 'from in process'
    assert connection.invoke('list_stacks', {}, '1.0') == 'from in process'
    assert doubles[0].calls == ['get_revision', 'list_stacks'] and len(doubles) == 1
    assert connection.notices == ['persistent: this run connected to the broker itself: persistent_dir %s is open to '
                                  'other users (mode 755); it must be 0700' % directory]
    assert os.listdir(directory) == []


def test_a_value_the_helper_cannot_carry_fails_the_call_without_falling_back(helper, short_dir):
    connection = persistent.PersistentConnection(make_settings(short_dir), fallback_factory=refuse_fallback)
    with pytest.raises(errors.ConfigurationError, match='type bytes'):
        connection.invoke('get_revision', {'blob': b'x'}, '1.0')
    connection.close()


def test_new_connection_follows_the_persistent_setting(short_dir):
    assert isinstance(new_connection(make_settings(short_dir)), persistent.PersistentConnection)
    assert isinstance(new_connection(make_settings(short_dir, persistent=False)), transport.EngineConnection)


def test_controller_plugins_never_start_a_helper(monkeypatch):
    monkeypatch.setenv('HEAT_RPC_PERSISTENT', 'true')
    settings = settings_from_options({'transport_url': 'rabbit://u:p@h:5672/v', 'persistent': True})
    assert settings.persistent is False


@pytest.mark.parametrize('value', [0, -1])
def test_the_idle_timeout_must_be_positive(value):
    with pytest.raises(errors.ConfigurationError, match='persistent_idle_timeout must be a positive number'):
        ConnectionSettings('fake://', persistent=True, persistent_idle_timeout=value)


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
    key = persistent.helper_key(settings)
    path = persistent.socket_path(settings, key)
    server = persistent.HelperServer(settings, path, key, connection=connection)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    return server, thread


def run_session(path, key, methods):
    sock = persistent._connect(path, 5)
    with sock:
        assert persistent._hello(sock, key, 5) == os.getpid()  # the helper runs in this process here
        for method in methods:
            persistent.send_frame(sock, {'op': 'invoke', 'method': method, 'kwargs': {}, 'version': '1.0',
                                         'writes': False, 'cast': False, 'timeout': 5,
                                         'context': {'username': 'u-%s' % method}})
            assert persistent.recv_frame(sock) == {'result': {'ok': method}}


def test_the_helper_checks_the_broker_once_per_run_and_serves_runs_side_by_side(short_dir, monkeypatch):
    monkeypatch.setattr(persistent, 'IDLE_TICK', 0.05)
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
    monkeypatch.setattr(persistent, 'IDLE_TICK', 0.05)
    connection = RecordingConnection()
    server, thread = serve_in_thread(make_settings(short_dir, persistent_idle_timeout=0.3), connection)
    sock = persistent._connect(server.path, 5)
    persistent._hello(sock, server.key, 5)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        assert thread.is_alive(), 'the helper left a connected run'
        time.sleep(0.05)
    sock.close()
    thread.join(5)
    assert not thread.is_alive()
    assert not os.path.exists(server.path) and connection.closed


def test_a_helper_whose_socket_was_replaced_leaves_the_new_one_alone(short_dir, monkeypatch):
    monkeypatch.setattr(persistent, 'IDLE_TICK', 0.05)
    server, thread = serve_in_thread(make_settings(short_dir), RecordingConnection())
    os.unlink(server.path)
    replacement = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    replacement.bind(server.path)
    thread.join(5)
    assert not thread.is_alive()
    assert os.path.exists(server.path)
    replacement.close()


def test_the_helper_answers_a_hello_for_other_settings_with_no_key(short_dir, monkeypatch):
    monkeypatch.setattr(persistent, 'IDLE_TICK', 0.05)
    server, thread = serve_in_thread(make_settings(short_dir), RecordingConnection())
    sock = persistent._connect(server.path, 5)
    with pytest.raises(persistent.HelperUnavailable, match='serves other settings'):
        persistent._hello(sock, 'e' * 64, 5)
    os.unlink(server.path)
    thread.join(5)


def test_an_unknown_request_and_an_unexpected_failure_come_back_as_typed_scrubbed_errors(short_dir, monkeypatch):
    monkeypatch.setattr(persistent, 'IDLE_TICK', 0.05)

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
        assert persistent._same_user(left) is True
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
                assert persistent._same_user(client) is False
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
    assert persistent._same_user(PeerCredentialsRefused(errno_value)) is served


# -- a real helper process ---------------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def wait_until_gone(pid, seconds):
    """Whether process ``pid`` ends within ``seconds`` (here it is this process's child: a zombie counts as ended)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process_state(pid) in (None, 'Z'):
            return True
        time.sleep(0.1)
    return False


def test_a_started_helper_reports_an_unreachable_broker_as_a_run_in_process_does(short_dir):
    url = 'rabbit://u:s3cret@127.0.0.1:%d/v' % free_port()
    options = dict(connect_timeout=1, timeout=2, persistent_dir=short_dir,
                   context=RequestContext(username='demo', password='ctx-pass'))
    settings = ConnectionSettings(url, persistent=True, **options)
    through_helper = persistent.PersistentConnection(settings, fallback_factory=refuse_fallback)
    in_process = transport.EngineConnection(ConnectionSettings(url, **options))
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
    os.unlink(persistent.socket_path(settings, persistent.helper_key(settings)))
    assert wait_until_gone(pid, 10)


def test_a_helper_that_cannot_start_says_why_and_the_run_connects_itself(short_dir, monkeypatch):
    # The helper validates its settings again; a CA file gone since the run checked it stops the start.
    ca = os.path.join(short_dir, 'ca.pem')
    with open(ca, 'w') as handle:
        handle.write('x')
    settings = ConnectionSettings('rabbit://u:s3cret@127.0.0.1:%d/v?ssl=1' % free_port(), ssl_ca_file=ca,
                                  persistent=True, persistent_dir=short_dir, connect_timeout=1)
    os.unlink(ca)
    doubles = []
    connection = persistent.PersistentConnection(
        settings, fallback_factory=lambda given: doubles.append(InProcessDouble(given)) or doubles[-1])
    assert connection.invoke('get_revision', {}, '1.0') == 'from in process'
    assert len(connection.notices) == 1
    assert 'the helper could not start: ConfigurationError: ssl_ca_file %s cannot be read' % ca in connection.notices[0]
    assert 's3cret' not in connection.notices[0]


@pytest.mark.parametrize('url, call_timeout, expected', [
    ('rabbit://u:p@h1:5672/v', 60, 2 + 2 + 60 + 2 + 3),
    ('rabbit://u:p@h1:5672,u:p@h2:5672,u:p@h3:5672/v', 60, 3 * 2 + 2 + 60 + 2 + 3),
    ('rabbit://u:p@h1:5672/v', 5, 2 + 2 + 5 + 2 + 3),
])
def test_a_run_waits_for_the_helper_longer_than_the_helper_works_on_a_call(url, call_timeout, expected):
    # The helper checks every broker host (connect_timeout each), then bounds the call by
    # connect_timeout + timeout + grace: the run's wait must cover both, or a write the helper never
    # sent would be reported as outcome unknown.
    settings = ConnectionSettings(url, connect_timeout=2, persistent=True)
    assert persistent.PersistentConnection(settings).answer_deadline(call_timeout) == expected


def test_runs_that_start_at_once_share_one_helper(short_dir):
    url = 'rabbit://u:s3cret@127.0.0.1:%d/v' % free_port()
    settings_list = [ConnectionSettings(url, connect_timeout=1, timeout=2, persistent=True, persistent_dir=short_dir)
                     for _run in range(4)]
    connections = [persistent.PersistentConnection(settings, fallback_factory=refuse_fallback)
                   for settings in settings_list]
    kinds = []

    def run(connection):
        try:
            connection.invoke('get_revision', {}, '1.0')
        except errors.HeatRpcError as exc:
            kinds.append(exc.kind)

    threads = [threading.Thread(target=run, args=(connection,)) for connection in connections]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    pids = set(connection.helper_pid for connection in connections)
    for connection in connections:
        connection.close()
    assert kinds == ['broker_unreachable'] * 4
    assert len(pids) == 1
    assert sorted(os.listdir(short_dir)) == sorted([persistent.START_LOCK, os.path.basename(
        persistent.socket_path(settings_list[0], persistent.helper_key(settings_list[0])))])
    os.unlink(persistent.socket_path(settings_list[0], persistent.helper_key(settings_list[0])))
    assert wait_until_gone(pids.pop(), 10)

# -*- coding: utf-8 -*-
"""The run's side of the persistent helper (``_rpc/persistent/client.py``): every decision a run makes.

A HelperServer runs in a thread here, in front of oslo.messaging's fake transport and a recording engine,
so calls through it can be compared with the same calls made in process. Scripted helpers (a socket that
answers what a test tells it to) drive the run's decisions: hand over, fall back, or report the outcome
unknown."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import socket
import threading

import pytest

pytest.importorskip('oslo_messaging')

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_settings  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc import transport  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent import client, launch, server, wire  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient, new_connection  # noqa: E402

from fake_engine import FakeEngine  # noqa: E402

from .doubles import TOPIC, InProcessDouble, make_settings, refuse_fallback  # noqa: E402


STACK = {'stack_name': 's1', 'stack_id': 'abc', 'tenant': 'p1', 'path': ''}
TEMPLATE = {'heat_template_version': '2018-08-31', 'resources': {}}


@pytest.fixture(scope='module')
def fake_transport():
    connection = transport.EngineConnection(connection_settings('fake://', topic=TOPIC))
    engine = FakeEngine(connection.transport, topic=TOPIC).start()
    yield engine, connection.transport
    engine.stop()
    connection.transport.cleanup()


class RunningHelper:
    """A HelperServer serving in a thread, for the settings a run will use."""

    def __init__(self, settings, shared_transport, idle_timeout=30):
        settings.persistent_idle_timeout = idle_timeout
        self.key = launch.helper_key(settings)
        self.path = launch.socket_path(settings, self.key)
        connection = transport.EngineConnection(settings, transport=shared_transport)
        self.server = server.HelperServer(settings, self.path, self.key, connection=connection)
        self.thread = threading.Thread(target=self.server.serve, daemon=True)
        self.thread.start()

    def stop(self):
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.thread.join(10)
        assert not self.thread.is_alive()


@pytest.fixture
def helper(short_dir, fake_transport, monkeypatch):
    monkeypatch.setattr(server, 'IDLE_TICK', 0.05)
    engine, shared = fake_transport
    engine.reset()
    running = RunningHelper(make_settings(short_dir), shared)
    yield engine, running
    running.stop()


def persistent_client(directory, fallback=None, **overrides):
    settings = make_settings(directory, **overrides)
    connection = client.PersistentConnection(settings, fallback_factory=fallback)
    return EngineClient(settings, connection=connection)


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
                connection = client.PersistentConnection(make_settings(short_dir), fallback_factory=refuse_fallback)
            else:
                connection = transport.EngineConnection(make_settings(short_dir, persistent=False), fake_transport[1])
            with pytest.raises(errors.HeatRpcError) as caught:
                connection.invoke(method, {}, '1.0')
            connection.close()
            raised[mode] = (type(caught.value), caught.value.message, caught.value.remote_name, caught.value.method,
                            bool(caught.value.details))
        assert raised['helper'] == raised['in process'], method
        assert 's3cret-pass' not in raised['helper'][1]


# -- the run's decisions: hand over, connect itself, or report the outcome unknown ------------------------------------


class ScriptedHelper:
    """Listens where a run looks for its helper and answers as told: ``hello`` and ``invoke`` are
    'answer', 'close' (end the connection), 'answer, then close', 'half' (end it halfway through the
    answer) or 'silent' (read and never answer)."""

    def __init__(self, settings, hello='answer', invoke='answer', key=None):
        self.key = key or launch.helper_key(settings)
        self.path = launch.socket_path(settings, launch.helper_key(settings))
        self.behaviour = {'hello': hello, 'invoke': invoke}
        self.requests = []
        self.ended = threading.Event()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(4)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        # Every connection the same way, until the listener is closed.
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            try:
                self._answer(client)
            finally:
                client.close()
                self.ended.set()

    def _answer(self, client):
        while True:
            request = wire.recv_frame(client)
            if request is None:
                return
            self.requests.append(request)
            behaviour = self.behaviour[request['op']]
            if behaviour == 'close':
                return
            if behaviour == 'half':
                client.sendall(wire.FRAME_HEADER.pack(50) + b'{"result":')
                return
            if behaviour == 'silent':
                client.recv(1)
                return
            reply = {'key': self.key, 'pid': 4242} if request['op'] == 'hello' else {'result': 'from helper'}
            wire.send_frame(client, reply)
            if behaviour == 'answer, then close':
                return

    def close(self):
        self.listener.close()


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


@pytest.mark.parametrize('persistent', [True, None], ids=['persistent true', 'persistent not set'])
@pytest.mark.parametrize('behaviour, writes, outcome, why, handed_over', DECISIONS, ids=[row[0] for row in DECISIONS])
def test_what_a_run_does_when_its_helper(short_dir, monkeypatch, behaviour, writes, outcome, why, handed_over,
                                         persistent):
    # The silent cases wait for the answer deadline (here 1 x 0.3 + 0.3 + 0.2 + 0.1 + 2.3 s): keep it short.
    monkeypatch.setattr(client, 'DEADLINE_GRACE', 0.1)
    monkeypatch.setattr(client, 'ANSWER_GRACE', 2.3)
    settings = make_settings(short_dir, timeout=0.2, connect_timeout=0.3, persistent=persistent)
    scripted = ScriptedHelper(settings, **BEHAVIOURS[behaviour])
    doubles = []
    connection = client.PersistentConnection(
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
    # A read the helper lost (it was handed over) is told whatever the setting; a helper that could not be used
    # before, only when persistent: true asked for it.
    if falls_back and (persistent or handed_over):
        assert connection.notices == [FELL_BACK + why]
    else:
        assert connection.notices == []
    assert len([request for request in scripted.requests if request['op'] == 'invoke']) == handed_over


def test_a_helper_gone_before_a_later_call_is_handed_over_is_replaced_by_the_run_itself(short_dir):
    # Nothing of that call reached a helper, so even a write is safe to send from the run itself.
    settings = make_settings(short_dir)
    scripted = ScriptedHelper(settings, invoke='answer, then close')
    doubles = []
    connection = client.PersistentConnection(
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


@pytest.mark.parametrize('persistent, warned', [(True, True), (None, False)])
def test_a_socket_path_too_long_for_unix_sockets_makes_the_run_connect_itself(short_dir, persistent, warned):
    directory = os.path.join(short_dir, 'd' * 100)
    settings = make_settings(directory, persistent=persistent)
    path = launch.socket_path(settings, launch.helper_key(settings))
    doubles = []
    connection = client.PersistentConnection(
        settings, fallback_factory=lambda given: doubles.append(InProcessDouble(given)) or doubles[-1])
    assert connection.invoke('get_revision', {}, '1.0') == 'from in process'
    assert connection.notices == [FELL_BACK + 'cannot connect to %s: AF_UNIX path too long' % path][:warned]


@pytest.mark.parametrize('persistent, warned', [(True, True), (None, False)])
def test_a_run_whose_directory_is_unsafe_connects_itself_and_says_why_if_asked(short_dir, persistent, warned):
    directory = os.path.join(short_dir, 'open')
    os.mkdir(directory)
    os.chmod(directory, 0o755)
    doubles = []
    connection = client.PersistentConnection(make_settings(directory, persistent=persistent),
                                             fallback_factory=lambda given: doubles.append(InProcessDouble(given)) or doubles[-1])
    assert connection.invoke('get_revision', {}, '1.0') == 'from in process'
    assert connection.invoke('list_stacks', {}, '1.0') == 'from in process'
    assert doubles[0].calls == ['get_revision', 'list_stacks'] and len(doubles) == 1
    assert connection.notices == ['persistent: this run connected to the broker itself: persistent_dir %s is open to '
                                  'other users (mode 755); it must be 0700' % directory][:warned]
    assert os.listdir(directory) == []


@pytest.mark.parametrize('persistent, warned', [(True, True), (None, False)])
def test_a_directory_that_cannot_be_created_makes_the_run_connect_itself(short_dir, persistent, warned):
    # As a HOME that is not writable: the default directory under it cannot be made.
    blocker = os.path.join(short_dir, 'home')
    with open(blocker, 'w'):
        pass
    directory = os.path.join(blocker, '.ansible', 'heat_rpc')
    doubles = []
    connection = client.PersistentConnection(make_settings(directory, persistent=persistent),
                                             fallback_factory=lambda given: doubles.append(InProcessDouble(given)) or doubles[-1])
    assert connection.invoke('get_revision', {}, '1.0') == 'from in process'
    assert connection.notices == ['persistent: this run connected to the broker itself: persistent_dir %s cannot be '
                                  'used: Not a directory' % directory][:warned]


def test_a_value_the_helper_cannot_carry_fails_the_call_without_falling_back(helper, short_dir):
    connection = client.PersistentConnection(make_settings(short_dir), fallback_factory=refuse_fallback)
    with pytest.raises(errors.ConfigurationError, match='type bytes'):
        connection.invoke('get_revision', {'blob': b'x'}, '1.0')
    connection.close()


@pytest.mark.parametrize('persistent, connection_class', [
    (True, client.PersistentConnection),
    (None, client.PersistentConnection),
    (False, transport.EngineConnection),
])
def test_new_connection_follows_the_persistent_setting(short_dir, persistent, connection_class):
    assert new_connection(make_settings(short_dir, persistent=persistent)).__class__ is connection_class


@pytest.mark.parametrize('url, call_timeout, expected', [
    ('rabbit://u:p@h1:5672/v', 60, 2 + 2 + 60 + 2 + 3),
    ('rabbit://u:p@h1:5672,u:p@h2:5672,u:p@h3:5672/v', 60, 3 * 2 + 2 + 60 + 2 + 3),
    ('rabbit://u:p@h1:5672/v', 5, 2 + 2 + 5 + 2 + 3),
])
def test_a_run_waits_for_the_helper_longer_than_the_helper_works_on_a_call(url, call_timeout, expected):
    # The helper checks every broker host (connect_timeout each), then bounds the call by
    # connect_timeout + timeout + grace: the run's wait must cover both, or a write the helper never
    # sent would be reported as outcome unknown.
    settings = connection_settings(url, connect_timeout=2, persistent=True)
    assert client.PersistentConnection(settings).answer_deadline(call_timeout) == expected


def test_a_helper_ending_as_the_run_connects_is_replaced_by_a_new_one(short_dir, monkeypatch):
    """A killed or idle-exiting helper can still hold its socket for a moment and drop the run at hello: the
    run starts a helper in its place (once), without falling back."""
    settings = make_settings(short_dir)
    ending = ScriptedHelper(settings, hello='close')
    started = []

    def start_and_connect(given, path, key):
        ending.close()
        os.unlink(path)
        started.append(ScriptedHelper(given))
        return launch.connect(path, given.connect_timeout)

    monkeypatch.setattr(client, 'start_and_connect', start_and_connect)
    doubles = []
    connection = client.PersistentConnection(
        settings, fallback_factory=lambda given: doubles.append(InProcessDouble(given)) or doubles[-1])
    try:
        assert connection.invoke('list_stacks', {}, '1.0') == 'from helper'
    finally:
        connection.close()
        for helper in started:
            helper.close()
    assert (len(started), doubles, connection.notices) == (1, [], [])
    assert [request['op'] for request in ending.requests] == ['hello']
    assert [request['op'] for request in started[0].requests] == ['hello', 'invoke']

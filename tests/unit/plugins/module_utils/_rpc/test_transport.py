# -*- coding: utf-8 -*-
"""The in-process connection (``_rpc/transport.py``): why URLs are scrubbed, the private oslo.config setup, the driver."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import ssl
import threading
import time

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_settings
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.transport import EngineConnection, register_late_option_groups


def test_oslo_transport_url_itself_leaks_the_password():
    """Why the scrubber exists: oslo.messaging's own str() of a TransportURL shows the password."""
    oslo_messaging = pytest.importorskip('oslo_messaging')
    connection = EngineConnection(connection_settings('rabbit://heat:leaky-secret@127.0.0.1:5672/'))
    parsed = oslo_messaging.TransportURL.parse(connection.build_conf(), 'rabbit://heat:leaky-secret@127.0.0.1:5672/')
    assert 'leaky-secret' in str(parsed)
    assert 'leaky-secret' not in connection.settings.redacted_url


def test_private_config_needs_the_late_option_groups():
    """oslo.messaging 18.3.1 reads tracing/metrics options in call(); a bare private ConfigOpts lacks them.

    With the collection's own ConfigOpts the same call gets as far as waiting for an answer.
    """
    oslo_messaging = pytest.importorskip('oslo_messaging')
    from importlib.metadata import version
    from oslo_config import cfg

    bare = cfg.ConfigOpts()
    bare([], project='bare', default_config_files=[], default_config_dirs=[])
    transport = oslo_messaging.get_rpc_transport(bare, url='fake://')
    factory = getattr(oslo_messaging, 'get_rpc_client', None) or oslo_messaging.RPCClient
    client = factory(transport, oslo_messaging.Target(topic='t-bare'), timeout=1)
    try:
        with pytest.raises(Exception) as bare_failure:
            client.call({}, 'anything')
    finally:
        transport.cleanup()
    if tuple(int(part) for part in version('oslo.messaging').split('.')[:2]) >= (18, 3):
        assert isinstance(bare_failure.value, cfg.NoSuchOptError)

    connection = EngineConnection(connection_settings('fake://', timeout=1, topic='t-ours'))
    try:
        with pytest.raises(errors.EngineNotAnsweringError):
            connection.invoke('anything', {}, '1.0')
    finally:
        connection.close()
    registered = register_late_option_groups(cfg.ConfigOpts())
    ours = connection.build_conf()
    for group in registered:
        assert hasattr(ours, group)


def test_rabbit_transport_is_built_as_get_rpc_transport_builds_it_without_stevedore(monkeypatch):
    """rabbit:// gets the driver class its entry point names, with get_rpc_transport's arguments; no entry-point scan."""
    oslo_messaging = pytest.importorskip('oslo_messaging')
    from importlib.metadata import entry_points
    from stevedore import driver as stevedore_driver
    from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc import transport as transport_module

    url = 'rabbit://heat:secret@127.0.0.1:5672/heat'
    reference = oslo_messaging.get_rpc_transport(EngineConnection(connection_settings(url)).build_conf(), url=url)

    def no_scan(*args, **kwargs):
        raise AssertionError('stevedore was asked for a driver')

    monkeypatch.setattr(stevedore_driver, 'DriverManager', no_scan)
    ours = transport_module.rpc_transport(EngineConnection(connection_settings(url)).build_conf(), url)
    try:
        [rabbit_entry] = [entry for entry in entry_points(group='oslo.messaging.drivers') if entry.name == 'rabbit']
        assert type(ours) is type(reference) is oslo_messaging.transport.RPCTransport
        assert type(ours._driver) is type(reference._driver) is rabbit_entry.load()
        for attribute in ('_default_exchange', '_allowed_remote_exmods'):
            assert getattr(ours._driver, attribute) == getattr(reference._driver, attribute)
        assert ours._driver._default_exchange == 'openstack'  # the conf's control_exchange; targets name 'heat'
        assert str(ours._driver._url) == str(reference._driver._url)
        # Any other scheme still goes through get_rpc_transport (here: stevedore, which now refuses).
        with pytest.raises(AssertionError, match='stevedore was asked'):
            transport_module.rpc_transport(EngineConnection(connection_settings('fake://')).build_conf(), 'fake://')
    finally:
        ours.cleanup()
        reference.cleanup()


# -- a connection that speaks the other protocol than its broker's listener -------------------------------------

class Deadline:
    """Runs Deadline.run with a suspicion check that records when it ran."""

    def __init__(self, work_seconds, after, seconds=1.0):
        from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.transport import Deadline as RealDeadline
        self.checked = []
        self.outcome = RealDeadline(seconds).run(lambda: time.sleep(work_seconds) or 'answer',
                                                 (after, lambda: self.checked.append(True)))


@pytest.mark.parametrize('work_seconds, after, checked, finished', [
    (0.0, 0.3, False, True),  # answered before the suspicion: no check
    (0.6, 0.1, True, True),  # still going after 0.1 s: checked once, then waited for
    (2.0, 0.1, True, False),  # checked, and the deadline still ends it
    (2.0, 5.0, True, False),  # a suspicion later than the deadline is checked at the deadline
])
def test_deadline_runs_the_suspicion_check_once_only_while_the_call_goes_on(work_seconds, after, checked, finished):
    run = Deadline(work_seconds, after)
    assert run.checked == ([True] if checked else [])
    assert run.outcome == ((True, 'answer') if finished else (False, None))


class BlockedCall:
    """An RPC client whose calls are answered only when ``answered`` is set (never, for a broker kombu cannot reach)."""

    def __init__(self, answer_at_once=False):
        self.answered = threading.Event()
        if answer_at_once:
            self.answered.set()
        self.calls = 0

    def call(self, ctxt, method, **kwargs):
        self.calls += 1
        self.answered.wait(10)
        return 'answer'

    cast = call


class RecordingTransport:
    def __init__(self):
        self.cleaned = False

    def cleanup(self):
        self.cleaned = True


@pytest.fixture
def blocked(monkeypatch):
    """(connection factory, the listener findings each check returned, the client): a plain connection whose
    calls hang, with a short connect_timeout and deadline."""
    from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc import listener, transport

    monkeypatch.setattr(transport, 'DEADLINE_GRACE', 0.1)
    checks = []
    client = BlockedCall()

    def connect(findings, url='rabbit://heat:secret@localhost:5671/heat', **options):
        def listeners(settings):
            checks.append(findings)
            return findings

        monkeypatch.setattr(listener, 'listeners', listeners)
        connection = EngineConnection(connection_settings(url, connect_timeout=0.2, timeout=0.3, **options))
        connection._transport = RecordingTransport()
        connection.rpc_client = lambda version, timeout: client
        return connection

    yield connect, checks, client
    client.answered.set()


@pytest.mark.parametrize('writes', [True, False])
def test_a_plain_call_unanswered_for_connect_timeout_to_tls_listeners_is_a_tls_error_not_an_unknown_outcome(
        blocked, writes):
    connect, checks, _client = blocked
    connection = connect([('localhost:5671', 'TLS')])
    transport = connection._transport
    started = time.monotonic()
    with pytest.raises(errors.TLSError) as failure:
        connection.invoke('stack_suspend', {}, '1.0', writes=writes)
    assert time.monotonic() - started < 0.5  # at connect_timeout (0.2), not at the deadline (0.6)
    assert failure.value.__class__ is errors.TLSError and failure.value.method == 'stack_suspend'
    assert 'localhost:5671: speaks TLS' in failure.value.message and 'nothing was sent' in failure.value.message
    assert len(checks) == 1
    # It never connected: the transport is let go without a cleanup that would wait on the retrying call.
    connection.close()
    assert connection._transport is None and not transport.cleaned


@pytest.mark.parametrize('writes, error', [(True, errors.OutcomeUnknownError), (False, errors.EngineNotAnsweringError)])
def test_a_plain_call_to_a_plain_listener_still_waits_for_its_deadline(blocked, writes, error):
    connect, checks, _client = blocked
    connection = connect([('localhost:5671', 'plain AMQP')])
    with pytest.raises(errors.HeatRpcError) as failure:
        connection.invoke('stack_suspend', {}, '1.0', writes=writes)
    assert failure.value.__class__ is error
    assert len(checks) == 1


@pytest.mark.parametrize('situation', ['answered before', 'tls connection', 'fake driver'])
def test_the_listeners_are_not_asked_on_a_connection_that_got_through_or_that_cannot_mismatch(
        blocked, tmp_path, situation):
    connect, checks, client = blocked
    options = {}
    if situation == 'tls connection':
        ca_file = tmp_path / 'ca.pem'
        ca_file.write_text('not read here')
        options = {'ssl': True, 'ssl_ca_file': str(ca_file)}
    if situation == 'fake driver':
        options = {'url': 'fake://'}
    connection = connect([('localhost:5671', 'TLS')], **options)
    if situation == 'answered before':
        client.answered.set()
        assert connection.invoke('show_stack', {}, '1.0') == 'answer'
        client.answered.clear()
    with pytest.raises(errors.EngineNotAnsweringError):
        connection.invoke('show_stack', {}, '1.0')
    assert checks == []


def test_an_answered_call_costs_no_question_to_the_listeners(blocked):
    connect, checks, client = blocked
    client.answered.set()
    connection = connect([('localhost:5671', 'TLS')])
    assert [connection.invoke('show_stack', {}, '1.0') for _call in range(3)] == ['answer'] * 3
    assert checks == [] and client.calls == 3


# (the handshake error, what the listener speaks, whether it is asked, what the message ends with)
HANDSHAKE_FAILURES = [
    (ssl.SSLError(1, '[SSL: WRONG_VERSION_NUMBER] wrong version number'), 'plain AMQP', True,
     "wrong version number; the listener speaks plain AMQP, not TLS): point transport_url at the broker's TLS "
     "port (5671 by default), or connect without TLS (ssl: false, and no ssl=1 in transport_url); nothing was sent"),
    (ssl.SSLError(1, '[SSL: WRONG_VERSION_NUMBER] wrong version number'), None, True, 'wrong version number)'),
    (ssl.SSLError(1, '[SSL: WRONG_VERSION_NUMBER] wrong version number'), 'TLS', True, 'wrong version number)'),
    (ssl.SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed'), 'plain AMQP',
     False, 'certificate verify failed)'),
]


@pytest.mark.parametrize('exc, spoken, asked, ending', HANDSHAKE_FAILURES)
def test_a_failed_tls_handshake_says_when_the_listener_speaks_plain_amqp(tmp_path, monkeypatch, exc, spoken, asked,
                                                                         ending):
    from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc import listener, transport

    def probe_broker(host, settings):
        raise exc

    questions = []
    monkeypatch.setattr(transport, 'probe_broker', probe_broker)
    monkeypatch.setattr(listener, 'what_speaks', lambda host, timeout: questions.append(host.address) or spoken)
    ca_file = tmp_path / 'ca.pem'
    ca_file.write_text('not read here')
    connection = EngineConnection(connection_settings('rabbit://heat:secret@localhost:5672/heat', ssl=True,
                                                      ssl_ca_file=str(ca_file)))
    with pytest.raises(errors.TLSError) as failure:
        connection.preflight()
    assert failure.value.message.startswith('TLS handshake with the RabbitMQ broker failed (localhost:5672: ')
    assert failure.value.message.endswith(ending)
    assert questions == (['localhost:5672'] if asked else [])


def remote_error():
    import oslo_messaging
    return oslo_messaging.RemoteError('StackNotFound', 'The Stack (x) could not be found.')


def messaging_timeout():
    import oslo_messaging
    return oslo_messaging.MessagingTimeout('no reply')


# (what the first call raised, whether the connection then counts as one that got through)
FIRST_FAILURES = [
    (remote_error, True),  # the engine answered
    (messaging_timeout, True),  # the message was sent
    (lambda: ConnectionResetError(104, 'Connection reset by peer'), False),
    (lambda: ssl.SSLError(1, 'wrong version number'), False),
]


@pytest.mark.parametrize('failure, got_through', FIRST_FAILURES)
def test_a_failed_call_counts_as_getting_through_only_when_it_crossed_the_broker(blocked, failure, got_through):
    pytest.importorskip('oslo_messaging')
    connect, checks, client = blocked
    connection = connect([('localhost:5671', 'TLS')])
    raised = failure()

    def fails(ctxt, method, **kwargs):
        raise raised

    client.call = fails
    with pytest.raises(errors.HeatRpcError):
        connection.invoke('show_stack', {}, '1.0')
    del client.call  # the next call hangs
    with pytest.raises(errors.EngineNotAnsweringError if got_through else errors.TLSError):
        connection.invoke('show_stack', {}, '1.0')
    assert len(checks) == (0 if got_through else 1)

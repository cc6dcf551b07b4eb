# -*- coding: utf-8 -*-
"""What a broker listener speaks (``_rpc/listener.py``): the answers to the AMQP header as RabbitMQ gives them,
the error of a plain connection to TLS listeners, and the question asked over real loopback sockets."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import socket
import struct
import threading

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_settings
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc import listener
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.listener import AMQP, REFUSED, TLS

# What RabbitMQ 3.x answered the AMQP header with (measured on a private node's two listeners).
CONNECTION_START = b'\x01\x00\x00\x00\x00\x01\xfc\x00\n\x00\n\x00\t\x00\x00\x01\xd7\x0ccapabilities'
TLS_ALERT = b'\x15\x03\x01\x00\x02\x02\n'

SPEAKS = [
    (CONNECTION_START, AMQP),
    (b'AMQP\x00\x00\x09\x01', AMQP),  # the header of the version it speaks (RabbitMQ's answer to a TLS hello)
    (b'AMQP\x00\x01\x00\x00', AMQP),  # another AMQP version still is plain AMQP
    (TLS_ALERT, TLS),
    (b'\x16\x03\x03\x00z\x02', TLS),  # a ServerHello
    (b'\x15\x03', TLS),
    (b'', None),  # closed or silent
    (b'\x01\x00', None),  # too little to tell
    (b'HTTP/1.1 400 Bad Request', None),
    (b'\x15\x02\x00', None),  # not TLS 1.x/SSL 3
    (b'\x17\x03\x03', None),  # application data never comes first
]


@pytest.mark.parametrize('answer, spoken', SPEAKS)
def test_what_the_answer_to_the_amqp_header_says_the_listener_speaks(answer, spoken):
    assert listener.speaks(answer) == spoken


def settings(tmp_path, hosts=('localhost:5671',), ssl=False):
    url = 'rabbit://%s/heat' % ','.join('heat:secret@%s' % host for host in hosts)
    options = {}
    if ssl:
        ca_file = tmp_path / 'ca.pem'
        ca_file.write_text('not read here')
        options = {'ssl': True, 'ssl_ca_file': str(ca_file)}
    return connection_settings(url, connect_timeout=4, **options)


# (what each host of a plain connection speaks, whether that is a TLS error, what its message names)
PLAIN_TO_TLS = [
    ([TLS], True, ['localhost:5671: speaks TLS']),
    ([TLS, TLS], True, ['localhost:5671: speaks TLS; b:5671: speaks TLS']),
    ([TLS, REFUSED], True, ['b:5671: refused the connection']),
    # A host that speaks plain AMQP may have taken the call, and one that cannot be told may be a slow broker.
    ([TLS, AMQP], False, []),
    ([TLS, None], False, []),
    ([AMQP], False, []),
    ([None], False, []),
    ([REFUSED], False, []),  # no TLS anywhere: that is broker_unreachable's business, not TLS's
    ([REFUSED, REFUSED], False, []),
]


@pytest.mark.parametrize('spoken, is_tls_error, names', PLAIN_TO_TLS)
def test_a_plain_connection_is_a_tls_error_only_when_every_host_speaks_tls_or_refuses(
        tmp_path, spoken, is_tls_error, names):
    hosts = ['localhost:5671', 'b:5671'][:len(spoken)]
    found = list(zip(hosts, spoken))
    error = listener.plain_to_tls_error(found, settings(tmp_path, hosts), method='create_stack')
    if not is_tls_error:
        assert error is None
        return
    assert error.__class__ is errors.TLSError and error.kind == 'tls_error' and error.method == 'create_stack'
    # Not outcome_unknown: the connection never opened, so a write cannot have been sent.
    assert not isinstance(error, errors.OutcomeUnknownError)
    assert error.message.startswith('the RabbitMQ broker speaks TLS (AMQPS) but this connection uses plain AMQP (')
    for name in names + ['set ssl: true (or ssl=1 in transport_url) with ssl_ca_file', "plain AMQP port (5672",
                         'nothing was sent']:
        assert name in error.message
    assert 'secret' not in error.message


def test_a_tls_connection_never_gets_the_plain_connection_error(tmp_path):
    assert listener.plain_to_tls_error([('localhost:5671', TLS)], settings(tmp_path, ssl=True)) is None


# (the connection uses TLS, what the listener speaks, the hint)
HINTS = [
    (True, AMQP, 'the listener speaks plain AMQP, not TLS'),
    (False, TLS, 'the listener speaks TLS, not plain AMQP'),
    (True, TLS, ''),
    (False, AMQP, ''),
    (True, None, ''),
    (True, REFUSED, ''),
]


@pytest.mark.parametrize('ssl, spoken, hint', HINTS)
def test_a_hint_only_when_the_listener_speaks_the_other_protocol(tmp_path, ssl, spoken, hint):
    assert listener.mismatch_hint(spoken, settings(tmp_path, ssl=ssl)) == hint


@pytest.mark.parametrize('ssl, fix', [
    (True, "point transport_url at the broker's TLS port (5671 by default), or connect without TLS"),
    (False, "set ssl: true (or ssl=1 in transport_url) with ssl_ca_file, or point transport_url at the broker's plain"),
])
def test_the_fix_names_the_options_of_the_side_that_is_wrong(tmp_path, ssl, fix):
    assert listener.fix(settings(tmp_path, ssl=ssl)).startswith(fix)


def test_every_host_is_asked_within_connect_timeout_in_all(tmp_path, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(listener.time, 'monotonic', lambda: clock[0])
    asked = []

    def slow_asker(host, timeout):
        asked.append((host.address, timeout))
        clock[0] += 3.0
        return TLS_ALERT

    found = listener.listeners(settings(tmp_path, ['a:1', 'b:2', 'c:3']), asker=slow_asker)
    # connect_timeout is 4: the second host gets what is left, the third is not asked.
    assert asked == [('a:1', 4.0), ('b:2', 1.0)]
    assert found == [('a:1', TLS), ('b:2', TLS), ('c:3', None)]


def test_a_host_that_cannot_be_asked_cannot_be_told(tmp_path):
    def unresolvable(host, timeout):
        raise socket.gaierror(-2, 'Name or service not known')

    assert listener.listeners(settings(tmp_path), asker=unresolvable) == [('localhost:5671', None)]


# -- the question over real sockets ------------------------------------------------------------------------------


class Listener:
    """A loopback listener that reads the AMQP header of each connection, answers ``answer`` and then
    resets (``reset``, as RabbitMQ's TLS listener does), closes, or stays silent (``answer`` None)."""

    def __init__(self, answer, reset=False):
        self.answer = answer
        self.reset = reset
        self.received = []
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.done = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        peer, _address = self.sock.accept()
        self.received.append(peer.recv(len(listener.AMQP_HEADER)))
        if self.answer is None:
            self.done.wait(5)
        else:
            peer.sendall(self.answer)
        if self.reset:
            peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        peer.close()
        self.sock.close()


def host_at(port):
    return connection_settings('rabbit://heat:secret@127.0.0.1:%d/heat' % port).url.hosts[0]


@pytest.mark.parametrize('answer, reset, spoken', [
    (CONNECTION_START, False, AMQP),
    (TLS_ALERT, True, TLS),
    (b'', True, None),
])
def test_ask_sends_the_amqp_header_and_reads_the_first_bytes(answer, reset, spoken):
    server = Listener(answer, reset)
    assert listener.speaks(listener.ask(host_at(server.port), 2.0)) == spoken
    assert server.received == [listener.AMQP_HEADER]


def test_ask_a_silent_listener_gives_nothing_when_its_time_is_up():
    server = Listener(None)
    try:
        assert listener.ask(host_at(server.port), 0.3) == b''
    finally:
        server.done.set()


def test_ask_a_port_nobody_listens_on_is_refused():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    assert listener.ask(host_at(port), 1.0) == REFUSED

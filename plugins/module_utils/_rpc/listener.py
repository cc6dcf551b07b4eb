# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a broker listener speaks, asked only when a connection is suspected of using the wrong one (plain or TLS).

Plain AMQP sent to a TLS listener is never answered in a way oslo.messaging reports: kombu reconnects
forever and the call ends at its deadline as "engine not answering" (or "outcome unknown" for a write,
though nothing was ever sent). TLS sent to a plain listener fails the pre-flight handshake with an
OpenSSL "wrong version number". Asking the listener costs a connection and makes RabbitMQ log it, so it
is done only on suspicion (``transport.py`` decides when), never on a healthy run.

The question is the AMQP 0-9-1 protocol header, sent in the clear, as a plain client would open:

- a plain AMQP listener answers with Connection.Start (a method frame on channel 0), or with its own
  protocol header when it speaks another AMQP version;
- a TLS listener answers with a TLS alert record (RabbitMQ: ``15 03 01 00 02 02 0a``, "unexpected
  message") and resets the connection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import time

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors

AMQP_HEADER = b'AMQP\x00\x00\x09\x01'
AMQP = 'plain AMQP'
TLS = 'TLS'
# A listener that refused the TCP connection: nothing there can have received a message.
REFUSED = 'refused'
# Enough of an answer to tell: an AMQP frame's type and channel (3 bytes), a TLS record's type and version (2).
ANSWER_BYTES = 3

# What to change when the listeners speak the other protocol, by what the connection expected.
_FIXES = {
    AMQP: ('set ssl: true (or ssl=1 in transport_url) with ssl_ca_file, or point transport_url at the '
           "broker's plain AMQP port (5672 by default)"),
    TLS: ("point transport_url at the broker's TLS port (5671 by default), or connect without TLS "
          '(ssl: false, and no ssl=1 in transport_url)'),
}


def speaks(answer):
    """What a listener speaks, from the first bytes of its answer to the AMQP header (None: cannot tell)."""
    if answer.startswith(b'\x01\x00\x00') or answer.startswith(b'AMQP'):
        return AMQP
    if answer[:1] in (b'\x15', b'\x16') and answer[1:2] == b'\x03':
        # A TLS record: an alert (0x15) or a handshake (0x16), protocol version 3.x.
        return TLS
    return None


def ask(host, timeout):
    """Send the AMQP header to one broker host; the first bytes of its answer, or REFUSED.

    Other socket errors (DNS, unreachable network) are raised; a silent listener gives what came in time.
    """
    try:
        sock = socket.create_connection((host.hostname, host.port), timeout=timeout)
    except ConnectionRefusedError:
        return REFUSED
    answer = b''
    try:
        sock.sendall(AMQP_HEADER)
        while len(answer) < ANSWER_BYTES:
            data = sock.recv(ANSWER_BYTES - len(answer))
            if not data:
                break
            answer += data
    except (socket.timeout, ConnectionResetError):
        pass  # a TLS listener resets right after its alert; what came before is the answer
    finally:
        sock.close()
    return answer


def what_speaks(host, timeout, asker=ask):
    """What one broker host speaks (AMQP or TLS), REFUSED, or None when it cannot be told."""
    try:
        answer = asker(host, timeout)
    except OSError:  # DNS, an unreachable network, a timeout while connecting
        return None
    return REFUSED if answer == REFUSED else speaks(answer)


def listeners(settings, asker=ask):
    """[(host address, what it speaks)] for every host of the URL, all within connect_timeout."""
    deadline = time.monotonic() + settings.connect_timeout
    found = []
    for host in settings.url.hosts:
        left = deadline - time.monotonic()
        found.append((host.address, what_speaks(host, left, asker) if left > 0 else None))
    return found


def expected(settings):
    return TLS if settings.ssl else AMQP


def mismatch_hint(spoken, settings):
    """The clause a TLS error gains when a listener speaks what the connection does not (else '')."""
    if spoken not in (AMQP, TLS) or spoken == expected(settings):
        return ''
    return 'the listener speaks %s, not %s' % (spoken, expected(settings))


def fix(settings):
    """What to change when the listeners speak the other protocol."""
    return _FIXES[expected(settings)]


def plain_to_tls_error(found, settings, method=None):
    """The TLSError of a plain connection whose every host speaks TLS (or refuses), else None.

    Only then is it certain that oslo.messaging never opened a connection, so that nothing was sent.
    """
    spoken = [what for _address, what in found]
    if settings.ssl or TLS not in spoken or any(what not in (TLS, REFUSED) for what in spoken):
        return None
    where = '; '.join('%s: %s' % (address, 'speaks TLS' if what == TLS else 'refused the connection')
                      for address, what in found)
    return errors.TLSError(
        'the RabbitMQ broker speaks TLS (AMQPS) but this connection uses plain AMQP (%s): %s; no connection '
        'was made, so nothing was sent' % (where, fix(settings)), method=method)

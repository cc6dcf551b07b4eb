# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a run and its persistent helper say to each other: length-prefixed JSON frames, and typed errors in them.

Each message is one JSON object behind a 4-byte big-endian length. A run sends ``hello`` (the helper key)
then ``invoke`` requests; the helper answers each with ``result`` or ``error`` (a typed error as
``error_to_wire`` writes it). Used by both sides (``client.py`` in the run, ``server.py`` in the helper).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import struct

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors

# Bumped whenever a request or reply changes shape; part of the helper's key, so runs of a newer
# collection never talk to an older helper.
PROTOCOL = 1
FRAME_HEADER = struct.Struct('!I')
MAX_FRAME = 256 * 1024 * 1024


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
    # Only errors built as (message, remote_name, details, method); failures with facts (a failed or timed-out
    # wait) are judged by the run, never raised by a call.
    call_error = isinstance(cls, type) and issubclass(cls, errors.HeatRpcError)
    if not call_error or issubclass(cls, errors.FailureWithFacts):
        cls = errors.HeatRpcError
    return cls(data.get('message') or 'the persistent helper reported an error', remote_name=data.get('remote_name'),
               details=data.get('details'), method=data.get('method'))

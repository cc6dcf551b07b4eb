# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The run's side of the persistent helper: PersistentConnection hands each call over, falls back, or reports it lost.

The persistent helper (the default; ``persistent: false`` turns it off) is one broker connection kept open
between module runs. This package holds it in four parts: ``client.py`` (this file: what a run decides), ``wire.py``
(the frames both sides exchange), ``launch.py`` (where a helper lives, its key, and starting one) and
``server.py`` (the helper process itself).

A module run that connects itself imports oslo.messaging and opens its own AMQP connections, which is most
of what a short task costs. Through the helper the run instead hands each RPC to a helper process of the same
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
other users or not writable, a socket path too long, a helper that does not start or answer) makes the run
connect in its own process: with a warning saying why when ``persistent: true`` asked for the helper,
quietly when ``persistent`` is not set (settings.HELPER_USE). A read the helper lost is sent again in
process with a warning either way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent.launch import (
    HelperUnavailable, connect, helper_key, socket_path, start_and_connect,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent.wire import error_from_wire, recv_frame, send_frame
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import DEADLINE_GRACE, context_dict

# Seconds on top of the helper's own deadline (connect_timeout + timeout + grace) before a run stops
# waiting for its answer.
ANSWER_GRACE = 3.0


class PersistentConnection:
    """EngineConnection's interface, with the calls handed to the helper (started on first use)."""

    def __init__(self, settings, fallback_factory=None):
        self.settings = settings
        self._fallback_factory = fallback_factory or _in_process_connection
        self._sock = None
        self._fallback = None
        self.helper_pid = None
        # Why this run connected in process after all (when that is worth telling); HeatRpcModule turns them
        # into warnings.
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
                self._fall_back(exc)
        return self._fallback.invoke(method, kwargs, version, writes=writes, cast=cast, timeout=timeout,
                                     context=context)

    def close(self):
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()
        if self._fallback is not None:
            self._fallback.close()

    def _fall_back(self, unavailable):
        self.close()
        # A call the helper lost is told whatever the setting; a helper this host cannot run, only when asked for.
        if isinstance(unavailable, HelperLostRead) or self.settings.warns_without_helper:
            self.notices.append('persistent: this run connected to the broker itself: %s' % unavailable)
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
                raise HelperLostRead('the helper (pid %s) lost the call to %s: %s'
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
            timeout = self.settings.connect_timeout
            sock = connect(path, timeout)
            if sock is not None:
                try:
                    self.helper_pid = hello(sock, key, timeout)
                except HelperEnding:
                    # A helper that was ending (killed, or at its idle exit) still held the socket when we
                    # connected and dropped us: the path is free or about to be. Start one, once.
                    sock = None
            if sock is None:
                sock = start_and_connect(self.settings, path, key)
                self.helper_pid = hello(sock, key, timeout)
            self._sock = sock
        return self._sock


def _in_process_connection(settings):
    from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.transport import EngineConnection
    return EngineConnection(settings)


class HelperLostRead(HelperUnavailable):
    """The helper was handed a read and lost it: the run sends it again itself (a read is safe to repeat)."""


class HelperEnding(HelperUnavailable):
    """The helper dropped the connection at hello: it is ending, and another may be started in its place."""


def hello(sock, key, timeout):
    """Check that the helper serves these settings; its pid."""
    sock.settimeout(timeout)
    try:
        send_frame(sock, {'op': 'hello', 'key': key})
        reply = recv_frame(sock)
    except (ConnectionResetError, BrokenPipeError) as exc:
        sock.close()
        raise HelperEnding('the helper did not answer: %s' % exc)
    except (OSError, EOFError, ValueError) as exc:
        sock.close()
        raise HelperUnavailable('the helper did not answer: %s' % (exc or type(exc).__name__))
    if reply is None:
        sock.close()
        raise HelperEnding('the helper closed the connection')
    if reply.get('key') != key:
        sock.close()
        raise HelperUnavailable('the helper listening there serves other settings')
    return reply.get('pid')

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The oslo.messaging side of the EngineClient: transport, deadlines (the settings are in settings.py).

Everything that touches the broker lives here: a private oslo.config
ConfigOpts (never /etc/*.conf, never the global CONF), a reachability and TLS
check before oslo.messaging gets a chance to reconnect forever, a wall-clock
deadline around every RPC (asking the listeners what they speak when a first call
goes unanswered for connect_timeout, see listener.py), and the mapping of every
local and remote failure to the errors in ``errors.py`` with secrets scrubbed from the text.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import ssl
import sys
import threading
import time
import types

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc import listener
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import DEADLINE_GRACE, context_dict


class _ClientOnlyImport:
    """Import oslo.messaging for an RPC client without eventlet and oslo.service's service module.

    ``oslo_messaging/__init__`` imports its RPC server, whose base class is
    ``oslo_service.service.ServiceBase``; that module loads oslo.service's eventlet backend, and
    ``oslo_messaging._utils`` and ``oslo_utils.eventletutils`` import eventlet whenever it is
    installed. Together that is about half of oslo.messaging's import time, and a client uses none
    of it. For the duration of the import (and of the RabbitMQ driver's, which the transport loads
    later) this:

    - blocks ``eventlet`` (``sys.modules['eventlet'] = None``, the documented way), so the optional
      imports take their no-eventlet branch: plain threads, as in any process that is not
      monkey-patched;
    - stands in for ``oslo_service.service`` with a module holding the real ``ServiceBase`` class
      from ``oslo_service.backend.base`` (oslo.service >= 4.0: an abstract interface with no
      imports of its own), so ``MessageHandlingServer`` has its usual base class.

    Both entries are removed afterwards: a later ``import oslo_service.service`` or
    ``import eventlet`` in the same process gets the real modules. Nothing is done when the process
    already has oslo.messaging, eventlet or oslo_service.service loaded (an OpenStack service), or
    when oslo.service has no ``backend.base`` (< 4.0): then it is the plain import.
    """

    BLOCKED = ('eventlet',)
    STAND_IN = 'oslo_service.service'
    PRELOADED = ('oslo_messaging', 'eventlet', 'oslo_service.service')

    def __init__(self):
        self.entries = {}
        self.active = False

    def __enter__(self):
        if any(name in sys.modules for name in self.PRELOADED):
            return self
        try:
            from oslo_service.backend.base import ServiceBase
        except ImportError:
            return self
        stand_in = types.ModuleType(self.STAND_IN, 'heat_rpc.engine stand-in: ServiceBase only')
        stand_in.ServiceBase = ServiceBase
        self.entries = dict((name, None) for name in self.BLOCKED)
        self.entries[self.STAND_IN] = stand_in
        sys.modules.update(self.entries)
        self.active = True
        return self

    def __exit__(self, *exc_info):
        for name, value in self.entries.items():
            if sys.modules.get(name, False) is value:
                del sys.modules[name]
        parent = sys.modules.get('oslo_service')
        if self.active and getattr(parent, 'service', None) is self.entries[self.STAND_IN]:
            delattr(parent, 'service')
        self.entries = {}
        return False


try:
    with _ClientOnlyImport() as CLIENT_ONLY_IMPORT:
        import oslo_messaging
        from oslo_messaging import opts as oslo_messaging_opts
        from oslo_config import cfg
        try:
            # The driver of rabbit:// (see rpc_transport), imported here while eventlet is blocked.
            from oslo_messaging._drivers import impl_rabbit
        except ImportError:  # pragma: no cover - get_rpc_transport reports it when it needs the driver
            impl_rabbit = None
    HAS_OSLO_MESSAGING = True
    OSLO_MESSAGING_IMPORT_ERROR = None
except ImportError as import_error:  # pragma: no cover - exercised by sanity's import test
    oslo_messaging = None
    oslo_messaging_opts = None
    cfg = None
    impl_rabbit = None
    HAS_OSLO_MESSAGING = False
    OSLO_MESSAGING_IMPORT_ERROR = import_error

CLEANUP_TIMEOUT = 5.0
# oslo.messaging's reply queues are not auto-delete; unused this long they expire, so module runs
# (each with its own reply queue) leave only the last few seconds' worth behind.
REPLY_QUEUE_TTL = 10

# oslo.messaging >= 14.4 reads these option groups in RPCClient.call() but only
# registers them on the global CONF; a private ConfigOpts must register them
# itself or every call fails with NoSuchOptError.
_LATE_OPTION_GROUPS = (
    ('oslo_messaging._tracing.client', 'oslo_messaging_tracing', 'oslo_messaging_tracing'),
    ('oslo_messaging._metrics.client', 'oslo_messaging_metrics', 'oslo_messaging_metrics'),
)


class Deadline:
    """Runs a callable in a daemon thread and stops waiting for it after ``seconds``.

    oslo.messaging can block forever (a broker that vanished mid-call keeps it
    reconnecting even with retry=0); a daemon thread does not keep the module
    process alive after it has reported.
    """

    def __init__(self, seconds):
        self.seconds = seconds

    def run(self, func, suspicion=None):
        """``(finished, result)`` of ``func``; ``suspicion`` (seconds, check) runs ``check`` once when ``func``
        is still going after that many seconds, in this thread (it may raise; the worker is left behind)."""
        outcome = {}

        def target():
            try:
                outcome['result'] = func()
            except BaseException as exc:  # pylint: disable=broad-except  # re-raised in the caller's thread
                outcome['error'] = exc

        worker = threading.Thread(target=target, name='heat-rpc-call')
        worker.daemon = True
        worker.start()
        started = time.monotonic()
        if suspicion is not None:
            after, check = suspicion
            worker.join(min(after, self.seconds))
            if worker.is_alive():
                check()
        worker.join(max(0.0, self.seconds - (time.monotonic() - started)))
        if worker.is_alive():
            return False, None
        if 'error' in outcome:
            raise outcome['error']
        return True, outcome.get('result')


class EngineConnection:
    """One transport to the broker for the lifetime of a module run."""

    def __init__(self, settings, transport=None):
        self.settings = settings
        # A transport handed in (tests share one with an in-process server) is the caller's to clean up.
        self._transport = transport
        self._owns_transport = transport is None
        self._checked = False
        # Whether a call got through to the broker; until then, a call that goes unanswered for
        # connect_timeout has the broker's listener asked what it speaks (see _check_listeners).
        self._got_through = False

    # -- setup -------------------------------------------------------------

    def build_conf(self):
        """A private ConfigOpts with every oslo.messaging option registered and tuned for this run."""
        conf = cfg.ConfigOpts()
        conf([], project='heat_rpc_engine', default_config_files=[], default_config_dirs=[])
        # Driver options are registered by the transport itself, but overrides need them earlier.
        for group, options in oslo_messaging_opts.list_opts():
            conf.register_opts(options, group=group)
        register_late_option_groups(conf)
        self._configure_rabbit(conf)
        return conf

    def _configure_rabbit(self, conf):
        settings = self.settings
        group = 'oslo_messaging_rabbit'
        # Reply queues of a run that was killed expire instead of piling up on the broker.
        _set_if_known(conf, 'rabbit_transient_queues_ttl', REPLY_QUEUE_TTL, group)
        _set_if_known(conf, 'heartbeat_timeout_threshold', max(10, int(settings.timeout)), group)
        _set_if_known(conf, 'rabbit_retry_interval', 1, group)
        _set_if_known(conf, 'rabbit_interval_max', 2, group)
        if settings.ssl:
            conf.set_override('ssl', True, group)
            conf.set_override('ssl_ca_file', settings.ca_file or '', group)
            if settings.ssl_cert_file:
                conf.set_override('ssl_cert_file', settings.ssl_cert_file, group)
                conf.set_override('ssl_key_file', settings.ssl_key_file, group)

    def preflight(self, again=False):
        """Check that a broker host accepts TCP (and TLS) before oslo.messaging tries.

        oslo.messaging retries an unreachable broker forever; this check turns
        refused connections, DNS failures and TLS mismatches into a clear error
        within connect_timeout. Done once per connection, or ``again`` (the persistent
        helper checks once per module run, as a module that connects itself does).
        """
        settings = self.settings
        if settings.url.scheme == 'fake' or (self._checked and not again):
            return
        failures = []
        tls_failure = None
        fix = ''
        for host in settings.url.hosts:
            try:
                probe_broker(host, settings)
                self._checked = True
                return
            except ssl.SSLError as exc:
                tls_failure = '%s: %s' % (host.address, _ssl_reason(exc))
                hint = _handshake_hint(host, exc, settings)
                if hint:
                    tls_failure += '; ' + hint
                    fix = ': %s; nothing was sent' % listener.fix(settings)
                failures.append(tls_failure)
            except socket.timeout:
                failures.append('%s: no answer within %ss' % (host.address, settings.connect_timeout))
            except (socket.error, OSError) as exc:
                failures.append('%s: %s' % (host.address, exc.strerror or exc))
        if tls_failure:
            raise errors.TLSError('TLS handshake with the RabbitMQ broker failed (%s)%s' % ('; '.join(failures), fix))
        raise errors.BrokerUnreachableError('cannot reach the RabbitMQ broker (%s)' % '; '.join(failures))

    @property
    def transport(self):
        if self._transport is None:
            if not HAS_OSLO_MESSAGING:
                raise errors.ConfigurationError('the Python library oslo.messaging is required on the host the module runs on')
            self.preflight()
            try:
                self._transport = rpc_transport(self.build_conf(), self.settings.transport_url)
            except Exception as exc:  # pylint: disable=broad-except
                raise errors.ConfigurationError(
                    'transport_url %s was rejected: %s' % (self.settings.redacted_url, self.settings.scrubber.scrub(str(exc))))
        return self._transport

    def close(self):
        transport, self._transport = self._transport, None
        if transport is not None and self._owns_transport:
            # cleanup() can block on a dead broker; never let it hold the module.
            Deadline(CLEANUP_TIMEOUT).run(transport.cleanup)

    # -- calls -------------------------------------------------------------

    def rpc_client(self, version, timeout=None):
        settings = self.settings
        target = oslo_messaging.Target(exchange=settings.exchange, topic=settings.topic, version=version)
        options = {'timeout': timeout or settings.timeout}
        if settings.call_monitor_timeout:
            options['call_monitor_timeout'] = settings.call_monitor_timeout
        # get_rpc_client arrived in oslo.messaging 14.1; RPCClient (deprecated since) is the older spelling.
        factory = getattr(oslo_messaging, 'get_rpc_client', None) or oslo_messaging.RPCClient
        return factory(self.transport, target, **options)

    def invoke(self, method, kwargs, version, writes=False, cast=False, timeout=None, context=None):
        """Send one RPC and return its result, mapping every failure to ``errors``."""
        settings = self.settings
        call_timeout = timeout or settings.timeout
        ctxt = context_dict(context or settings.context)
        started = time.monotonic()
        try:
            client = self.rpc_client(version, call_timeout)
            sender = client.cast if cast else client.call
            finished, result = Deadline(settings.connect_timeout + call_timeout + DEADLINE_GRACE).run(
                lambda: sender(ctxt, method, **kwargs), self._suspicion(method))
        except errors.HeatRpcError:
            raise
        except Exception as exc:  # pylint: disable=broad-except  # every failure gets a typed, scrubbed error
            self._got_through = self._got_through or self._answered_over_the_broker(exc)
            raise self._map_exception(exc, method, writes, call_timeout, time.monotonic() - started)
        if not finished:
            raise self._no_answer(method, writes, call_timeout, time.monotonic() - started, guard=True)
        self._got_through = True
        return result

    def _suspicion(self, method):
        """When to ask the broker's listeners what they speak: a plain connection that has not got through yet,
        still unanswered after connect_timeout (a healthy broker has answered by then; TLS is checked up front)."""
        settings = self.settings
        if self._got_through or settings.ssl or settings.url.scheme == 'fake':
            return None
        return settings.connect_timeout, lambda: self._check_listeners(method)

    def _check_listeners(self, method):
        """Fail with a TLS error when every broker host speaks TLS (kombu would retry them forever)."""
        error = listener.plain_to_tls_error(listener.listeners(self.settings), self.settings, method=method)
        if error is not None:
            if self._owns_transport:
                # It never connected: nothing to clean up, and cleanup() would wait on the call still retrying.
                self._transport = None
            raise error

    @staticmethod
    def _answered_over_the_broker(exc):
        """An engine's error, or a timeout of a message that was sent: either way the connection works."""
        return _is_remote(exc) or (oslo_messaging is not None and isinstance(exc, oslo_messaging.MessagingTimeout))

    def _no_answer(self, method, writes, call_timeout, elapsed, guard=False):
        settings = self.settings
        where = "exchange '%s', topic '%s' at %s" % (settings.exchange, settings.topic, settings.redacted_url)
        if guard:
            text = ("no answer to '%s' within %.1f s (broker connection lost or blocked) on %s"
                    % (method, elapsed, where))
        elif settings.call_monitor_timeout and elapsed < call_timeout:
            text = ("heat-engine stopped answering '%s' after %.1f s (no heartbeat for call_monitor_timeout %s s) "
                    "on %s: the engine may be hung or gone" % (method, elapsed, settings.call_monitor_timeout, where))
        else:
            text = ("heat-engine did not answer '%s' within %s s on %s: is an engine running on that vhost, "
                    "and does it use that exchange and topic?" % (method, call_timeout, where))
        if writes:
            return errors.OutcomeUnknownError(
                text + '; the request was sent, so it may or may not have taken effect', method=method)
        return errors.EngineNotAnsweringError(text, method=method)

    def _map_exception(self, exc, method, writes, call_timeout, elapsed):
        scrub = self.settings.scrubber.scrub
        name = type(exc).__name__
        # The dispatcher's own errors arrive as RemoteError over RabbitMQ, but as themselves in-process.
        if _is_remote(exc) or name in ('NoSuchMethod', 'UnsupportedVersion'):
            mapped = errors.classify_remote(exc, method=method)
            mapped.message = scrub(mapped.message)
            mapped.details = scrub(mapped.details)
            return mapped
        if oslo_messaging is not None and isinstance(exc, oslo_messaging.MessagingTimeout):
            return self._no_answer(method, writes, call_timeout, elapsed)
        if name == 'AccessRefused' or 'ACCESS_REFUSED' in str(exc):
            users = sorted(set(host.username or 'guest' for host in self.settings.url.hosts))
            return errors.AuthError("the RabbitMQ broker refused the login of user '%s' (wrong username or password)"
                                    % "', '".join(users), method=method)
        if name == 'NotAllowed' or 'NOT_ALLOWED' in str(exc):
            return errors.AuthError("the RabbitMQ broker refused access to virtual host '%s' for this user"
                                    % (self.settings.url.virtual_host or '/'), method=method)
        if isinstance(exc, ssl.SSLError):
            return errors.TLSError('TLS error talking to the broker: %s' % scrub(_ssl_reason(exc)), method=method)
        if isinstance(exc, (socket.error, OSError)) or name in ('OperationalError', 'RecoverableConnectionError',
                                                                'ConnectionForced', 'MessageDeliveryFailure'):
            return errors.BrokerUnreachableError('lost the connection to the RabbitMQ broker during %s: %s'
                                                 % (method, scrub(str(exc))), method=method)
        if name == 'RPCVersionCapError':
            return errors.NotSupportedError(scrub(str(exc)), method=method)
        return errors.HeatRpcError('%s failed: %s: %s' % (method, name, scrub(str(exc))), method=method)


def register_late_option_groups(conf):
    """Register oslo.messaging's tracing/metrics options on a private ConfigOpts.

    Returns the groups it registered (empty on oslo.messaging versions that
    do not read them).
    """
    import importlib
    registered = []
    for module_name, attribute, group in _LATE_OPTION_GROUPS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        options = getattr(module, attribute, None)
        if options:
            conf.register_opts(options, group=group)
            registered.append(group)
    return registered


def rpc_transport(conf, transport_url):
    """oslo.messaging's RPC transport for ``transport_url``; for rabbit://, built without stevedore.

    get_rpc_transport finds the driver through stevedore, which reads the entry points of every
    installed package and caches them in ~/.cache/python-entrypoints, in a file named after sys.path.
    A module's sys.path holds its own temporary directory, so every task paid that scan (about 15 ms)
    and left a new 27 kB file behind. For rabbit:// the driver is built here as get_rpc_transport
    builds it (the same class, which the 'rabbit' entry point names, and the same arguments, in
    oslo.messaging 14.0 to 18.3); any other scheme goes through get_rpc_transport.
    """
    url = oslo_messaging.TransportURL.parse(conf, transport_url)
    if impl_rabbit is None or url.transport.split('+')[0] != 'rabbit':
        return oslo_messaging.get_rpc_transport(conf, url=url)
    driver = impl_rabbit.RabbitDriver(conf, url, default_exchange=conf.control_exchange, allowed_remote_exmods=[])
    return oslo_messaging.transport.RPCTransport(driver)


def probe_broker(host, settings):
    """Open (and close) a TCP, and with ssl a verified TLS, connection to one broker host."""
    sock = socket.create_connection((host.hostname, host.port), timeout=settings.connect_timeout)
    try:
        if settings.ssl:
            context = ssl.create_default_context(cafile=settings.ca_file)
            if settings.ssl_cert_file:
                context.load_cert_chain(settings.ssl_cert_file, settings.ssl_key_file)
            tls = context.wrap_socket(sock, server_hostname=host.hostname)
            tls.close()
    finally:
        sock.close()


def _handshake_hint(host, exc, settings):
    """What a host speaks, when a TLS handshake with it failed otherwise than on its certificate (else '')."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return ''  # it speaks TLS: the certificate is what failed
    return listener.mismatch_hint(listener.what_speaks(host, settings.connect_timeout), settings)


def _set_if_known(conf, name, value, group):
    try:
        conf.set_override(name, value, group)
    except cfg.NoSuchOptError:  # older oslo.messaging: the option does not exist, nothing to tune
        pass


def _is_remote(exc):
    """True for an exception that the engine raised and oslo.messaging rebuilt here.

    Heat's own classes arrive as RemoteError; built-in ones as ``<Name>_Remote``
    or, where Python forbids swapping the class, as the built-in itself with the
    engine's traceback appended to its message.
    """
    if oslo_messaging is not None and isinstance(exc, oslo_messaging.RemoteError):
        return True
    if type(exc).__name__.endswith('_Remote'):
        return True
    first = exc.args[0] if exc.args else None
    return isinstance(first, str) and '\nTraceback (most recent call last)' in first


def _ssl_reason(exc):
    reason = getattr(exc, 'reason', None)
    detail = getattr(exc, 'verify_message', None)
    if reason and detail:
        return '%s: %s' % (reason, detail)
    return reason or detail or str(exc)

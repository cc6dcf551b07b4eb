# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection settings and the request context: validated once, used by either connection.

Nothing here imports oslo.messaging, so a module run that hands its calls to the persistent
helper (``persistent/``) never pays for that import; ``transport.py`` is the in-process side.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import uuid

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.api_versions import LATEST_API_VERSION, parse_version
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.redaction import ParsedTransportURL, Scrubber

SUPPORTED_DRIVERS = ('rabbit', 'fake')
# The files among them: checked readable here; a helper is sent them as absolute paths.
TLS_FILES = ('ssl_ca_file', 'ssl_cert_file', 'ssl_key_file')
# Seconds granted on top of connect_timeout + timeout before the wall-clock guard of a call gives up
# (here, not in transport.py, because a run through the persistent helper bounds its wait with it too).
DEADLINE_GRACE = 2.0
# How a module run connects, by its ``persistent`` setting: (hand the calls to the persistent helper, warn when
# the run connects in its own process instead because the helper cannot be used on this host).
HELPER_USE = {
    # Not set (the default): the helper when this host lets it run; else in process, quietly (nobody asked for it).
    None: (True, False),
    # Asked for: not getting it is worth a warning.
    True: (True, True),
    # Turned off: in process.
    False: (False, False),
}


def uses_helper(persistent):
    """Whether a run with this ``persistent`` setting (True, False or None: not set) hands its calls to the helper."""
    return HELPER_USE[persistent][0]


class RequestContext:
    """The RPC request context: who is asking, in which project.

    heat-engine rebuilds its RequestContext from this dict. With
    ``deferred_auth_method = password`` the engine needs ``username`` and
    ``password`` to act for the user later (nested stacks); with ``trusts`` it
    needs ``auth_token`` (and, as heat-api sends it, the token's body
    ``auth_token_info``) to create a trust.
    """

    FIELDS = ('user_id', 'username', 'password', 'project_id', 'project_name', 'user_domain_id',
              'project_domain_id', 'roles', 'is_admin', 'auth_token', 'auth_token_info', 'region_name')

    def __init__(self, **values):
        unknown = set(values) - set(self.FIELDS)
        if unknown:
            raise errors.ConfigurationError('unknown context fields: %s' % ', '.join(sorted(unknown)))
        self.values = dict((key, values.get(key)) for key in self.FIELDS)
        if self.values['roles'] is None:
            self.values['roles'] = []
        self.values['is_admin'] = bool(self.values['is_admin'])

    @property
    def secrets(self):
        return [self.values[key] for key in ('password', 'auth_token') if self.values[key]]

    def to_dict(self):
        """The wire form; a fresh request id each time so engine logs can be correlated."""
        ctxt = dict((key, value) for key, value in self.values.items() if value is not None)
        ctxt['user_name'] = self.values['username']
        ctxt['request_id'] = 'req-%s' % uuid.uuid4()
        ctxt['show_deleted'] = False
        return ctxt


class ConnectionSettings:
    """Validated connection options for one module run.

    ``connection`` holds every value the table of _ansible/connection_options.py sends to the connection,
    defaults filled (a module from its argument spec, other callers through
    ``connection_options.connection_settings``, a persistent helper from the values it was started with);
    they become attributes of the same names, and ``self.connection`` keeps them whole: a persistent helper
    is keyed and started with exactly them. Nothing here repeats a default. ``persistent``
    (True, False, or None when not set) says whether the calls go through the helper (HELPER_USE); ``context`` is the RequestContext (an empty one if None);
    ``api_version_cap`` None or '' means the newest version this client knows.
    """

    def __init__(self, connection, persistent, context=None, api_version_cap=None):
        self.connection = dict(connection)
        try:
            self._take(connection)
        except KeyError as exc:
            raise TypeError('ConnectionSettings: the connection value %s is missing' % exc)
        self.context = context or RequestContext()
        self.persistent = None if persistent is None else bool(persistent)
        self.scrubber = Scrubber(self.context.secrets)
        self.scrubber.add_url(self.transport_url)
        self.url = self._parse_url(self.transport_url)
        self.ssl = self.ssl or self.url.query_flag('ssl')
        # As in effect: TLS asked for in the URL counts (a helper started with these values is keyed by them).
        self.connection.update(ssl=self.ssl, ssl_trust_system_store=self.ssl_trust_system_store)
        self.api_version_cap = self._parse_cap(api_version_cap)
        self._check()

    def _take(self, connection):
        self.transport_url = connection['transport_url']
        self.exchange = connection['exchange']
        self.topic = connection['topic']
        self.timeout = connection['timeout']
        self.connect_timeout = connection['connect_timeout']
        self.call_monitor_timeout = connection['call_monitor_timeout']
        self.ssl_ca_file = connection['ssl_ca_file']
        self.ssl_cert_file = connection['ssl_cert_file']
        self.ssl_key_file = connection['ssl_key_file']
        self.ssl_trust_system_store = bool(connection['ssl_trust_system_store'])
        self.persistent_idle_timeout = connection['persistent_idle_timeout']
        self.persistent_dir = connection['persistent_dir']
        self.ssl = bool(connection['ssl'])

    @staticmethod
    def _parse_url(transport_url):
        if not transport_url:
            raise errors.ConfigurationError(
                'transport_url is required (or set HEAT_RPC_TRANSPORT_URL), for example '
                'rabbit://user:password@broker:5672/vhost')
        try:
            url = ParsedTransportURL(transport_url)
        except ValueError as exc:
            raise errors.ConfigurationError('transport_url is not valid: %s' % exc)
        if url.scheme.split('+')[-1] not in SUPPORTED_DRIVERS:
            raise errors.ConfigurationError(
                "transport_url uses the driver '%s'; this collection supports rabbit:// (RabbitMQ)" % url.scheme)
        if url.scheme != 'fake' and not url.hosts:
            raise errors.ConfigurationError('transport_url names no broker host')
        for host in url.hosts:
            # oslo.messaging hands the password to kombu URL-quoted with '/' left as is, which kombu then
            # reads as the end of the host part.
            if host.password and '/' in host.password:
                raise errors.ConfigurationError(
                    "the password of broker user '%s' contains '/', which oslo.messaging cannot pass to the "
                    "RabbitMQ driver; use a password without '/'" % host.username)
        return url

    @staticmethod
    def _parse_cap(cap):
        if cap in (None, ''):
            return LATEST_API_VERSION
        try:
            parsed = parse_version(cap)
        except ValueError as exc:
            raise errors.ConfigurationError('api_version_cap: %s' % exc)
        if parsed < (1, 0) or parsed > parse_version(LATEST_API_VERSION):
            raise errors.ConfigurationError(
                "api_version_cap '%s' is outside the range this client knows (1.0 to %s)" % (cap, LATEST_API_VERSION))
        return '%d.%d' % parsed

    def _check(self):
        for name in ('timeout', 'connect_timeout'):
            value = getattr(self, name)
            if value is None or value <= 0:
                raise errors.ConfigurationError('%s must be a positive number of seconds, not %r' % (name, value))
        if self.call_monitor_timeout is not None and self.call_monitor_timeout <= 0:
            raise errors.ConfigurationError('call_monitor_timeout must be a positive number of seconds')
        if self.uses_helper and (self.persistent_idle_timeout is None or self.persistent_idle_timeout <= 0):
            raise errors.ConfigurationError('persistent_idle_timeout must be a positive number of seconds, not %r'
                                            % (self.persistent_idle_timeout,))
        if not self.exchange or not self.topic:
            raise errors.ConfigurationError('exchange and topic must not be empty')
        if (self.ssl_cert_file or self.ssl_key_file or self.ssl_ca_file) and not self.ssl:
            raise errors.ConfigurationError(
                'ssl_ca_file, ssl_cert_file and ssl_key_file need ssl: true; refusing to send credentials in plain AMQP')
        if bool(self.ssl_cert_file) != bool(self.ssl_key_file):
            raise errors.ConfigurationError('ssl_cert_file and ssl_key_file must be given together')
        if self.ssl and not self.ssl_ca_file and not self.ssl_trust_system_store:
            raise errors.ConfigurationError(
                'ssl is on but ssl_ca_file is not set: oslo.messaging would not verify the broker certificate. '
                'Set ssl_ca_file, or ssl_trust_system_store: true to verify against the system CA store')
        for name in TLS_FILES:
            path = getattr(self, name)
            if path:
                try:
                    with open(path, 'rb'):
                        pass
                except (IOError, OSError) as exc:
                    raise errors.ConfigurationError('%s %s cannot be read: %s' % (name, path, exc.strerror))

    @property
    def uses_helper(self):
        return uses_helper(self.persistent)

    @property
    def warns_without_helper(self):
        """Whether a run that cannot use the helper (on this host) and connects itself says so."""
        return HELPER_USE[self.persistent][1]

    @property
    def ca_file(self):
        """The CA bundle to verify the broker with (the system one when told to trust it)."""
        if self.ssl_ca_file:
            return self.ssl_ca_file
        import ssl as ssl_module  # here, not at the top: a run through the persistent helper never needs it
        paths = ssl_module.get_default_verify_paths()
        return paths.cafile or paths.openssl_cafile

    @property
    def redacted_url(self):
        return self.url.redacted()


def context_dict(context):
    """The wire form of a context given as a RequestContext or as a ready dict."""
    if isinstance(context, dict):
        return dict(context)
    return context.to_dict()

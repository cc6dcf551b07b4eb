# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Keeping secrets out of messages, results and logs.

oslo.messaging's TransportURL prints the broker password in its str(), and
kombu and amqp put URLs in some exception texts, so every text that leaves
the collection goes through a Scrubber that knows the secrets of this run,
in their raw and URL-encoded spellings.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from urllib.parse import quote, quote_plus, unquote
except ImportError:  # pragma: no cover - Python 2 is not supported, but sanity imports this module
    from urllib import quote, quote_plus, unquote

MASK = '********'


class BrokerHost:
    """One ``[user[:password]@]host[:port]`` entry of a transport URL."""

    __slots__ = ('username', 'password', 'hostname', 'port')

    def __init__(self, username, password, hostname, port):
        self.username = username
        self.password = password
        self.hostname = hostname
        self.port = port

    @property
    def address(self):
        host = self.hostname
        if ':' in host:
            host = '[%s]' % host
        return '%s:%s' % (host, self.port)


class ParsedTransportURL:
    """A transport URL split into its parts, without oslo.messaging.

    Only what the collection needs: the driver, the broker hosts (several for
    failover), the vhost and the query, so that it can check reachability and
    print the URL with the passwords masked.
    """

    DEFAULT_PORTS = {'rabbit': 5672, 'amqp': 5672, 'kombu': 5672}

    def __init__(self, url):
        self.url = url
        scheme, sep, rest = url.partition('://')
        if not sep or not scheme:
            raise ValueError("transport_url must look like rabbit://user:password@host:5672/vhost")
        self.scheme = scheme
        netloc, slash, path = rest.partition('/')
        path, _query_sep, self.query = path.partition('?')
        if '?' in netloc:
            netloc, _query_sep, self.query = netloc.partition('?')
        self.virtual_host = unquote(path) if slash else ''
        self.hosts = [self._parse_host(entry) for entry in netloc.split(',') if entry]

    def _parse_host(self, entry):
        creds, at, hostport = entry.rpartition('@')
        username = password = None
        if at:
            username, colon, password = creds.partition(':')
            username = unquote(username)
            password = unquote(password) if colon else None
        if hostport.startswith('['):
            hostname, _bracket, port = hostport[1:].partition(']')
            port = port.lstrip(':')
        else:
            hostname, _colon, port = hostport.partition(':')
        default_port = self.DEFAULT_PORTS.get(self.scheme.split('+')[-1], 5672)
        if port and not port.isdigit():
            raise ValueError("transport_url has a port that is not a number: '%s'" % port)
        return BrokerHost(username, password, hostname or 'localhost', int(port) if port else default_port)

    @property
    def passwords(self):
        return [host.password for host in self.hosts if host.password]

    def query_flag(self, name):
        """True when the URL query sets ``name`` to a true value (``ssl=1``)."""
        for pair in self.query.split('&'):
            key, _eq, value = pair.partition('=')
            if key == name:
                return value.lower() in ('1', 'true', 'yes', 'on')
        return False

    def redacted(self):
        """The URL with every password replaced by a mask: safe to print."""
        hosts = []
        for host in self.hosts:
            creds = ''
            if host.username is not None:
                creds = quote(host.username, safe='')
                if host.password is not None:
                    creds += ':' + MASK
                creds += '@'
            hosts.append(creds + host.address)
        text = '%s://%s/%s' % (self.scheme, ','.join(hosts), quote(self.virtual_host, safe=''))
        if self.query:
            text += '?' + self.query
        return text


class Scrubber:
    """Replaces every known secret in a text by a mask."""

    def __init__(self, secrets=None):
        self._replacements = {}
        for secret in secrets or ():
            self.add(secret)

    def add(self, secret, replacement=MASK):
        if not secret:
            return
        secret = str(secret)
        # Short secrets would mask ordinary words; four characters is the floor.
        for spelling in (secret, quote(secret, safe=''), quote_plus(secret), quote(secret)):
            if len(spelling) >= 4:
                self._replacements.setdefault(spelling, replacement)

    def add_url(self, url):
        """Register the transport URL (shown masked) and the passwords inside it."""
        if not url:
            return
        try:
            parsed = ParsedTransportURL(url)
        except ValueError:
            self.add(url)
            return
        self.add(url, parsed.redacted())
        for password in parsed.passwords:
            self.add(password)

    def secret_values(self):
        """Every spelling this scrubber masks (for AnsibleModule.no_log_values)."""
        return set(self._replacements)

    def scrub(self, value):
        """Return ``value`` (a text, or lists/dicts of texts) with every secret masked."""
        if isinstance(value, str):
            for needle in sorted(self._replacements, key=len, reverse=True):
                value = value.replace(needle, self._replacements[needle])
            return value
        if isinstance(value, dict):
            return dict((key, self.scrub(item)) for key, item in value.items())
        if isinstance(value, (list, tuple)):
            return type(value)(self.scrub(item) for item in value)
        return value

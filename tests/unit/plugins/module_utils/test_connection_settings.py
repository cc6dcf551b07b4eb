# -*- coding: utf-8 -*-
"""Connection settings, URL handling, secret scrubbing and the private oslo.config setup."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.transport import (
    ConnectionSettings, EngineConnection, RequestContext, register_late_option_groups,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.redaction import MASK, ParsedTransportURL, Scrubber

URL = 'rabbit://heat:pa%40ss%2Fw0rd@broker1:5671,heat:pa%40ss%2Fw0rd@[fd00::2]/heat%2Fvhost?ssl=1'


def test_transport_url_with_failover_hosts_ipv6_and_encoded_password():
    url = ParsedTransportURL(URL)
    assert [(h.hostname, h.port) for h in url.hosts] == [('broker1', 5671), ('fd00::2', 5672)]
    assert url.passwords == ['pa@ss/w0rd', 'pa@ss/w0rd']
    assert url.virtual_host == 'heat/vhost'
    assert url.query_flag('ssl') is True
    assert url.hosts[1].address == '[fd00::2]:5672'
    assert url.redacted() == 'rabbit://heat:%s@broker1:5671,heat:%s@[fd00::2]:5672/heat%%2Fvhost?ssl=1' % (MASK, MASK)


def test_scrubber_masks_raw_and_encoded_passwords_and_shows_the_url_redacted():
    scrubber = Scrubber(['t0ken-value'])
    scrubber.add_url(URL)
    text = 'login pa@ss/w0rd failed; pa%40ss%2Fw0rd; pa%40ss/w0rd; token t0ken-value; url ' + URL
    scrubbed = scrubber.scrub(text)
    for secret in ('pa@ss/w0rd', 'pa%40ss%2Fw0rd', 'pa%40ss/w0rd', 't0ken-value'):
        assert secret not in scrubbed
    assert ParsedTransportURL(URL).redacted() in scrubbed
    assert scrubber.scrub({'a': [text], 'b': 3}) == {'a': [scrubbed], 'b': 3}


def test_oslo_transport_url_itself_leaks_the_password():
    """Why the scrubber exists: oslo.messaging's own str() of a TransportURL shows the password."""
    oslo_messaging = pytest.importorskip('oslo_messaging')
    connection = EngineConnection(ConnectionSettings('rabbit://heat:leaky-secret@127.0.0.1:5672/'))
    parsed = oslo_messaging.TransportURL.parse(connection.build_conf(), 'rabbit://heat:leaky-secret@127.0.0.1:5672/')
    assert 'leaky-secret' in str(parsed)
    assert 'leaky-secret' not in connection.settings.redacted_url


@pytest.mark.parametrize('options,message', [
    ({'transport_url': None}, 'transport_url is required'),
    ({'transport_url': 'broker:5672'}, 'transport_url is not valid'),
    ({'transport_url': 'kafka://h:9092/'}, "driver 'kafka'"),
    ({'transport_url': 'rabbit://u:p@h:56x2/'}, 'port that is not a number'),
    ({'transport_url': 'rabbit://u:pa%2Fss@h:5672/'}, "password of broker user 'u' contains '/'"),
    ({'ssl': True}, 'ssl_ca_file is not set'),
    ({'transport_url': 'rabbit://u:p@h/?ssl=1'}, 'ssl_ca_file is not set'),
    ({'ssl_ca_file': '/etc/hostname'}, 'need ssl: true'),
    ({'ssl': True, 'ssl_ca_file': '/nonexistent/ca.pem'}, 'ssl_ca_file /nonexistent/ca.pem cannot be read'),
    ({'ssl': True, 'ssl_ca_file': '/etc/hostname', 'ssl_cert_file': '/etc/hostname'}, 'must be given together'),
    ({'api_version_cap': '1.x'}, "'1.x' is not an API version"),
    ({'api_version_cap': '1.37'}, 'outside the range'),
    ({'timeout': 0}, 'timeout must be a positive number'),
    ({'connect_timeout': -1}, 'connect_timeout must be a positive number'),
])
def test_bad_settings_name_the_option(options, message):
    values = {'transport_url': 'rabbit://u:p@h:5672/'}
    values.update(options)
    with pytest.raises(errors.ConfigurationError) as caught:
        ConnectionSettings(**values)
    assert message in str(caught.value)


def test_ssl_can_trust_the_system_store_explicitly():
    settings = ConnectionSettings('rabbit://u:p@h:5671/', ssl=True, ssl_trust_system_store=True)
    assert settings.ssl and settings.ca_file


def test_context_wire_form():
    ctxt = RequestContext(username='demo', password='pw-1234', project_id='p', roles=['member']).to_dict()
    assert ctxt['username'] == ctxt['user_name'] == 'demo'
    assert ctxt['password'] == 'pw-1234'
    assert ctxt['roles'] == ['member']
    assert ctxt['is_admin'] is False
    assert ctxt['request_id'].startswith('req-')
    assert 'auth_token' not in ctxt
    with pytest.raises(errors.ConfigurationError):
        RequestContext(tenant='old-style')


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

    connection = EngineConnection(ConnectionSettings('fake://', timeout=1, topic='t-ours'))
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
    reference = oslo_messaging.get_rpc_transport(EngineConnection(ConnectionSettings(url)).build_conf(), url=url)

    def no_scan(*args, **kwargs):
        raise AssertionError('stevedore was asked for a driver')

    monkeypatch.setattr(stevedore_driver, 'DriverManager', no_scan)
    ours = transport_module.rpc_transport(EngineConnection(ConnectionSettings(url)).build_conf(), url)
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
            transport_module.rpc_transport(EngineConnection(ConnectionSettings('fake://')).build_conf(), 'fake://')
    finally:
        ours.cleanup()
        reference.cleanup()

# -*- coding: utf-8 -*-
"""The in-process connection (``_rpc/transport.py``): why URLs are scrubbed, the private oslo.config setup, the driver."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

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

# -*- coding: utf-8 -*-
"""The controller plugins' client: connection options like the modules', errors as AnsibleError without secrets.

engine_client() is driven with a scripted EngineClient (monkeypatched where it is built), so what it made of
the options and what it raises can be looked at without an engine.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import traceback

import pytest

from ansible.errors import AnsibleError, AnsibleParserError

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.plugin_utils import engine

from plugin_doubles import BuiltClient

URL = 'rabbit://u:secret@broker:5672/heat'


@pytest.fixture
def built(monkeypatch):
    """The clients engine_client() builds (oslo.messaging counts as installed; no HEAT_RPC_* variable is set)."""
    clients = []
    monkeypatch.setattr(engine, 'HAS_OSLO_MESSAGING', True)
    monkeypatch.setattr(engine, 'EngineClient', lambda settings: clients.append(BuiltClient(settings)) or clients[-1])
    for key in list(os.environ):
        if key.startswith('HEAT_RPC_'):
            monkeypatch.delenv(key)
    return clients


def settings_of(given):
    with engine.engine_client(given, 'what') as client:
        return client.settings


# -- connection options: the modules' types, defaults and HEAT_RPC_* fallbacks -------------------------------

@pytest.mark.parametrize('given,environment,expected', [
    (dict(transport_url=URL), {}, dict(exchange='heat', topic='engine', timeout=60.0, api_version_cap='1.36')),
    # The environment fills what is not given; an empty variable counts as unset (AWX sets blank fields so).
    (dict(), {'HEAT_RPC_TRANSPORT_URL': URL, 'HEAT_RPC_EXCHANGE': 'other', 'HEAT_RPC_TIMEOUT': '5',
              'HEAT_RPC_TOPIC': ''}, dict(exchange='other', topic='engine', timeout=5.0)),
    # Given options win over the environment, and are converted to their types; None is not given.
    (dict(transport_url=URL, exchange='mine', rpc_timeout='7', topic=None, plugin='x', stack='s'),
     {'HEAT_RPC_EXCHANGE': 'other', 'HEAT_RPC_TOPIC': 't'}, dict(exchange='mine', timeout=7.0, topic='t')),
    (dict(transport_url=URL, api_version_cap='1.26'), {}, dict(api_version_cap='1.26')),
])
def test_settings_from_options(built, monkeypatch, given, environment, expected):
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    settings = settings_of(given)
    assert settings.transport_url == URL
    for key, value in expected.items():
        assert getattr(settings, key) == value, key
    assert 'secret' not in settings.scrubber.scrub('url %s' % URL)
    assert len(built) == 1 and built[0].closed


@pytest.mark.parametrize('given,message', [
    (dict(transport_url=URL, rpc_timeout='soon'), 'rpc_timeout'),
    (dict(transport_url=URL, ssl='perhaps'), 'ssl'),
    (dict(transport_url=URL, roles=5), None),  # a number becomes a one-item list, as for a module
    (dict(), 'transport_url is required (or set HEAT_RPC_TRANSPORT_URL)'),
])
def test_bad_connection_options_name_the_option(built, given, message):
    if message is None:
        assert settings_of(given).transport_url == URL
        return
    with pytest.raises(AnsibleError) as caught:
        settings_of(given)
    assert str(caught.value).startswith('what: ')
    assert message in str(caught.value)
    assert built == []  # no client for options that make no settings


@pytest.mark.parametrize('given', [
    dict(transport_url='rabbit://u:pw-s3cr3t@broker:notaport/heat'),
    dict(transport_url='rabbit://u:pw-s3cr3t@broker:5672,u:pw-s3cr3t@other:x/heat'),
    dict(transport_url='amqp://u:pw-s3cr3t@broker:5672/heat'),
    dict(transport_url=URL, password='pw-s3cr3t', rpc_timeout='soon'),
    dict(transport_url=URL, application_credential_secret='pw-s3cr3t'),
])
def test_bad_options_never_show_the_secrets_given(built, given):
    with pytest.raises(AnsibleError) as caught:
        settings_of(given)
    assert str(caught.value).startswith('what: ')
    assert 'pw-s3cr3t' not in str(caught.value) and 'u:secret@' not in str(caught.value)


# -- errors: a HeatRpcError becomes the plugin's error, scrubbed; the client is always closed -------------

@pytest.mark.parametrize('error_class', [AnsibleError, AnsibleParserError])
def test_an_engine_error_becomes_the_plugins_error_without_secrets(built, error_class):
    with pytest.raises(error_class) as caught:
        with engine.engine_client(dict(transport_url=URL), "stack 'st'", error_class):
            raise errors.BrokerUnreachableError('cannot reach %s (password secret)' % URL)
    message = str(caught.value)
    assert message.startswith("stack 'st': cannot reach rabbit://")
    assert 'secret' not in message
    # The engine's error stays out of the traceback ansible-core 2.16 prints at -vvv: it is the unmasked text.
    assert caught.value.__suppress_context__ and caught.value.__cause__ is None
    shown = ''.join(traceback.format_exception(caught.type, caught.value, caught.tb))
    assert 'u:secret@' not in shown and 'password secret' not in shown
    assert built[0].closed


def test_other_errors_pass_unchanged_and_the_client_is_closed(built):
    with pytest.raises(KeyError):
        with engine.engine_client(dict(transport_url=URL), 'what'):
            raise KeyError('not an engine error')
    assert built[0].closed


def test_the_client_answers_and_is_closed_after_use(built, monkeypatch):
    monkeypatch.setattr(engine, 'EngineClient',
                        lambda settings: built.append(BuiltClient(settings, {'get_revision': 'r1'})) or built[-1])
    with engine.engine_client(dict(transport_url=URL), 'what') as client:
        assert client.get_revision(None) == 'r1'
        assert not client.closed
    assert client.closed and client.methods() == ['get_revision']


def test_without_oslo_messaging_on_the_controller(built, monkeypatch):
    monkeypatch.setattr(engine, 'HAS_OSLO_MESSAGING', False)
    monkeypatch.setattr(engine, 'OSLO_MESSAGING_IMPORT_ERROR', "No module named 'oslo_messaging'")
    with pytest.raises(AnsibleParserError) as caught:
        with engine.engine_client(dict(transport_url=URL), 'heat_stack_output', AnsibleParserError):
            pass  # pragma: no cover - never entered
    assert str(caught.value) == ("heat_stack_output: the Python library oslo.messaging is needed on the controller "
                                 "(No module named 'oslo_messaging')")
    assert built == []

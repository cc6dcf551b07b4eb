# -*- coding: utf-8 -*-
"""The one table of connection options (``_ansible/connection_options.py``) and what is derived from it.

The doc fragment is checked against the table; the argument spec, the settings a run is built with and
the settings a persistent helper is started with are checked to come from it.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re

import pytest
import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.heat_rpc.engine.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible import connection_options
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import (
    BOOTSTRAP, CONNECTION, CONTEXT, OPTIONS, SETTINGS, connection_argument_spec, connection_settings,
    nonempty_env_fallback, settings_from_options, settings_from_params,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent import launch
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import RequestContext

URL = 'rabbit://u:p@broker:5672/v'
ROWS = dict((option.name, option) for option in OPTIONS)


def documented_options():
    """The options of the ``connection`` doc fragment (DOCUMENTATION, then PERSISTENT), in order."""
    options = []
    for text in (ModuleDocFragment.DOCUMENTATION, ModuleDocFragment.PERSISTENT):
        options.extend(yaml.safe_load(text)['options'].items())
    return options


@pytest.fixture
def no_heat_rpc_environment(monkeypatch):
    for option in OPTIONS:
        monkeypatch.delenv(option.variable, raising=False)


def module_params(**given):
    """What a module's parameters are for ``given``: through the argument spec, as AnsibleModule does."""
    result = ArgumentSpecValidator(connection_argument_spec()).validate(dict(given))
    assert not result.error_messages
    return result.validated_parameters


# -- the doc fragment says what the table says ------------------------------------------------------------------------


def test_every_option_is_documented_once_and_nothing_else_is():
    assert [name for name, _doc in documented_options()] == [option.name for option in OPTIONS]


@pytest.mark.parametrize('name, doc', documented_options(), ids=[name for name, _doc in documented_options()])
def test_the_documentation_of_an_option_agrees_with_the_table(name, doc):
    option = ROWS[name]
    assert doc['type'] == option.type
    assert doc.get('default') == option.default
    assert doc.get('elements') == option.elements
    description = ' '.join(doc['description'])
    assert re.findall(r'E\((HEAT_RPC_\w+)\)', description) == [option.variable]


def test_the_table_names_each_variable_and_field_once():
    for column in ('name', 'variable'):
        values = [getattr(option, column) for option in OPTIONS]
        assert len(set(values)) == len(values), column
    assert all(option.variable.startswith('HEAT_RPC_') for option in OPTIONS)
    assert set(option.goes_to for option in OPTIONS) == {CONNECTION, SETTINGS, CONTEXT, BOOTSTRAP}


def test_the_table_feeds_every_connection_value_and_context_field():
    assert sorted(connection_settings('fake://').connection) == sorted(
        option.field for option in OPTIONS if option.goes_to == CONNECTION)
    assert sorted(option.field for option in OPTIONS if option.goes_to == CONTEXT) == sorted(
        field for field in RequestContext.FIELDS if field != 'auth_token_info')
    assert sorted(option.field for option in OPTIONS if option.goes_to == SETTINGS) == ['api_version_cap', 'persistent']
    # What a persistent helper is keyed and started with: the connection values, nothing else.
    assert [option.name for option in OPTIONS if option.goes_to == CONNECTION] == [
        'transport_url', 'exchange', 'topic', 'rpc_timeout', 'connect_timeout', 'call_monitor_timeout', 'ssl',
        'ssl_ca_file', 'ssl_cert_file', 'ssl_key_file', 'ssl_trust_system_store', 'persistent_idle_timeout',
        'persistent_dir']


# -- the argument spec ------------------------------------------------------------------------------------------------


def test_every_connection_option_has_a_heat_rpc_environment_variable():
    spec = connection_argument_spec()
    names = dict((option, value['fallback'][1][0]) for option, value in spec.items())
    assert names['transport_url'] == 'HEAT_RPC_TRANSPORT_URL'
    assert names['rpc_timeout'] == 'HEAT_RPC_TIMEOUT'
    assert all(name.startswith('HEAT_RPC_') for name in names.values())
    assert len(set(names.values())) == len(names)
    assert all(spec[option].get('no_log') for option in ('transport_url', 'password', 'auth_token'))


def test_an_empty_variable_counts_as_unset(monkeypatch):
    monkeypatch.setenv('HEAT_RPC_ROLES', '')
    with pytest.raises(AnsibleFallbackNotFound):
        nonempty_env_fallback('HEAT_RPC_ROLES')
    monkeypatch.setenv('HEAT_RPC_ROLES', 'admin,member')
    assert nonempty_env_fallback('HEAT_RPC_ROLES') == 'admin,member'
    monkeypatch.delenv('HEAT_RPC_ROLES')
    with pytest.raises(AnsibleFallbackNotFound):
        nonempty_env_fallback('HEAT_RPC_ROLES')


def test_the_argument_spec_is_the_table():
    spec = connection_argument_spec()
    assert list(spec) == [option.name for option in OPTIONS]
    assert spec['rpc_timeout'] == {'type': 'float', 'default': 60, 'fallback': (nonempty_env_fallback, ['HEAT_RPC_TIMEOUT'])}
    assert spec['call_monitor_timeout']['default'] == 30
    assert spec['transport_url'] == {'type': 'str', 'no_log': True,
                                     'fallback': (nonempty_env_fallback, ['HEAT_RPC_TRANSPORT_URL'])}
    assert spec['ssl_key_file']['no_log'] is False
    assert spec['roles'] == {'type': 'list', 'elements': 'str', 'fallback': (nonempty_env_fallback, ['HEAT_RPC_ROLES'])}
    assert spec['persistent_dir']['default'] == '~/.ansible/heat_rpc'
    for option in OPTIONS:
        assert spec[option.name]['type'] == option.type
        assert spec[option.name].get('default') == option.default
        assert spec[option.name]['fallback'] == (nonempty_env_fallback, [option.variable])


def test_a_variable_fills_an_option_and_an_empty_one_leaves_the_default(monkeypatch, no_heat_rpc_environment):
    monkeypatch.setenv('HEAT_RPC_TIMEOUT', '7')
    monkeypatch.setenv('HEAT_RPC_EXCHANGE', '')
    params = module_params(transport_url=URL)
    assert params['rpc_timeout'] == 7.0 and params['exchange'] == 'heat' and params['call_monitor_timeout'] == 30


# -- the settings -----------------------------------------------------------------------------------------------------


def test_a_module_gets_the_table_defaults_in_its_settings(no_heat_rpc_environment):
    settings = settings_from_params(module_params(transport_url=URL, username='demo'))
    assert (settings.exchange, settings.topic, settings.timeout, settings.connect_timeout) == ('heat', 'engine', 60, 10)
    assert settings.call_monitor_timeout == 30
    assert (settings.ssl, settings.ssl_trust_system_store, settings.persistent) == (False, False, None)
    # Not set: the helper when the host lets it run (settings.HELPER_USE).
    assert settings.uses_helper and not settings.warns_without_helper
    # A path option is expanded as AnsibleModule expands every ``path``.
    assert (settings.persistent_idle_timeout, settings.persistent_dir) == (60, os.path.expanduser('~/.ansible/heat_rpc'))
    assert settings.context.values['username'] == 'demo'
    assert settings.context.values['user_domain_id'] == settings.context.values['project_domain_id'] == 'default'


def test_an_option_reaches_the_settings_field_the_table_names(no_heat_rpc_environment):
    settings = settings_from_params(module_params(transport_url=URL, rpc_timeout=7, call_monitor_timeout=4,
                                                  api_version_cap='1.20', persistent=True, region_name='r1'))
    assert (settings.timeout, settings.call_monitor_timeout) == (7, 4)
    assert settings.api_version_cap == '1.20' and settings.persistent is True
    assert settings.context.values['region_name'] == 'r1'


@pytest.mark.parametrize('blank', ['', None])
def test_a_blank_persistent_dir_is_the_default_one(blank, no_heat_rpc_environment):
    settings = settings_from_params(module_params(transport_url=URL, persistent_dir=blank))
    assert settings.persistent_dir == ROWS['persistent_dir'].default == '~/.ansible/heat_rpc'


def test_callers_that_are_not_modules_get_the_same_defaults_but_connect_themselves(no_heat_rpc_environment):
    from_module = settings_from_params(module_params(transport_url=URL))
    direct = connection_settings(URL)
    # Only AnsibleModule expands the path option's '~'; the helper's directory is the same one.
    assert launch.helper_settings(direct) == dict(launch.helper_settings(from_module), persistent_dir='~/.ansible/heat_rpc')
    assert direct.api_version_cap == from_module.api_version_cap
    # One long-lived process (a test, a benchmark) gains nothing from a helper: in process unless it asks.
    assert (direct.persistent, from_module.persistent) == (False, None)
    assert connection_settings(URL, persistent=True).persistent is True
    assert connection_settings(URL, timeout=7).timeout == 7


# (HEAT_RPC_PERSISTENT, the task's persistent option, the run's setting): a task option wins over the variable; an
# empty variable counts as not set, so the default applies.
PERSISTENT_SOURCES = [
    (None, None, None),
    ('', None, None),
    ('true', None, True),
    ('0', None, False),
    ('false', True, True),
    ('1', False, False),
    (None, True, True),
]


@pytest.mark.parametrize('variable, option, expected', PERSISTENT_SOURCES)
def test_where_the_persistent_setting_comes_from(monkeypatch, no_heat_rpc_environment, variable, option, expected):
    if variable is not None:
        monkeypatch.setenv('HEAT_RPC_PERSISTENT', variable)
    given = {} if option is None else {'persistent': option}
    assert settings_from_params(module_params(transport_url=URL, **given)).persistent is expected


@pytest.mark.parametrize('name', ['rpc_timeout', 'username', 'auth_url', 'nonsense'])
def test_connection_settings_takes_settings_names_only(name):
    with pytest.raises(TypeError, match=name):
        connection_settings(URL, **{name: 'x'})


def test_controller_plugins_never_start_a_helper(monkeypatch):
    monkeypatch.setenv('HEAT_RPC_PERSISTENT', 'true')
    settings = settings_from_options({'transport_url': 'rabbit://u:p@h:5672/v', 'persistent': True})
    assert settings.persistent is False


# -- what a persistent helper is keyed and started with ---------------------------------------------------------------


def test_a_helper_is_started_with_the_connection_values_and_tls_files_as_absolute_paths(
        tmp_path, monkeypatch, no_heat_rpc_environment):
    monkeypatch.chdir(tmp_path)
    for name in ('ca.pem', 'cert.pem', 'key.pem'):
        (tmp_path / name).write_text('x')
    params = module_params(transport_url=URL, ssl=True, ssl_ca_file='ca.pem', ssl_cert_file='cert.pem',
                           ssl_key_file='key.pem', persistent=True, password='s3cret', api_version_cap='1.20')
    started = launch.helper_settings(settings_from_params(params))
    expected = dict((option.field, params[option.name]) for option in OPTIONS if option.goes_to == CONNECTION)
    expected.update(ssl_ca_file=str(tmp_path / 'ca.pem'), ssl_cert_file=str(tmp_path / 'cert.pem'),
                    ssl_key_file=str(tmp_path / 'key.pem'))
    assert started == expected
    assert 's3cret' not in str(started) and '1.20' not in str(started)


def test_every_option_is_used():
    # Each row goes somewhere; a BOOTSTRAP option is read by the Keystone bootstrap.
    source = open(os.path.join(os.path.dirname(connection_options.__file__), 'keystone.py')).read()
    for option in OPTIONS:
        if option.goes_to == BOOTSTRAP:
            assert "'%s'" % option.name in source, option.name

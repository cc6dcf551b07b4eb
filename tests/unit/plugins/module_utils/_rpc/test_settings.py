# -*- coding: utf-8 -*-
"""Connection settings and the request context (``_rpc/settings.py``): what is refused, and how."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_settings
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent import launch
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import ConnectionSettings, RequestContext


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
        connection_settings(**values)
    assert message in str(caught.value)


def test_ssl_can_trust_the_system_store_explicitly():
    settings = connection_settings('rabbit://u:p@h:5671/', ssl=True, ssl_trust_system_store=True)
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


@pytest.mark.parametrize('value', [0, -1])
def test_the_idle_timeout_must_be_positive(value):
    with pytest.raises(errors.ConfigurationError, match='persistent_idle_timeout must be a positive number'):
        connection_settings('fake://', persistent=True, persistent_idle_timeout=value)


def test_the_connection_values_must_all_be_given():
    # The defaults live in the table of _ansible/connection_options.py only; settings.py fills none.
    complete = launch.helper_settings(connection_settings('fake://'))
    rebuilt = ConnectionSettings(complete, persistent=False)
    assert rebuilt.exchange == 'heat' and rebuilt.connection == complete
    incomplete = dict(complete)
    del incomplete['call_monitor_timeout']
    with pytest.raises(TypeError, match="the connection value 'call_monitor_timeout' is missing"):
        ConnectionSettings(incomplete, persistent=False)


@pytest.mark.parametrize('value', [0, -1])
def test_the_idle_timeout_is_checked_when_persistent_is_not_set_too(value):
    with pytest.raises(errors.ConfigurationError, match='persistent_idle_timeout must be a positive number'):
        connection_settings('fake://', persistent=None, persistent_idle_timeout=value)
    assert connection_settings('fake://', persistent=False, persistent_idle_timeout=value).uses_helper is False


# (persistent, the calls go to the helper, a run that cannot use it on this host warns): not set is the default.
HELPER_DECISIONS = [
    (None, True, False),
    (True, True, True),
    (False, False, False),
]


@pytest.mark.parametrize('persistent, helper, warns', HELPER_DECISIONS)
def test_whether_a_run_uses_the_helper_and_warns_when_it_cannot(persistent, helper, warns):
    settings = connection_settings('fake://', persistent=persistent)
    assert (settings.persistent, settings.uses_helper, settings.warns_without_helper) == (persistent, helper, warns)

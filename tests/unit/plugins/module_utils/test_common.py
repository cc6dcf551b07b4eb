# -*- coding: utf-8 -*-
"""The shared connection argument spec: environment fallbacks."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.module import (
    connection_argument_spec, nonempty_env_fallback,
)


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

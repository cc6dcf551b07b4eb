# -*- coding: utf-8 -*-
"""The module base: the shared connection argument spec (environment fallbacks) and how a task ends."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_argument_spec, nonempty_env_fallback


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


# -- the module base: how a runner's failure ends the task ---------------------------------------------

import json  # noqa: E402

from ansible.module_utils.testing import patch_module_args as module_args  # noqa: E402

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible import module as module_base  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.module import HeatRpcModule  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.base import Runner  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient  # noqa: E402


class StubConnection:
    def __init__(self, outcomes):
        self.outcomes = outcomes
        self.closed = False

    def invoke(self, method, kwargs, version, **options):
        outcome = self.outcomes[method]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def close(self):
        self.closed = True


class CreatesThenFails(Runner):
    def run(self):
        self.client.create_stack(None, 's', {}, {}, {}, {})
        raise errors.NotSupportedError('the next call needs RPC API 1.99')


class FailsBeforeWriting(Runner):
    def run(self):
        self.client.show_stack(None, {'stack_id': 'x'})
        raise errors.NotSupportedError('refused before any write')


class Crashes(Runner):
    def run(self):
        self.client.show_stack(None, {'stack_id': 'x'})
        raise KeyError('surprise')


@pytest.mark.parametrize('runner,changed', [(CreatesThenFails, True), (FailsBeforeWriting, False)])
def test_a_failure_after_a_write_reports_changed(monkeypatch, capsys, runner, changed):
    connection = StubConnection({'create_stack': {'stack_id': 'x'}, 'show_stack': {}})
    monkeypatch.setattr(module_base, 'EngineClient', lambda settings: EngineClient(settings, connection=connection))
    with module_args({'transport_url': 'fake://'}):
        with pytest.raises(SystemExit):
            HeatRpcModule(argument_spec={}).run(runner)
    result = json.loads(capsys.readouterr().out)
    assert result['failed'] is True and result['error']['kind'] == 'not_supported'
    assert result['changed'] is changed
    assert connection.closed


def test_an_unexpected_exception_still_closes_the_connection(monkeypatch):
    connection = StubConnection({'show_stack': {}})
    monkeypatch.setattr(module_base, 'EngineClient', lambda settings: EngineClient(settings, connection=connection))
    with module_args({'transport_url': 'fake://'}):
        with pytest.raises(KeyError):
            HeatRpcModule(argument_spec={}).run(Crashes)
    assert connection.closed

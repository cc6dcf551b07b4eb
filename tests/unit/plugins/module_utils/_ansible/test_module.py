# -*- coding: utf-8 -*-
"""The module base: how a task ends (the connection options are tested in test_connection_options.py)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

import pytest

from ansible.module_utils.testing import patch_module_args as module_args

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible import module as module_base
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.base import Runner
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient


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


SECRET = 'hush-a-value'


class EchoesASecret(Runner):
    """Registers a secret, warns with it and ends as ``outcome`` says, quoting it in msg and nested fields."""

    outcome = None

    def run(self):
        self.module.add_secrets([SECRET])
        self.module.warn('the engine said %s' % SECRET)
        quoted = "could not convert string to float: '%s'" % SECRET
        if self.outcome == 'fail':
            raise errors.StackFailed(quoted, {'events': [{'reason': quoted}], 'stack': {'status_reason': quoted}})
        return {'changed': False, 'stack': {'outputs': [{'output_error': quoted}]}}


@pytest.mark.parametrize('outcome', ['fail', 'exit'])
def test_a_secret_a_runner_knows_shows_nowhere_in_what_the_task_returns(monkeypatch, capsys, outcome):
    """Masking happens once, here: msg, nested fields and warnings (ansible-core 2.19+ leaves warnings as they are)."""
    EchoesASecret.outcome = outcome
    warned = []
    monkeypatch.setattr(module_base.AnsibleModule, 'warn', lambda self, message: warned.append(message))
    with module_args({'transport_url': 'fake://'}):
        with pytest.raises(SystemExit):
            HeatRpcModule(argument_spec={}).run(EchoesASecret)
    out = capsys.readouterr().out
    result = json.loads(out)
    assert SECRET not in out
    assert "could not convert string to float: '********'" in json.dumps(result)
    assert result.get('failed', False) is (outcome == 'fail')
    assert warned == ['the engine said ********']


# (persistent, what the run does about oslo.messaging): a run through the helper (persistent true or not set) only
# looks the library up, as the helper imports it; a run told to connect itself imports it.
IMPORT_CHECKS = [
    (None, 'looks up'),
    (True, 'looks up'),
    (False, 'imports'),
]


@pytest.mark.parametrize('persistent, check', IMPORT_CHECKS)
def test_how_a_run_checks_for_oslo_messaging(monkeypatch, persistent, check):
    from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc import transport
    monkeypatch.setattr(module_base.importlib.util, 'find_spec', lambda name: None)
    monkeypatch.setattr(transport, 'HAS_OSLO_MESSAGING', False)
    monkeypatch.setattr(transport, 'OSLO_MESSAGING_IMPORT_ERROR', ImportError('from the import'))
    error = module_base.oslo_messaging_import_error(persistent)
    assert str(error) == {'looks up': "No module named 'oslo_messaging'", 'imports': 'from the import'}[check]

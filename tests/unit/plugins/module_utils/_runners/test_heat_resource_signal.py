# -*- coding: utf-8 -*-
"""heat_resource_signal's decisions, as tables, and the runner on a scripted engine."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_resource_signal import (
    ResourceSignalRunner, health_change_needed,
)

from runner_doubles import FakeModule, stack, stack_client


def resource(action='CREATE', status='COMPLETE', reason='state changed'):
    return {'resource_name': 'r', 'resource_type': 'OS::Heat::None', 'resource_action': action,
            'resource_status': status, 'resource_status_reason': reason, 'physical_resource_id': 'p-1'}


@pytest.mark.parametrize('raw,unhealthy,reason,needed', [
    (resource(), True, None, True),
    (resource('CHECK', 'FAILED', 'x'), True, None, False),
    (resource('CHECK', 'FAILED', 'x'), True, 'x', False),
    (resource('CHECK', 'FAILED', 'x'), True, 'y', True),
    (resource('DELETE', 'COMPLETE'), True, None, False),
    (resource('CHECK', 'FAILED'), False, None, True),
    (resource(), False, None, False),
])
def test_health_change_needed(raw, unhealthy, reason, needed):
    assert health_change_needed(raw, unhealthy, reason) is needed


def run(client, check_mode=False, **params):
    options = dict(stack='s', resource='r', data=None, sync=False, mark_unhealthy=None, reason=None)
    options.update(params)
    return ResourceSignalRunner(FakeModule(options, client, check_mode=check_mode)).run()


@pytest.mark.parametrize('check_mode,params,changed,writes', [
    (False, {'mark_unhealthy': True}, True, ['resource_mark_unhealthy']),
    (True, {'mark_unhealthy': True}, True, []),
    (False, {'mark_unhealthy': False}, False, []),
    (False, {'data': {'a': 1}}, True, ['resource_signal']),
    (True, {'data': {'a': 1}}, True, []),
])
def test_what_is_sent(check_mode, params, changed, writes):
    client = stack_client(stack(), describe_stack_resource=resource())
    result = run(client, check_mode=check_mode, **params)
    assert result['changed'] is changed and [call[0] for call in client.writes] == writes
    assert result['resource']['physical_id'] == 'p-1' and result['resource']['status'] == 'CREATE_COMPLETE'

# -*- coding: utf-8 -*-
"""heat_stack_wait: what each ``state`` accepts (a table), and the runner on a scripted engine."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack_wait import StackWaitRunner
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import WaitTarget
from ansible_collections.heat_rpc.engine.plugins.modules.heat_stack_wait import ARGUMENT_SPEC

from runner_doubles import FakeModule, InTurn, params_for, stack, stack_client

HEALTHY = ('CREATE_COMPLETE', 'UPDATE_COMPLETE', 'SUSPEND_COMPLETE', 'RESUME_COMPLETE', 'ADOPT_COMPLETE',
           'SNAPSHOT_COMPLETE', 'CHECK_COMPLETE', 'RESTORE_COMPLETE')


@pytest.mark.parametrize('until,settles_in,accepted,rollback', [
    (['settled'], None, HEALTHY, True),
    (None, None, HEALTHY, True),
    (['absent'], ('DELETE',), (None,), False),
    (['UPDATE_COMPLETE'], ('ROLLBACK', 'UPDATE'), ('UPDATE_COMPLETE',), True),
    (['update_complete '], ('ROLLBACK', 'UPDATE'), ('UPDATE_COMPLETE',), True),
    (['CHECK_COMPLETE'], ('CHECK',), ('CHECK_COMPLETE',), False),
    (['SUSPEND_COMPLETE', 'CHECK_FAILED'], ('CHECK', 'SUSPEND'), ('SUSPEND_COMPLETE', 'CHECK_FAILED'), False),
    # A failed update listed on purpose is judged as it is, not after its rollback.
    (['UPDATE_FAILED'], ('UPDATE',), ('UPDATE_FAILED',), False),
    (['UPDATE_COMPLETE', 'UPDATE_FAILED'], ('UPDATE',), ('UPDATE_COMPLETE', 'UPDATE_FAILED'), False),
    (['ROLLBACK_COMPLETE'], ('ROLLBACK',), ('ROLLBACK_COMPLETE',), False),
    (['CREATE_COMPLETE', 'ADOPT_COMPLETE'], ('ADOPT', 'CREATE', 'ROLLBACK'), ('CREATE_COMPLETE', 'ADOPT_COMPLETE'),
     True),
])
def test_what_each_target_waits_for_and_accepts(until, settles_in, accepted, rollback):
    target = WaitTarget.parse(until)
    assert (target.settles_in, target.accepted, target.rollback) == (settles_in, accepted, rollback)


def test_settled_never_accepts_a_failure_or_a_rollback():
    accepted = WaitTarget.parse(['settled']).accepted
    assert 'ROLLBACK_COMPLETE' not in accepted
    assert not [state for state in accepted if not state.endswith('_COMPLETE')]


@pytest.mark.parametrize('until,message', [
    (['settled', 'UPDATE_COMPLETE'], 'state: settled stands alone; it cannot be combined with UPDATE_COMPLETE'),
    (['absent', 'settled'], 'state: settled stands alone; it cannot be combined with absent'),
    (['absent', 'CREATE_FAILED'], 'state: absent stands alone; it cannot be combined with CREATE_FAILED'),
    (['UPDATE_IN_PROGRESS'], "state: 'UPDATE_IN_PROGRESS' is not a settled state; wait for COMPLETE or FAILED"),
    (['DELETE_COMPLETE'], 'state: a DELETE_COMPLETE stack is gone; use state: absent'),
    (['done'], "state: 'done' is not a stack state; use settled, absent, or ACTION_STATUS values"),
    (['COMPLETE'], "state: 'COMPLETE' is not a stack state"),
    (['FLY_COMPLETE'], "state: 'FLY_COMPLETE' is not a stack state"),
    (['UPDATE_DONE'], "state: 'UPDATE_DONE' is not a stack state"),
])
def test_bad_targets_are_refused(until, message):
    with pytest.raises(errors.ConfigurationError) as caught:
        WaitTarget.parse(until)
    assert str(caught.value).startswith(message)


def run_wait(client, **given):
    module = FakeModule(params_for(ARGUMENT_SPEC, **dict(dict(stack='s', wait_timeout=5), **given)), client)
    try:
        return StackWaitRunner(module).run()
    except errors.HeatRpcError as exc:
        return exc


@pytest.mark.parametrize('shown,until,outcome', [
    ([stack(status='IN_PROGRESS'), stack(status='COMPLETE')], ['settled'], 'CREATE_COMPLETE'),
    ([stack(action='UPDATE', status='IN_PROGRESS'), stack(action='UPDATE', status='FAILED')], ['settled'],
     errors.StackFailed),
    ([stack(action='ROLLBACK', status='COMPLETE')], ['settled'], errors.StackFailed),
    ([stack(action='SUSPEND', status='COMPLETE')], ['settled'], 'SUSPEND_COMPLETE'),
    # The previous action's COMPLETE is not the update waited for: the wait goes on.
    ([stack(status='COMPLETE'), stack(action='UPDATE', status='IN_PROGRESS'), stack(action='UPDATE')],
     ['UPDATE_COMPLETE'], 'UPDATE_COMPLETE'),
    ([stack(action='UPDATE', status='FAILED')], ['UPDATE_COMPLETE'], errors.StackFailed),
    ([stack(action='UPDATE', status='FAILED')], ['UPDATE_FAILED'], 'UPDATE_FAILED'),
    ([stack(action='CHECK', status='FAILED')], ['CHECK_COMPLETE'], errors.StackFailed),
    ([stack(action='DELETE', status='IN_PROGRESS'), None], ['absent'], None),
    ([stack(action='DELETE', status='FAILED')], ['absent'], errors.StackFailed),
    ([stack(action='DELETE', status='IN_PROGRESS'), None], ['settled'], errors.StackFailed),
])
def test_the_wait_ends_and_is_judged_as_heat_stack_judges(shown, until, outcome):
    client = stack_client(shown[0], show_stack=InTurn(*shown))
    result = run_wait(client, state=until)
    assert client.writes == []
    if isinstance(outcome, type):
        assert isinstance(result, outcome), result
        assert result.result['changed'] is False
        # A stack deleted while waiting is reported as it was when the wait began.
        last = shown[-1] if shown[-1] is not None else shown[0]
        assert result.result['stack']['status'] == '%s_%s' % (last['stack_action'], last['stack_status'])
        if shown[-1] is not None:
            assert 'failed_resources' in result.result and 'events' in result.result
    elif outcome is None:
        assert result == {'changed': False, 'stack': None}
    else:
        assert result['changed'] is False
        assert result['stack']['status'] == outcome


def test_polls_are_cheap_and_the_stack_returned_is_read_again_with_its_outputs():
    outputs = [{'output_key': 'url', 'output_value': 'http://x'}]
    shown = [stack(status='IN_PROGRESS'), stack(status='COMPLETE'), stack(status='COMPLETE', outputs=outputs)]
    client = stack_client(shown[0], show_stack=InTurn(*shown))
    result = run_wait(client, state=['CREATE_COMPLETE'])
    assert result['stack']['status'] == 'CREATE_COMPLETE' and result['stack']['outputs'] == {'url': 'http://x'}
    assert [kwargs['resolve_outputs'] for kwargs in client.kwargs_of('show_stack')] == [False, False, True]


@pytest.mark.parametrize('wait_timeout', [0, -5])
def test_a_wait_timeout_that_is_not_positive_is_refused_before_anything_is_read(wait_timeout):
    client = stack_client(stack())
    result = run_wait(client, wait_timeout=wait_timeout)
    assert isinstance(result, errors.ConfigurationError) and str(result).startswith('wait_timeout must be a positive')
    assert client.calls == []


def test_a_wait_that_runs_out_says_so_and_changes_nothing():
    client = stack_client(stack(status='IN_PROGRESS'))
    result = run_wait(client, wait_timeout=1)
    assert isinstance(result, errors.WaitTimeout)
    assert result.result['stack']['status'] == 'CREATE_IN_PROGRESS'
    assert client.writes == []


@pytest.mark.parametrize('until,outcome', [(['absent'], None), (['settled'], errors.NotFoundError),
                                           (['CREATE_COMPLETE'], errors.NotFoundError)])
def test_a_missing_stack_is_absent_or_not_found(until, outcome):
    client = stack_client(None)
    result = run_wait(client, state=until)
    if outcome is None:
        assert result == {'changed': False, 'stack': None}
    else:
        assert isinstance(result, outcome) and str(result) == "stack 's' not found"
        assert result.to_dict() == {'kind': 'not_found', 'remote_name': None, 'method': 'identify_stack'}


def test_a_failure_message_names_the_failed_resources_and_why():
    failed = stack(action='UPDATE', status='FAILED', stack_status_reason='Resource UPDATE failed')
    web = {'resource_name': 'web', 'resource_action': 'UPDATE', 'resource_status': 'FAILED',
           'resource_status_reason': 'boom', 'resource_type': 'OS::Heat::TestResource'}
    client = stack_client(failed, list_stack_resources=[web])
    result = run_wait(client, state=['UPDATE_COMPLETE'])
    assert isinstance(result, errors.StackFailed)
    assert str(result) == "stack 's' is UPDATE_FAILED: Resource UPDATE failed; failed resources: web (UPDATE_FAILED): boom"
    assert [item['name'] for item in result.result['failed_resources']] == ['web']

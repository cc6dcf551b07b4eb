# -*- coding: utf-8 -*-
"""heat_stack_action's decisions, as tables, and the runner on a scripted engine."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack_action import (
    StackActionRunner, check_cancellable, expected_end, needs_action, refuse_if_busy,
)

from runner_doubles import FakeModule, InTurn, stack, stack_client


@pytest.mark.parametrize('action,state,needed', [
    ('suspend', ('CREATE', 'COMPLETE'), True),
    ('suspend', ('SUSPEND', 'COMPLETE'), False),
    ('suspend', ('SUSPEND', 'FAILED'), True),
    ('resume', ('SUSPEND', 'COMPLETE'), True),
    ('resume', ('SUSPEND', 'FAILED'), True),
    ('resume', ('RESUME', 'FAILED'), True),
    ('resume', ('CREATE', 'COMPLETE'), False),
    ('resume', ('RESUME', 'COMPLETE'), False),
    ('check', ('CHECK', 'COMPLETE'), True),
    ('abandon', ('CREATE', 'COMPLETE'), True),
])
def test_needs_action(action, state, needed):
    assert needs_action(action, stack(action=state[0], status=state[1])) is needed


@pytest.mark.parametrize('action,status,refused', [
    ('check', 'IN_PROGRESS', True), ('suspend', 'IN_PROGRESS', True), ('resume', 'IN_PROGRESS', True),
    ('check', 'COMPLETE', False), ('abandon', 'IN_PROGRESS', False), ('cancel_update', 'IN_PROGRESS', False),
])
def test_busy_stacks_are_refused_for_check_suspend_resume(action, status, refused):
    if refused:
        with pytest.raises(errors.ConflictError):
            refuse_if_busy(action, stack(status=status))
    else:
        refuse_if_busy(action, stack(status=status))


@pytest.mark.parametrize('state,with_rollback,allowed', [
    (('UPDATE', 'IN_PROGRESS'), True, True),
    (('UPDATE', 'IN_PROGRESS'), False, True),
    (('CREATE', 'IN_PROGRESS'), False, True),
    (('CREATE', 'IN_PROGRESS'), True, False),
    (('UPDATE', 'COMPLETE'), False, False),
    (('DELETE', 'IN_PROGRESS'), False, False),
])
def test_what_can_be_cancelled(state, with_rollback, allowed):
    raw = stack(action=state[0], status=state[1])
    if allowed:
        check_cancellable(raw, with_rollback)
    else:
        with pytest.raises(errors.NotSupportedError):
            check_cancellable(raw, with_rollback)


@pytest.mark.parametrize('action,with_rollback,settles_in,accepted', [
    ('check', True, ('CHECK',), ('CHECK_COMPLETE',)),
    ('suspend', True, ('SUSPEND',), ('SUSPEND_COMPLETE',)),
    ('resume', True, ('RESUME',), ('RESUME_COMPLETE',)),
    ('cancel_update', True, ('ROLLBACK',), ('ROLLBACK_COMPLETE',)),
    ('cancel_update', False, ('UPDATE', 'CREATE'), ('UPDATE_FAILED', 'CREATE_FAILED')),
    ('abandon', True, ('DELETE',), (None, 'DELETE_COMPLETE')),
])
def test_what_each_action_counts_as_success(action, with_rollback, settles_in, accepted):
    assert expected_end(action, with_rollback) == (settles_in, accepted)


def run(client, check_mode=False, **params):
    options = dict(stack='s', action='check', cancel_with_rollback=True, wait=True, wait_timeout=5)
    options.update(params)
    return StackActionRunner(FakeModule(options, client, check_mode=check_mode)).run()


def test_check_mode_and_no_op_actions_send_nothing():
    client = stack_client(stack())
    assert run(client, check_mode=True)['changed'] is True
    assert run(client, action='resume')['changed'] is False
    assert run(client, action='export')['changed'] is False
    assert client.writes == []


def test_a_check_that_ends_failed_fails_with_the_runner_result():
    client = stack_client(stack(), show_stack=InTurn(stack(), stack(action='CHECK', status='FAILED')))
    with pytest.raises(errors.StackFailed) as caught:
        run(client)
    assert [call[0] for call in client.writes] == ['stack_check']
    assert caught.value.result['changed'] is True and caught.value.result['action'] == 'check'
    assert caught.value.result['stack']['status'] == 'CHECK_FAILED'


def test_a_cancelled_create_is_the_expected_end():
    creating = stack(action='CREATE', status='IN_PROGRESS')
    client = stack_client(creating, show_stack=InTurn(creating, stack(action='CREATE', status='FAILED')))
    result = run(client, action='cancel_update', cancel_with_rollback=False)
    assert result['changed'] is True and result['stack']['status'] == 'CREATE_FAILED'


def test_a_wait_that_runs_out_is_wait_timeout_with_the_stack():
    checking = stack(action='CHECK', status='IN_PROGRESS')
    client = stack_client(stack(), show_stack=InTurn(stack(), checking))
    with pytest.raises(errors.WaitTimeout) as caught:
        run(client, wait_timeout=0.3)
    assert caught.value.kind == 'wait_timeout' and caught.value.result['stack']['status'] == 'CHECK_IN_PROGRESS'

# -*- coding: utf-8 -*-
"""heat_stack_hook's runner on a scripted engine: list, wait and clear (the hooks themselves: _heat/test_hooks.py)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack_hook import HookRunner
from ansible_collections.heat_rpc.engine.plugins.module_utils.errors import StackFailed

from hook_events import GROUP, GROUP_RESOURCE, TOP, cleared, paused, shown_states, started
from runner_doubles import FakeModule, InTurn, stack, stack_client


def run_hooks(client, check_mode=False, **params):
    options = dict(stack='s', action='list', resources=None, hook=None, wait_timeout=5)
    options.update(params)
    return HookRunner(FakeModule(options, client, check_mode=check_mode)).run()


def busy_client(events, **answers):
    return stack_client(stack(action='UPDATE', status='IN_PROGRESS'), list_events=events,
                        list_stack_resources=[GROUP_RESOURCE], **answers)


# (name, action, check mode, events, resources, changed, signals sent as (resource, hook))
CLEARS = [
    ('clears the pending match', 'clear', False, [paused('0'), paused('1')], ['group/1'], True, [('1', 'pre-update')]),
    ('every match', 'clear', False, [paused('0'), paused('1')], ['group/*'], True,
     [('0', 'pre-update'), ('1', 'pre-update')]),
    ('nothing pending: no change', 'clear', False, [paused('0'), cleared('0')], ['group/*'], False, []),
    ('no match: no change', 'clear', False, [paused('0')], ['group/5', 'web'], False, []),
    ('check mode predicts, sends nothing', 'clear', True, [paused('0')], ['group/0'], True, []),
    ('check mode with nothing pending', 'clear', True, [], ['group/0'], False, []),
    ('list never changes', 'list', False, [paused('0')], None, False, []),
]


@pytest.mark.parametrize('action,check_mode,events,resources,changed,signals', [case[1:] for case in CLEARS],
                         ids=[case[0] for case in CLEARS])
def test_clear_is_a_change_only_for_a_pending_hook(action, check_mode, events, resources, changed, signals):
    client = busy_client(events)
    result = run_hooks(client, check_mode=check_mode, action=action, resources=resources)
    assert result['changed'] is changed
    sent = [(args[1], args[2]['unset_hook']) for name, args, _kwargs in client.calls
            if name == 'resource_signal']
    assert sent == signals
    for name, args, kwargs in client.calls:
        if name == 'resource_signal':
            assert args[0]['stack_id'] == GROUP and kwargs == {'sync_call': True}  # to the resource's own stack
    if action == 'clear':
        assert len(result['cleared']) == (len(result['hooks']) if changed else 0)


def test_the_stack_returned_after_a_clear_is_read_again():
    before = stack(action='UPDATE', status='IN_PROGRESS', stack_status_reason='paused')
    after = stack(action='UPDATE', status='IN_PROGRESS', stack_status_reason='going on')
    client = busy_client([paused('0')], show_stack=InTurn(before, after))
    result = run_hooks(client, action='clear', resources=['group/0'])
    assert result['changed'] is True and result['stack']['status_reason'] == 'going on'
    assert [kwargs['resolve_outputs'] for kwargs in client.kwargs_of('show_stack')] == [False, False]


def test_a_hook_released_meanwhile_is_skipped_and_the_others_cleared():
    gone = errors.ValidationFailedError('The "pre-update" hook is not defined on TestResource "0"',
                                        remote_name='InvalidBreakPointHook')
    client = busy_client([paused('0'), paused('1')], resource_signal=InTurn(gone, None))
    result = run_hooks(client, action='clear', resources=['group/*'])
    assert [hook['resource'] for hook in result['cleared']] == ['1'] and result['changed'] is True
    assert [args[1] for name, args, _kwargs in client.calls if name == 'resource_signal'] == ['0', '1']


def test_a_hook_released_meanwhile_is_skipped_and_no_change():
    gone = errors.ValidationFailedError('The "pre-update" hook is not defined on TestResource "0"',
                                        remote_name='InvalidBreakPointHook')
    result = run_hooks(busy_client([paused('0')], resource_signal=gone), action='clear', resources=['group/0'])
    assert result['changed'] is False and result['cleared'] == [] and len(result['hooks']) == 1


def test_another_signal_refusal_fails_the_task():
    refused = errors.ValidationFailedError('no', remote_name='SomethingElse')
    with pytest.raises(errors.ValidationFailedError):
        run_hooks(busy_client([paused('0')], resource_signal=refused), action='clear', resources=['group/0'])


@pytest.mark.parametrize('params,message', [
    ({'action': 'clear'}, 'action=clear needs resources'),
    ({'resources': ['']}, 'resources: '),
    ({'wait_timeout': 0}, 'wait_timeout must be a positive number'),
])
def test_bad_options_are_refused_before_anything_is_read(params, message):
    client = busy_client([])
    with pytest.raises(errors.ConfigurationError) as caught:
        run_hooks(client, **params)
    assert message in str(caught.value) and client.calls == []


def test_an_engine_below_api_1_31_is_refused_before_anything_is_read():
    client = busy_client([paused('0')])
    client.allowed = False
    with pytest.raises(errors.NotSupportedError) as caught:
        run_hooks(client, action='clear', resources=['*'])
    assert 'needs RPC API 1.31' in str(caught.value) and client.calls == []


def test_wait_returns_the_hooks_reached():
    shows = InTurn(stack(action='UPDATE', status='IN_PROGRESS'))
    events = InTurn([started()], [started(), paused('0', stack_id=TOP)])
    client = stack_client(stack(action='UPDATE', status='IN_PROGRESS'), show_stack=shows, list_events=events)
    result = run_hooks(client, action='wait', resources=['0'])
    assert [hook['path'] for hook in result['hooks']] == ['0'] and result['changed'] is False
    assert result['stack']['status'] == 'UPDATE_IN_PROGRESS'
    # Each look is a cheap read: the outputs of a stack in the middle of an action are not resolved.
    assert [kwargs['resolve_outputs'] for kwargs in client.kwargs_of('show_stack')] == [False] * len(
        client.kwargs_of('show_stack'))


# (name, states shown from the lookup on, the stack's disable_rollback, the status returned or that fails the task)
WAITS_WITHOUT_A_HOOK = [
    ('deleted while waiting: ends well with no stack', ['UPDATE_IN_PROGRESS', None], True, None),
    ('a failed update with rollback enabled is judged after its rollback, as heat_stack judges it',
     ['UPDATE_IN_PROGRESS', 'UPDATE_FAILED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_COMPLETE'], False,
     (StackFailed, 'ROLLBACK_COMPLETE')),
    ('a failed update without rollback is judged as it is', ['UPDATE_IN_PROGRESS', 'UPDATE_FAILED'], True,
     (StackFailed, 'UPDATE_FAILED')),
    ('an update that ends well', ['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE'], False, 'UPDATE_COMPLETE'),
]


@pytest.mark.parametrize('states,disable_rollback,expected', [case[1:] for case in WAITS_WITHOUT_A_HOOK],
                         ids=[case[0] for case in WAITS_WITHOUT_A_HOOK])
def test_a_wait_on_an_action_that_ends_without_a_hook(states, disable_rollback, expected):
    shown = shown_states(*states, disable_rollback=disable_rollback)
    client = stack_client(shown[0], show_stack=InTurn(*shown), list_events=[started()])
    try:
        result = run_hooks(client, action='wait')
    except StackFailed as exc:
        assert isinstance(expected, tuple) and exc.result['stack']['status'] == expected[1]
        assert expected[1] in str(exc) and exc.result['changed'] is False
        return
    assert not isinstance(expected, tuple) and result['hooks'] == [] and result['changed'] is False
    assert (result['stack'] or {}).get('status') == expected


@pytest.mark.parametrize('state,ends_well', [
    ('CREATE_COMPLETE', True), ('UPDATE_COMPLETE', True), ('CHECK_COMPLETE', True), ('RESUME_COMPLETE', True),
    ('ROLLBACK_COMPLETE', False), ('UPDATE_FAILED', False), ('CREATE_FAILED', False), ('ROLLBACK_FAILED', False),
    ('DELETE_FAILED', False),
])
def test_a_wait_that_ends_without_a_hook_is_judged_on_how_the_action_ended(state, ends_well):
    raw = stack(action=state.split('_')[0], status=state.split('_', 1)[1])
    client = stack_client(raw)
    try:
        result = run_hooks(client, action='wait')
    except StackFailed as exc:
        assert not ends_well and state in str(exc)
        return
    assert ends_well and result['hooks'] == [] and result['stack']['status'] == state
    assert 'list_events' not in client.methods()  # a settled stack has no pending hooks to read

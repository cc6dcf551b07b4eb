# -*- coding: utf-8 -*-
"""The polling helper (with a fake clock, so the schedule itself is asserted) and the stack outcome judge."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat import waiting
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import Poller, StackOutcome, stack_settled
from ansible_collections.heat_rpc.engine.plugins.module_utils.errors import EngineNotAnsweringError, StackFailed, WaitTimeout

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import shape_event
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import StackService

from runner_doubles import ScriptedClient, run_in_runner


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_polls_fast_first_then_backs_off_and_returns_the_settled_state():
    clock = FakeClock()
    states = iter(['a'] * 10 + ['done'])
    poller = Poller(60, clock=clock.clock, sleep=clock.sleep)
    assert poller.wait(lambda: next(states), lambda s: s == 'done') == 'done'
    assert clock.sleeps[0] == 0.05
    assert clock.sleeps[:4] == pytest.approx([0.05, 0.075, 0.1125, 0.16875])
    # Within the first minute no gap is longer than 0.2 s: the end is noticed within ~0.2 s.
    assert max(clock.sleeps) == pytest.approx(0.2)


def test_a_long_wait_relaxes_to_one_poll_a_second():
    clock = FakeClock()
    poller = Poller(300, clock=clock.clock, sleep=clock.sleep)
    with pytest.raises(WaitTimeout):
        poller.wait(lambda: 'IN_PROGRESS', lambda s: False)
    early = [s for s, at in zip(clock.sleeps, _moments(clock.sleeps)) if at < 60]
    late = [s for s, at in zip(clock.sleeps, _moments(clock.sleeps)) if at > 70]
    assert max(early) == pytest.approx(0.2)
    assert min(late[:-1]) == pytest.approx(1.0) and max(late) <= 1.0  # the last one stops at the deadline
    assert len(clock.sleeps) < 60 / 0.2 + 240 + 10  # about 300 + 240 reads for 5 minutes


def _moments(sleeps):
    moments, now = [], 0.0
    for seconds in sleeps:
        moments.append(now)
        now += seconds
    return moments


def test_never_sleeps_past_the_deadline_and_reports_the_last_state():
    clock = FakeClock()
    poller = Poller(3, clock=clock.clock, sleep=clock.sleep)
    with pytest.raises(WaitTimeout) as caught:
        poller.wait(lambda: 'IN_PROGRESS', lambda s: False, describe=lambda s: 'still ' + s)
    assert clock.now == pytest.approx(3.0)
    assert caught.value.last == 'IN_PROGRESS'
    assert 'still IN_PROGRESS' in str(caught.value)


@pytest.mark.parametrize('raw,actions,settled', [
    (None, None, True),
    ({'stack_action': 'CREATE', 'stack_status': 'IN_PROGRESS'}, None, False),
    ({'stack_action': 'CREATE', 'stack_status': 'COMPLETE'}, None, True),
    ({'stack_action': 'CREATE', 'stack_status': 'COMPLETE'}, ('UPDATE', 'ROLLBACK'), False),
    ({'stack_action': 'ROLLBACK', 'stack_status': 'COMPLETE'}, ('UPDATE', 'ROLLBACK'), True),
    (waiting.Unreadable(EngineNotAnsweringError('silent')), None, False),  # a read that failed settles nothing
])
def test_stack_settled(raw, actions, settled):
    assert stack_settled(raw, actions) is settled


# -- the outcome judge, on a scripted stack ------------------------------------------------------------


class ScriptedService:
    """show() answers the next state of a script (the last one repeats)."""

    def __init__(self, *states):
        self.states = list(states)
        self.reads = 0

    def show(self, identity, resolve_outputs=True):
        self.reads += 1
        return self.states.pop(0) if len(self.states) > 1 else self.states[0]


class QuietClient:
    """What the judge reads to explain a failure: no failed resources, no events."""

    def list_stack_resources(self, ctxt, identity, nested_depth=0):
        return []

    def list_events(self, ctxt, identity, **options):
        return []


def stack(action, status, disable_rollback=False):
    return {'stack_action': action, 'stack_status': status, 'disable_rollback': disable_rollback,
            'stack_name': 's', 'stack_identity': {'stack_id': 'x'}}


def outcome(service, wait_timeout=30):
    return StackOutcome(QuietClient(), service, wait_timeout)


def test_a_failed_update_with_rollback_enabled_is_followed_to_its_rollback():
    service = ScriptedService(stack('UPDATE', 'FAILED', False), stack('UPDATE', 'FAILED', False),
                              stack('ROLLBACK', 'IN_PROGRESS', False), stack('ROLLBACK', 'COMPLETE', False))
    final = outcome(service).follow_rollback({'stack_id': 'x'}, stack('UPDATE', 'FAILED', False))
    assert (final['stack_action'], final['stack_status']) == ('ROLLBACK', 'COMPLETE')


def test_without_rollback_the_failure_is_final_at_once():
    service = ScriptedService(stack('ROLLBACK', 'COMPLETE', True))
    raw = stack('UPDATE', 'FAILED', True)
    assert outcome(service).follow_rollback({'stack_id': 'x'}, raw) is raw
    assert service.reads == 0


def test_a_rollback_that_never_starts_leaves_the_failure_as_it_is(monkeypatch):
    monkeypatch.setattr(waiting, 'ROLLBACK_START_SECONDS', 0.3)
    service = ScriptedService(stack('CREATE', 'FAILED', False))
    raw = stack('CREATE', 'FAILED', False)
    assert outcome(service).follow_rollback({'stack_id': 'x'}, raw) is raw
    assert service.reads >= 2


# (name, script of states, settles_in, accepted, rollback, expected: the final state or the error kind)
JUDGEMENTS = [
    ('create complete', [stack('CREATE', 'COMPLETE')], ('CREATE', 'ROLLBACK'), ('CREATE_COMPLETE',), True,
     'CREATE_COMPLETE'),
    ('rolled back create is a failure', [stack('CREATE', 'FAILED'), stack('ROLLBACK', 'IN_PROGRESS'),
                                         stack('ROLLBACK', 'COMPLETE')], ('CREATE', 'ROLLBACK'),
     ('CREATE_COMPLETE',), True, 'stack_failed'),
    ('failed check', [stack('CHECK', 'FAILED')], ('CHECK',), ('CHECK_COMPLETE',), False, 'stack_failed'),
    ('the previous action is not taken for the end', [stack('CREATE', 'COMPLETE'), stack('CHECK', 'IN_PROGRESS'),
                                                      stack('CHECK', 'COMPLETE')], ('CHECK',), ('CHECK_COMPLETE',),
     False, 'CHECK_COMPLETE'),
    ('cancel without rollback ends FAILED on purpose', [stack('CREATE', 'FAILED', True)], ('UPDATE', 'CREATE'),
     ('UPDATE_FAILED', 'CREATE_FAILED'), False, 'CREATE_FAILED'),
    ('deleted and gone', [stack('DELETE', 'IN_PROGRESS'), None], ('DELETE',), (None,), False, None),
    ('delete failed', [stack('DELETE', 'FAILED')], ('DELETE',), (None,), False, 'stack_failed'),
    ('gone while waiting for a check', [None], ('CHECK',), ('CHECK_COMPLETE',), False, 'stack_failed'),
    ('still in progress at the deadline', [stack('UPDATE', 'IN_PROGRESS')], ('UPDATE',), ('UPDATE_COMPLETE',),
     False, 'wait_timeout'),
    ('adopt complete', [stack('ADOPT', 'IN_PROGRESS'), stack('ADOPT', 'COMPLETE')], ('ADOPT', 'ROLLBACK'),
     ('ADOPT_COMPLETE',), True, 'ADOPT_COMPLETE'),
    ('rolled back adopt is a failure', [stack('ADOPT', 'FAILED'), stack('ROLLBACK', 'IN_PROGRESS'),
                                        stack('ROLLBACK', 'COMPLETE')], ('ADOPT', 'ROLLBACK'),
     ('ADOPT_COMPLETE',), True, 'stack_failed'),
    ('settled in any action', [stack('UPDATE', 'IN_PROGRESS'), stack('SUSPEND', 'COMPLETE')], None,
     ('CREATE_COMPLETE', 'SUSPEND_COMPLETE'), True, 'SUSPEND_COMPLETE'),
]


@pytest.mark.parametrize('action,followed', [('CREATE', True), ('UPDATE', True), ('ADOPT', True), ('CHECK', False),
                                             ('SUSPEND', False), ('DELETE', False), ('RESUME', False)])
def test_which_failed_actions_are_followed_through_their_rollback(action, followed):
    service = ScriptedService(stack('ROLLBACK', 'COMPLETE', False))
    raw = stack(action, 'FAILED', False)
    final = outcome(service).follow_rollback({'stack_id': 'x'}, raw)
    assert (final['stack_action'] == 'ROLLBACK') is followed
    assert (final is raw) is not followed


@pytest.mark.parametrize('script,settles_in,accepted,rollback,expected', [case[1:] for case in JUDGEMENTS],
                         ids=[case[0] for case in JUDGEMENTS])
def test_one_rule_judges_every_action(monkeypatch, script, settles_in, accepted, rollback, expected):
    monkeypatch.setattr(waiting, 'ROLLBACK_START_SECONDS', 0.3)
    judge = outcome(ScriptedService(*script), wait_timeout=0.5)
    if expected in ('stack_failed', 'wait_timeout'):
        with pytest.raises((StackFailed, WaitTimeout)) as caught:
            run_in_runner(lambda: judge.finish({'stack_id': 'x'}, settles_in, accepted, rollback=rollback))
        assert caught.value.kind == expected
        assert caught.value.result['changed'] is True  # the runner's result comes back with the failure
    else:
        final = judge.finish({'stack_id': 'x'}, settles_in, accepted, rollback=rollback)
        assert (None if final is None else '%s_%s' % (final['stack_action'], final['stack_status'])) == expected


def test_a_timeout_says_the_action_goes_on_and_returns_the_stack():
    judge = outcome(ScriptedService(stack('UPDATE', 'IN_PROGRESS')), wait_timeout=0.3)
    with pytest.raises(WaitTimeout) as caught:
        judge.wait({'stack_id': 'x'}, ('UPDATE',))
    assert str(caught.value).startswith('gave up after wait_timeout 0.3s with the stack UPDATE_IN_PROGRESS; it goes on')
    assert caught.value.result['stack']['status'] == 'UPDATE_IN_PROGRESS'


# -- what a failure says and returns ------------------------------------------------------------------------

@pytest.mark.parametrize('raw,described', [
    (None, 'stack not found'),
    ({'stack_action': 'UPDATE', 'stack_status': 'FAILED', 'stack_status_reason': 'boom'}, 'UPDATE_FAILED (boom)'),
    (waiting.Unreadable(EngineNotAnsweringError('silent')), 'unknown (silent)'),
])
def test_how_a_stack_waited_for_is_described(raw, described):
    assert described in waiting.describe_stack(raw)
    assert waiting.describe_stack(raw) == repr(waiting.HookLook(raw, []))


def test_a_look_that_found_hooks_says_where_it_paused():
    hooks = [{'hook': 'pre-update', 'path': 'group/0'}, {'hook': 'pre-create', 'path': 'db'}]
    assert repr(waiting.HookLook(stack('UPDATE', 'IN_PROGRESS'), hooks)) == \
        'paused on pre-update group/0, pre-create db'


# (name, the stack given to failure_result, what show() answers when asked, the status returned or None)
FAILURE_FACTS = [
    ('the stack as it was last seen', stack('UPDATE', 'FAILED'), stack('CREATE', 'COMPLETE'), 'UPDATE_FAILED'),
    ('none seen: read again', None, stack('UPDATE', 'FAILED'), 'UPDATE_FAILED'),
    ('unreadable when last seen: read again', waiting.Unreadable(EngineNotAnsweringError('silent')),
     stack('UPDATE', 'FAILED'), 'UPDATE_FAILED'),
    ('gone when read again: no stack', None, None, None),
    ('still unreadable: no stack', None, EngineNotAnsweringError('silent'), None),
]


class AnsweringService:
    def __init__(self, answer):
        self.answer = answer
        self.reads = []

    def show(self, identity, resolve_outputs=True):
        self.reads.append(resolve_outputs)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.mark.parametrize('raw,shown,expected', [case[1:] for case in FAILURE_FACTS],
                         ids=[case[0] for case in FAILURE_FACTS])
def test_the_facts_of_a_failure(raw, shown, expected):
    service = AnsweringService(shown)
    facts = outcome(service).failure_result({'stack_id': 'x'}, raw)
    if expected is None:
        assert facts == {}
    else:
        assert facts['stack']['status'] == expected and facts['failed_resources'] == [] and facts['events'] == []
    # Read again only when nothing readable was seen, and cheaply.
    assert service.reads == ([] if isinstance(raw, dict) else [False])


@pytest.mark.parametrize('raw,expected', [
    ({'updated_time': 'u', 'creation_time': 'c'}, 'u'),
    ({'updated_time': None, 'creation_time': 'c'}, 'c'),
    ({}, ''),
])
def test_when_the_latest_action_started(raw, expected):
    assert waiting.last_action_time(raw) == expected


# -- the events of an action that succeeded -----------------------------------------------------------------

def ident(stack_id, name):
    return {'stack_id': stack_id, 'stack_name': name, 'tenant': 't', 'path': ''}


TOP_ID, GROUP_ID, MEMBER_ID = ident('top', 'web'), ident('g', 'web-group-x'), ident('m0', 'web-group-x-0-y')
TREE = [{'resource_name': 'group', 'stack_identity': TOP_ID, 'nested_stack_id': GROUP_ID},
        {'resource_name': '0', 'stack_identity': GROUP_ID, 'nested_stack_id': MEMBER_ID},
        {'resource_name': 'leaf', 'stack_identity': MEMBER_ID, 'nested_stack_id': None}]


def event(name, stack, time, status='COMPLETE'):
    return {'resource_name': name, 'stack_identity': stack, 'stack_name': stack['stack_name'], 'event_time': time,
            'resource_action': 'UPDATE', 'resource_status': status, 'event_identity': {'path': '/events/%s-%s' % (
                name, time)}}


EVENTS = [event('old', TOP_ID, '2026-01-01T00:00:00Z'),
          event('web', TOP_ID, '2026-01-02T00:00:00Z', 'IN_PROGRESS'),
          event('leaf', MEMBER_ID, '2026-01-02T00:00:01Z'),
          event('web-group-x-0-y', MEMBER_ID, '2026-01-02T00:00:02Z'),
          event('0', GROUP_ID, '2026-01-02T00:00:03Z'),
          event('gone', ident('other', 'web-other'), '2026-01-02T00:00:04Z'),
          event('web', TOP_ID, '2026-01-02T00:00:05Z')]


@pytest.mark.parametrize('since,limit,paths', [
    ('2026-01-02T00:00:00Z', 100, ['', 'group/0/leaf', 'group/0', 'group/0', None, '']),
    ('2026-01-02T00:00:00Z', 2, [None, '']),       # the newest, still oldest first
    ('2026-01-02T00:00:04Z', 100, [None, '']),
    (None, 100, ['', 'group/0/leaf', 'group/0', 'group/0', None, '']),  # else the stack's latest action
])
def test_the_events_of_an_action_reach_into_nested_stacks_with_their_paths(since, limit, paths):
    client = ScriptedClient({'list_events': EVENTS, 'list_stack_resources': TREE})
    outcome = waiting.StackOutcome(client, StackService(client), 5, since=since)
    raw = {'updated_time': '2026-01-02T00:00:00Z', 'creation_time': '2026-01-01T00:00:00Z'}
    events = outcome.events_of_action(TOP_ID, raw, limit)
    assert [entry['path'] for entry in events] == paths
    assert [call[2].get('nested_depth') for call in client.calls if call[0] == 'list_events'] == [waiting.ALL_NESTED]
    assert all(set(shape_event(EVENTS[0])) <= set(entry) for entry in events)


def test_events_of_the_top_stack_alone_need_no_resource_listing():
    client = ScriptedClient({'list_events': [EVENTS[1], EVENTS[-1]]})
    outcome = waiting.StackOutcome(client, StackService(client), 5, since='')
    assert [entry['path'] for entry in outcome.events_of_action(TOP_ID, {}, 10)] == ['', '']
    assert client.methods() == ['list_events']


def test_events_that_cannot_be_read_are_none_the_action_stands():
    client = ScriptedClient({'list_events': errors.EngineNotAnsweringError('slow')})
    assert waiting.StackOutcome(client, StackService(client), 5, since='').events_of_action(TOP_ID, {}, 10) == []

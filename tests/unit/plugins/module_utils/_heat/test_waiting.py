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


# -- an action whose engine died -------------------------------------------------------------------------------

ACTION = '2026-12-04T10:00:00Z'  # when the stack's action began


def engine(status, created, host='e', interval=60):
    return {'host': host, 'status': status, 'created_at': created + '.000000', 'report_interval': interval}


def resource(name, status='IN_PROGRESS'):
    return {'resource_name': name, 'resource_status': status}


def event(name, status, at, stack_name='s'):
    return {'resource_name': name, 'resource_status': status, 'event_time': at, 'stack_name': stack_name}


STARTED = event('r', 'IN_PROGRESS', '2026-12-04T10:00:05Z')


@pytest.mark.parametrize('services,resources,events,orphans', [
    # The only engine was killed and another started since: the resource it held has no engine.
    ([engine('down', '2026-12-04T09:00:00'), engine('up', '2026-12-04T10:03:00')], [resource('r')], [STARTED],
     {'r': '2026-12-04T10:00:05'}),
    # ... and its record is gone (heat deletes an engine's stale record when one starts on its host): the same.
    ([engine('up', '2026-12-04T10:03:00')], [resource('r')], [STARTED], {'r': '2026-12-04T10:00:05'}),
    # The engine started since took the resource on (a later IN_PROGRESS event): it may be running it.
    ([engine('up', '2026-12-04T10:03:00')], [resource('r')],
     [STARTED, event('r', 'FAILED', '2026-12-04T10:04:00'), event('r', 'IN_PROGRESS', '2026-12-04T10:04:00')], {}),
    # Two engines, one dead: the living one was there when the resource started; it may be holding it.
    ([engine('down', '2026-12-04T09:00:00'), engine('up', '2026-12-04T09:30:00')], [resource('r')], [STARTED], {}),
    # An engine that started in the same second as the resource counts as there.
    ([engine('up', '2026-12-04T10:00:05')], [resource('r')], [STARTED], {}),
    # A resource that ended is no one's; the stack's own IN_PROGRESS event is not a resource's.
    ([engine('up', '2026-12-04T10:03:00')], [resource('r', 'COMPLETE')],
     [STARTED, event('s', 'IN_PROGRESS', '2026-12-04T10:00:00')], {}),
    ([engine('up', '2026-12-04T10:03:00')], [resource('s')], [event('s', 'IN_PROGRESS', '2026-12-04T10:00:00')], {}),
    # A resource in progress without an IN_PROGRESS event: nothing says when it started.
    ([engine('up', '2026-12-04T10:03:00')], [resource('r')], [], {}),
])
def test_which_resources_no_living_engine_can_hold(services, resources, events, orphans):
    assert waiting.orphaned_resources(services, resources, events) == orphans


class EnginesClient:
    """list_services answers the next record list of a script (the last repeats); resources and events are fixed."""

    def __init__(self, *service_lists, resources=(), events=()):
        self.service_lists = list(service_lists)
        self.resources = list(resources)
        self.events = list(events)
        self.reads = []

    def list_services(self, ctxt):
        self.reads.append('list_services')
        answer = self.service_lists.pop(0) if len(self.service_lists) > 1 else self.service_lists[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def list_stack_resources(self, ctxt, identity, nested_depth=0):
        self.reads.append('list_stack_resources')
        return self.resources

    def list_events(self, ctxt, identity, **options):
        self.reads.append('list_events')
        return self.events


IN_PROGRESS = {'stack_name': 's', 'stack_action': 'CREATE', 'stack_status': 'IN_PROGRESS', 'creation_time': ACTION,
               'stack_identity': {'stack_id': 'x', 'stack_name': 's'}}
OLD_DOWN = engine('down', '2026-12-04T09:00:00', host='old', interval=60)
NEW_UP = engine('up', '2026-12-04T10:03:00', host='new', interval=60)
OLD_UP = engine('up', '2026-12-04T09:00:00', host='old', interval=60)


def watch_looks(client, moments, raw=(), first=None):
    """Looks at ``moments`` (seconds) at ``raw`` (IN_PROGRESS unless given; None is a stack gone); returns the moment
    the engine was found dead (None: never)."""
    raw = IN_PROGRESS if raw == () else raw
    clock = FakeClock()
    engines = waiting.EngineWatch(client, every=15, clock=clock.clock, first=first)
    for moment in moments:
        clock.now = moment
        try:
            engines.look({'stack_id': 'x'}, raw)
        except errors.EngineDeadError as exc:
            assert exc.last is raw
            return moment
    return None


@pytest.mark.parametrize('service_lists,moments,dead_at', [
    # Killed and restarted: orphaned on two looks a report interval (60 s) apart.
    ([[OLD_DOWN, NEW_UP]], [15, 30, 45, 60, 75, 90], 75),
    # Not before the first look, 15 s into the wait.
    ([[OLD_DOWN, NEW_UP]], [5, 10, 14], None),
    # Paused: the engine answers the first look with its record stale (it has not reported yet), then reports.
    ([[OLD_DOWN, NEW_UP], [OLD_UP, NEW_UP]], [15, 30, 45, 60, 75, 90, 105], None),
    # Two engines, one of them dead: the other was running before the action began.
    ([[OLD_DOWN, OLD_UP, NEW_UP]], [15, 30, 45, 60, 75, 90], None),
    # Looks that fail (the engine is away) judge nothing, and do not confirm anything either.
    ([[OLD_DOWN, NEW_UP], EngineNotAnsweringError('silent')], [15, 30, 45, 60, 75, 90], None),
    # A report interval of 5 s confirms at the next look.
    ([[dict(OLD_DOWN, report_interval=5), dict(NEW_UP, report_interval=5)]], [15, 30], 30),
])
def test_when_an_action_is_found_to_have_no_living_engine(service_lists, moments, dead_at):
    client = EnginesClient(*service_lists, resources=[resource('r')], events=[STARTED])
    assert watch_looks(client, moments) == dead_at


@pytest.mark.parametrize('first,moments,reads,dead_at', [
    (None, [0, 10, 15, 30, 45, 60, 75], 5, 75),  # a wait for the run's own action: the first look after 15 s
    (0, [0, 15, 30, 45, 60], 5, 60),  # an action found in progress: looked at once
])
def test_when_the_first_look_is(first, moments, reads, dead_at):
    client = EnginesClient([OLD_DOWN, NEW_UP], resources=[resource('r')], events=[STARTED])
    assert watch_looks(client, moments, first=first) == dead_at
    assert client.reads.count('list_services') == reads


def test_a_stack_not_in_progress_or_unreadable_is_not_looked_at():
    client = EnginesClient([OLD_DOWN, NEW_UP], resources=[resource('r')], events=[STARTED])
    for raw in (None, dict(IN_PROGRESS, stack_status='FAILED'), waiting.Unreadable(EngineNotAnsweringError('x'))):
        assert watch_looks(client, [15, 30, 90], raw=raw) is None
    assert client.reads == []


def test_while_an_engine_older_than_the_action_is_up_a_look_is_one_read():
    client = EnginesClient([OLD_UP, NEW_UP], resources=[resource('r')], events=[STARTED])
    assert watch_looks(client, [15, 20, 30]) is None
    assert client.reads == ['list_services', 'list_services']  # at 15 and 30 s; none at 20


def test_a_resource_that_is_no_longer_orphaned_starts_the_count_again():
    first = EnginesClient([OLD_DOWN, NEW_UP], resources=[resource('r')], events=[STARTED])
    clock = FakeClock()
    engines = waiting.EngineWatch(first, every=15, clock=clock.clock)
    clock.now = 15
    engines.look({'stack_id': 'x'}, IN_PROGRESS)
    first.events = [STARTED, event('r', 'IN_PROGRESS', '2026-12-04T10:04:00')]  # the new engine took it on
    for moment in (30, 45, 60, 75, 90):
        clock.now = moment
        engines.look({'stack_id': 'x'}, IN_PROGRESS)
    assert engines.suspected is None


@pytest.mark.parametrize('action,cancel', [('UPDATE', True), ('CREATE', False), ('DELETE', False)])
def test_an_engine_dead_message_says_what_happened_and_the_ways_out(action, cancel):
    raw = dict(IN_PROGRESS, stack_action=action)
    message = waiting.engine_dead_message(raw, {'r': '2026-12-04T10:00:05'}, [OLD_DOWN, NEW_UP])
    assert message.startswith('stack s is %s_IN_PROGRESS, but no heat-engine alive can be running it: r (since '
                              '2026-12-04T10:00:05) went IN_PROGRESS before any engine up now started '
                              '(up: new (started 2026-12-04T10:03:00); down: old (started 2026-12-04T09:00:00))'
                              % action)
    assert message.endswith('heat-manage reset_stack_status x (heat\'s own recovery) marks it FAILED, after which '
                            'heat_stack repairs the stack; or state=absent deletes it')
    assert ('action=cancel_update cancel_with_rollback=false or heat-manage' in message) is cancel


def test_an_engine_dead_wait_returns_the_stack_left_in_progress(monkeypatch):
    monkeypatch.setattr(waiting, 'ENGINE_LOOK_SECONDS', 0.05)
    client = EnginesClient([dict(OLD_DOWN, report_interval=0.1), dict(NEW_UP, report_interval=0.1)],
                           resources=[resource('r')], events=[STARTED])
    judge = StackOutcome(client, ScriptedService(IN_PROGRESS), 30)
    with pytest.raises(errors.EngineDeadError) as caught:
        judge.wait({'stack_id': 'x'}, ('CREATE',))
    assert caught.value.kind == 'engine_dead'
    assert caught.value.result['stack']['status'] == 'CREATE_IN_PROGRESS'
    assert 'no heat-engine alive can be running it' in caught.value.message

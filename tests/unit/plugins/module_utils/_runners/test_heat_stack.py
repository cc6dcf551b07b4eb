# -*- coding: utf-8 -*-
"""StackRunner decisions (the outcome judge's own are in test_waiting.py, comparisons in test_definitions.py)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat import stack_plan


def test_registry_entries_the_engine_adds_for_template_file_types_are_not_differences():
    """heat-engine stores ``<url>: <url>`` in the registry for ``type: child.yaml``; nobody sent it."""
    url = 'file:///srv/templates/child.yaml'
    stored = {'parameters': {'a': 1}, 'resource_registry': {url: url, 'resources': {}}}
    asked = {'parameters': {'a': 1}, 'resource_registry': {}}
    assert stack_plan.normalise_environment(stored) == stack_plan.normalise_environment(asked)
    # A real mapping is kept (and compared).
    mapped = {'resource_registry': {'My::Child': url}}
    assert stack_plan.normalise_environment(mapped)['resource_registry'] == {'My::Child': url}


# -- state=absent and in-progress actions; twin creates -------------------------------------------------

import pytest  # noqa: E402

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stack_plan import cancellable  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import shape_stack  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack import StackRunner  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat import waiting  # noqa: E402

from runner_doubles import FakeModule, InTurn, ScriptedClient, stack  # noqa: E402


@pytest.mark.parametrize('action,status,expected', [
    ('CREATE', 'IN_PROGRESS', True), ('UPDATE', 'IN_PROGRESS', True),
    ('DELETE', 'IN_PROGRESS', False), ('ROLLBACK', 'IN_PROGRESS', False), ('SUSPEND', 'IN_PROGRESS', False),
    ('CREATE', 'COMPLETE', False), ('CREATE', 'FAILED', False),
])
def test_what_state_absent_cancels_instead_of_waiting_for(action, status, expected):
    assert cancellable(stack(action=action, status=status)) is expected
    assert cancellable(None) is False


def twin(stack_id, created):
    raw = stack(name='web', creation_time=created)
    raw['stack_identity'] = dict(raw['stack_identity'], stack_id=stack_id)
    return raw


def runner_for(client):
    params = dict(name='web', state='present', wait=True, wait_timeout=5, existing=False, converge=False,
                  clear_parameters=[], timeout=None, tags=None, rollback=None, template=None, template_body=None,
                  template_url=None, template_base_dir=None, environment=[], parameters={}, parameter_defaults={},
                  allow_uuid_name=False)
    return StackRunner(FakeModule(params, client))


@pytest.mark.parametrize('ours,listed,ours_stays', [
    ('b', [twin('b', 't1')], True),                       # alone
    ('a', [twin('a', 't1'), twin('b', 't2')], True),      # the older stays
    ('b', [twin('a', 't1'), twin('b', 't2')], False),     # the newer goes
    ('a', [twin('b', 't1'), twin('a', 't1')], True),      # same second: the lower id stays
    ('b', [twin('b', 't1'), twin('a', 't1')], False),
    ('a', [twin('b', 't1'), twin('a', 't2')], False),     # the older stays even with the higher id
    ('a', [twin('a', 't2'), dict(twin('b', 't1'), stack_action='DELETE'), dict(twin('c', 't0'), stack_name='other')],
     True),                                               # deleted twins and other names do not count
])
def test_one_rule_decides_which_twin_stays(ours, listed, ours_stays):
    live = [raw for raw in listed if raw['stack_name'] == 'web' and raw['stack_action'] != 'DELETE']
    survivor = min(live, key=lambda raw: (raw['creation_time'], raw['stack_identity']['stack_id']))
    client = ScriptedClient(dict(list_stacks=listed, delete_stack=None, identify_stack=survivor['stack_identity'],
                                 show_stack=InTurn(None, survivor), get_template={}, get_files={},
                                 get_environment={}, list_stack_resources=[], list_events=[]))
    runner = runner_for(client)
    desired = type('Desired', (), {'name': 'web', 'template': None})()
    runner.ensure_present = lambda wanted, raw: None  # converging the survivor is heat_stack's usual path
    ours_identity = [raw for raw in listed if raw['stack_identity']['stack_id'] == ours][0]['stack_identity']
    assert runner.keep_one_of_twins(desired, ours_identity) is ours_stays
    deleted = [call for call in client.writes if call[0] == 'delete_stack']
    assert deleted == ([] if ours_stays else [('delete_stack', (ours_identity,), {})])
    assert runner.result.get('twin_deleted') == (None if ours_stays else ours)
    assert runner.result['changed'] is (not ours_stays)  # creating, then deleting our copy, is a change


# -- what each path reads and writes, in order -------------------------------------------------------------

TEMPLATE = {'heat_template_version': '2018-08-31', 'parameters': {'p': {'type': 'string', 'default': 'a'}},
            'resources': {'r': {'type': 'OS::Heat::None'}}}
STORED_ENVIRONMENT = {'parameters': {}, 'parameter_defaults': {}, 'resource_registry': {}, 'event_sinks': []}
GONE = errors.NotFoundError('stack not found')


def task(**given):
    params = dict(name='s', state='present', wait=True, wait_timeout=2, existing=False, converge=False,
                  clear_parameters=[], timeout=None, tags=None, rollback=None, template=None, template_body=TEMPLATE,
                  template_url=None, template_base_dir=None, environment=[], parameters={}, parameter_defaults={},
                  allow_uuid_name=False, breakpoints=None, until_hook=False, adopt_data=None, max_events=100)
    params.update(given)
    return params


def engine_with(shows, **answers):
    """A client on which stack ``s`` is found and shown as ``shows`` in turn (None: gone), storing TEMPLATE."""
    answers.setdefault('identify_stack', stack()['stack_identity'] if shows else GONE)
    answers.setdefault('show_stack', InTurn(*shows) if shows else GONE)
    answers.setdefault('get_template', TEMPLATE)
    answers.setdefault('get_files', {})
    answers.setdefault('get_environment', STORED_ENVIRONMENT)
    answers.setdefault('list_stack_resources', [])
    answers.setdefault('list_events', [])
    answers.setdefault('list_services', [])
    answers.setdefault('preview_update_stack', {'updated': [{'resource_name': 'r'}]})
    answers.setdefault('preview_stack', {'resources': [{'resource_name': 'r'}]})
    answers.setdefault('list_stacks', [stack()])
    answers.setdefault('create_stack', stack()['stack_identity'])
    return ScriptedClient(answers)


READ_STORED = ['get_template', 'get_files', 'get_environment']
FIND = ['identify_stack', 'show_stack']
UPDATED = stack(action='UPDATE', updated_time='2026-01-02T00:00:00Z')
SUSPENDED = stack(action='SUSPEND')
WITH_OUTPUTS = stack(outputs=[{'output_key': 'o', 'output_value': 'v', 'description': 'd'}])
# What the engine stores once this task's update (p: b) is applied.
APPLIED = dict(STORED_ENVIRONMENT, parameters={'p': 'b'})

# (name, task options, check mode, stack shown in turn, calls in order, result fields)
PATHS = [
    ('absent and gone: one lookup', dict(state='absent'), False, [], ['identify_stack'],
     {'changed': False, 'stack': None}),
    ('absent, check mode: found, its blast radius read, nothing sent', dict(state='absent'), True, [stack()],
     FIND + ['list_stack_resources', 'get_template'], {'changed': True, 'blast_radius': []}),
    ('absent: deleted, then read until gone', dict(state='absent'), False, [stack(), None],
     FIND + ['delete_stack', 'show_stack'], {'changed': True, 'stack': None}),
    ('absent while a create runs: cancelled, deleted', dict(state='absent'), False,
     [stack(status='IN_PROGRESS'), stack(status='FAILED'), None],
     FIND + ['stack_cancel_update', 'show_stack', 'delete_stack', 'show_stack'], {'changed': True, 'stack': None}),
    ('create, check mode: the engine previews it', {}, True, [], ['identify_stack', 'preview_stack'],
     {'changed': True, 'resource_changes': {'added': ['r'], 'updated': [], 'replaced': [], 'deleted': [],
                                            'unchanged': []}}),
    ('create: sent, twins looked for, waited, shaped, twins looked for again', {}, False, [None, stack()],
     FIND + ['create_stack', 'list_stacks', 'show_stack', 'list_events', 'show_stack', 'list_stacks'],
     {'changed': True, 'resource_changes': None}),
    ('unchanged: read, compared, nothing sent, the stack as found returned', {}, False, [WITH_OUTPUTS],
     FIND + READ_STORED, {'changed': False, 'differences': [], 'stack': shape_stack(WITH_OUTPUTS)}),
    ('unchanged, check mode: the same', {}, True, [WITH_OUTPUTS],
     FIND + READ_STORED, {'changed': False, 'differences': [], 'stack': shape_stack(WITH_OUTPUTS)}),
    ('a parameter differs, check mode: previewed only', dict(parameters={'p': 'b'}), True, [stack()],
     FIND + READ_STORED + ['preview_update_stack'],
     {'changed': True, 'differences': ['parameters'], 'resource_changes': {
         'added': [], 'updated': ['r'], 'replaced': [], 'deleted': [], 'unchanged': []}}),
    ('a parameter differs: previewed, updated, waited, shaped, checked not overtaken', dict(parameters={'p': 'b'}),
     False, [stack(), UPDATED],
     FIND + READ_STORED + ['preview_update_stack', 'update_stack', 'show_stack', 'list_events', 'show_stack',
                           'show_stack'] + READ_STORED,
     {'changed': True, 'differences': ['parameters'], 'events': []}),
    ('existing: a patch of parameters, template kept', dict(existing=True, template_body=None, parameters={'p': 'b'}),
     False, [stack(), UPDATED], FIND + READ_STORED + ['preview_update_stack', 'update_stack', 'show_stack', 'list_events',
                                                      'show_stack'],
     {'changed': True, 'differences': ['parameters']}),
    ('a FAILED stack with the same definition is repaired', {}, False,
     [stack(action='UPDATE', status='FAILED'), UPDATED],
     FIND + READ_STORED + ['preview_update_stack', 'update_stack', 'show_stack', 'list_events', 'show_stack',
                           'show_stack'] + READ_STORED, {'changed': True, 'differences': []}),
    ('a suspended stack is resumed, then compared', {}, False,
     [stack(action='SUSPEND'), stack(action='RESUME')],
     FIND + ['stack_resume', 'show_stack', 'list_events'] + READ_STORED + ['show_stack'],
     {'changed': True, 'resumed': True, 'differences': []}),
    ('suspended: suspend sent and waited for', dict(state='suspended'), False,
     [stack(), stack(action='SUSPEND')], FIND + ['stack_suspend', 'show_stack', 'list_events', 'show_stack'],
     {'changed': True}),
    ('suspended already: nothing sent', dict(state='suspended'), False, [stack(action='SUSPEND')], FIND,
     {'changed': False}),
]


@pytest.mark.parametrize('given,check_mode,shows,calls,fields', [case[1:] for case in PATHS],
                         ids=[case[0] for case in PATHS])
def test_what_each_path_reads_and_writes_in_order(given, check_mode, shows, calls, fields):
    client = engine_with(shows, get_environment=InTurn(STORED_ENVIRONMENT, dict(STORED_ENVIRONMENT, **{
        'parameters': given.get('parameters', {})})))
    module = FakeModule(task(**given), client, check_mode=check_mode)
    result = StackRunner(module).run()
    assert client.methods() == calls
    for key, value in fields.items():
        assert result[key] == value, key
    if check_mode:
        assert client.writes == []


# (name, task options, stack shown in turn, answers, error kind, calls in order)
REFUSALS = [
    ('existing on a stack that does not exist', dict(existing=True), [], {}, 'not_found', ['identify_stack']),
    ('no template for a new stack', dict(template_body=None), [], {}, 'validation_failed', ['identify_stack']),
    ('no template for an existing stack without existing', dict(template_body=None), [stack()], {},
     'validation_failed', FIND),
    ('clear_parameters without existing', dict(clear_parameters=['p']), [stack()], {}, 'configuration', []),
    ('until_hook without wait', dict(until_hook=True, wait=False), [stack()], {}, 'configuration', []),
    ('an engine below the compare API', {}, [stack()], {'allowed': False}, 'not_supported', []),
    ('an update after a resume sent without wait: not sent yet', dict(wait=False, parameters={'p': 'b'}),
     [SUSPENDED, stack(action='RESUME', status='IN_PROGRESS')], {}, 'conflict',
     FIND + ['stack_resume', 'show_stack'] + READ_STORED),
    ('another run is updating: a conflict, nothing more', dict(parameters={'p': 'b'}), [stack()],
     {'update_stack': errors.ConflictError('busy', remote_name='ActionInProgress')}, 'conflict',
     FIND + READ_STORED + ['preview_update_stack', 'update_stack']),
]


@pytest.mark.parametrize('given,shows,answers,kind,calls', [case[1:] for case in REFUSALS],
                         ids=[case[0] for case in REFUSALS])
def test_what_is_refused_and_how_far_it_got(given, shows, answers, kind, calls):
    allowed = answers.pop('allowed', True)
    client = engine_with(shows, **answers)
    client.allowed = allowed
    with pytest.raises(errors.HeatRpcError) as caught:
        StackRunner(FakeModule(task(**given), client)).run()
    assert caught.value.kind == kind
    assert client.methods() == calls


def test_an_update_with_an_unknown_outcome_is_confirmed_by_the_stack_having_moved():
    client = engine_with([stack(), UPDATED], update_stack=errors.OutcomeUnknownError('no answer'),
                         get_environment=InTurn(STORED_ENVIRONMENT, APPLIED))
    result = StackRunner(FakeModule(task(parameters={'p': 'b'}), client)).run()
    assert client.methods() == FIND + READ_STORED + ['preview_update_stack', 'update_stack', 'show_stack',
                                                     'show_stack', 'list_events', 'show_stack', 'show_stack'] + READ_STORED
    assert result['changed'] is True


def test_an_update_with_an_unknown_outcome_and_no_trace_of_it_says_so():
    client = engine_with([stack()], update_stack=errors.OutcomeUnknownError('no answer'))
    with pytest.raises(errors.OutcomeUnknownError) as caught:
        StackRunner(FakeModule(task(parameters={'p': 'b'}), client)).run()
    assert 'shows no new update, so it probably did not start' in str(caught.value)
    assert client.methods()[-2:] == ['update_stack', 'show_stack']


@pytest.mark.parametrize('stored_updated,older', [
    (None, '2025-12-31T00:00:00Z'),                    # never updated: events from its creation on
    ('2026-01-01T12:00:00Z', '2026-01-01T06:00:00Z'),  # updated before: events from that update's time on
])
def test_an_update_that_fails_returns_what_the_task_did_with_the_failure(stored_updated, older):
    failed = stack(action='UPDATE', status='FAILED', updated_time='2026-01-02T00:00:00Z')
    events = [{'event_time': older, 'resource_name': 'an older action'},
              {'event_time': '2026-01-02T00:00:00Z', 'resource_name': 'r'}]
    client = engine_with([stack(updated_time=stored_updated), failed], list_events=events)
    with pytest.raises(errors.StackFailed) as caught:
        StackRunner(FakeModule(task(parameters={'p': 'b'}), client)).run()
    result = caught.value.result
    assert result['differences'] == ['parameters'] and result['changed'] is True
    assert result['stack']['status'] == 'UPDATE_FAILED' and result['failed_resources'] == []
    # Events from the update this run started: from the stored stack's time before it.
    assert client.kwargs_of('list_events') == [{'sort_keys': ['created_at'], 'sort_dir': 'asc'}]
    assert [event['resource_name'] for event in result['events']] == ['r']


# -- more paths, each a decision of the runner's -----------------------------------------------------------


# (name, task options, check mode, stack shown in turn, calls in order, result fields)
MORE_PATHS = [
    ('present while an update runs: waited for, then compared', {}, False,
     [stack(action='UPDATE', status='IN_PROGRESS'), stack(action='UPDATE')],
     FIND + ['show_stack'] + READ_STORED + ['show_stack'], {'changed': False, 'differences': []}),
    ('an update without wait: sent, shaped, not waited for', dict(parameters={'p': 'b'}, wait=False), False,
     [stack(), UPDATED], FIND + READ_STORED + ['preview_update_stack', 'update_stack', 'show_stack'],
     {'changed': True}),
    ('a resume without wait: the stack read as it is, then compared', dict(wait=False), False,
     [SUSPENDED, stack(action='RESUME', status='IN_PROGRESS')],
     FIND + ['stack_resume', 'show_stack'] + READ_STORED + ['show_stack'],
     {'changed': True, 'resumed': True, 'stack': {'status': 'RESUME_IN_PROGRESS'}}),
    ('suspended and gone, check mode: the create is previewed', dict(state='suspended'), True, [],
     ['identify_stack', 'preview_stack'], {'changed': True}),
    ('suspended and gone: created, found again, suspended', dict(state='suspended'), False,
     [None, stack(), stack(), stack(), SUSPENDED],
     FIND + ['create_stack', 'list_stacks', 'show_stack', 'list_events', 'show_stack', 'list_stacks'] + FIND
     + ['stack_suspend', 'show_stack', 'list_events', 'show_stack'], {'changed': True}),
    ('suspended already: shaped as it is', dict(state='suspended'), False, [SUSPENDED], FIND,
     {'changed': False, 'stack': {'status': 'SUSPEND_COMPLETE'}}),
]


@pytest.mark.parametrize('given,check_mode,shows,calls,fields', [case[1:] for case in MORE_PATHS],
                         ids=[case[0] for case in MORE_PATHS])
def test_more_paths_read_and_write_in_order(given, check_mode, shows, calls, fields):
    client = engine_with(shows, get_environment=InTurn(STORED_ENVIRONMENT, dict(STORED_ENVIRONMENT, **{
        'parameters': given.get('parameters', {})})))
    result = StackRunner(FakeModule(task(**given), client, check_mode=check_mode)).run()
    assert client.methods() == calls
    for key, value in fields.items():
        if isinstance(value, dict):
            assert dict((name, result[key][name]) for name in value) == value, key
        else:
            assert result[key] == value, key


@pytest.mark.parametrize('state,shows', [('present', [stack()]), ('absent', [stack(), None])])
@pytest.mark.parametrize('diff_mode', [True, False])
def test_a_diff_is_returned_in_diff_mode_only(state, shows, diff_mode):
    client = engine_with(shows)
    result = StackRunner(FakeModule(task(state=state), client, diff_mode=diff_mode)).run()
    assert ('diff' in result) is diff_mode
    if diff_mode and state == 'absent':
        assert result['diff'] == {'before': {'name': 's', 'state': 'CREATE_COMPLETE'}, 'after': {}}


def test_absent_cancels_a_create_in_progress_without_rollback_and_says_so():
    client = engine_with([stack(status='IN_PROGRESS'), stack(status='FAILED'), None])
    module = FakeModule(task(state='absent'), client)
    result = StackRunner(module).run()
    assert client.kwargs_of('stack_cancel_update') == [{'cancel_with_rollback': False}]
    assert result['cancelled'] == 'CREATE_IN_PROGRESS'
    assert module.warnings == ['stack s was CREATE_IN_PROGRESS: that action was cancelled so that the stack could '
                               'be deleted']


def test_a_stack_deleted_by_someone_else_meanwhile_is_no_change():
    client = engine_with([stack()], delete_stack=GONE)
    result = StackRunner(FakeModule(task(state='absent'), client)).run()
    assert result['changed'] is False and client.methods() == FIND + ['delete_stack']


@pytest.mark.parametrize('updated_time,since', [(None, '2026-01-01T00:00:00Z'), ('2026-03-03T00:00:00Z',
                                                                                 '2026-03-03T00:00:00Z')])
def test_an_action_in_progress_that_never_ends_is_a_conflict_naming_when_it_started(updated_time, since):
    client = engine_with([stack(action='UPDATE', status='IN_PROGRESS', updated_time=updated_time)])
    with pytest.raises(errors.ConflictError) as caught:
        StackRunner(FakeModule(task(wait_timeout=0.2), client)).run()
    assert 'was still UPDATE_IN_PROGRESS after waiting 0.2s for the action in progress to end (since %s)' % since \
        in str(caught.value)
    assert client.writes == []


def test_an_action_in_progress_whose_engine_died_is_engine_dead_with_the_stack_not_a_conflict(monkeypatch):
    monkeypatch.setattr(waiting, 'ENGINE_LOOK_SECONDS', 0.02)
    in_progress = stack(action='UPDATE', status='IN_PROGRESS', updated_time='2026-03-03T00:00:00Z')
    client = engine_with([in_progress], list_services=[
        {'host': 'old', 'status': 'down', 'created_at': '2026-01-01T00:00:00.000000', 'report_interval': 0.05},
        {'host': 'new', 'status': 'up', 'created_at': '2026-03-03T00:05:00.000000', 'report_interval': 0.05}],
        list_stack_resources=[{'resource_name': 'r', 'resource_status': 'IN_PROGRESS'}],
        list_events=[{'resource_name': 'r', 'resource_status': 'IN_PROGRESS', 'event_time': '2026-03-03T00:00:01Z',
                      'stack_name': 's'}])
    with pytest.raises(errors.EngineDeadError) as caught:
        StackRunner(FakeModule(task(wait_timeout=30), client)).run()
    assert 'r (since 2026-03-03T00:00:01) went IN_PROGRESS before any engine up now started' in str(caught.value)
    assert caught.value.result['stack']['status'] == 'UPDATE_IN_PROGRESS'
    assert client.writes == []


def test_an_update_preview_that_fails_is_reported_and_the_update_still_sent():
    client = engine_with([stack(), UPDATED], preview_update_stack=errors.EngineError('cannot preview'),
                         get_environment=InTurn(STORED_ENVIRONMENT, APPLIED))
    result = StackRunner(FakeModule(task(parameters={'p': 'b'}), client)).run()
    assert result['resource_changes'] is None and result['preview_error'] == 'cannot preview'
    assert 'update_stack' in client.methods()


def test_in_check_mode_an_update_preview_that_fails_fails_the_task():
    client = engine_with([stack()], preview_update_stack=errors.EngineError('cannot preview'))
    with pytest.raises(errors.EngineError):
        StackRunner(FakeModule(task(parameters={'p': 'b'}), client, check_mode=True)).run()
    assert client.writes == []


def test_a_preview_the_engine_cannot_nest_is_asked_again_for_the_top_level():
    previews = InTurn(errors.NotSupportedError('show_nested'), {'updated': [{'resource_name': 'r'}]})
    client = engine_with([stack()], preview_update_stack=previews)
    result = StackRunner(FakeModule(task(parameters={'p': 'b'}), client, check_mode=True)).run()
    assert [kwargs['args'] if 'args' in kwargs else None for kwargs in client.kwargs_of('preview_update_stack')] \
        == [None, None]
    assert [call[1][4] for call in client.calls if call[0] == 'preview_update_stack'] == [
        {'tags': [], 'show_nested': True}, {'tags': []}]
    assert result['resource_changes']['updated'] == ['r']


@pytest.mark.parametrize('until_hook', [False, True])
def test_a_failed_update_with_rollback_is_judged_after_its_rollback(until_hook):
    live = dict(disable_rollback=False)
    shows = [stack(**live), stack(action='UPDATE', status='FAILED', **live),
             stack(action='ROLLBACK', status='IN_PROGRESS', **live), stack(action='ROLLBACK', **live)]
    client = engine_with(shows)
    with pytest.raises(errors.StackFailed) as caught:
        StackRunner(FakeModule(task(parameters={'p': 'b'}, until_hook=until_hook), client)).run()
    assert caught.value.result['stack']['status'] == 'ROLLBACK_COMPLETE'


def test_the_reads_that_confirm_and_check_an_update_skip_the_outputs():
    client = engine_with([stack(), UPDATED], update_stack=errors.OutcomeUnknownError('no answer'),
                         get_environment=InTurn(STORED_ENVIRONMENT, APPLIED))
    StackRunner(FakeModule(task(parameters={'p': 'b'}), client)).run()
    resolved = [kwargs.get('resolve_outputs') for kwargs in client.kwargs_of('show_stack')]
    # found (outputs), confirmed, waited, shaped (outputs), read again for the overtaken check
    assert resolved == [True, False, False, True, False]


# -- a create whose answer was lost, and a name taken meanwhile -------------------------------------------

@pytest.fixture
def short_lookups(monkeypatch):
    monkeypatch.setattr(waiting, 'REIDENTIFY_SECONDS', 0.3)


def test_a_create_with_an_unknown_outcome_finds_the_stack_it_made(short_lookups):
    client = engine_with([None, None, stack()], create_stack=errors.OutcomeUnknownError('no answer'))
    result = StackRunner(FakeModule(task(), client)).run()
    assert result['changed'] is True
    assert [name for name in client.methods() if name == 'create_stack'] == ['create_stack']


@pytest.mark.parametrize('lookup,message', [
    (None, 'no stack named s appeared within 0.3s, so it was probably not created: run the task again'),
    (errors.EngineNotAnsweringError('silent'), 'the engine did not answer the lookups of stack s for 0.3s either'),
])
def test_a_create_with_an_unknown_outcome_and_no_stack_found_says_what_is_known(short_lookups, lookup, message):
    client = engine_with([None], create_stack=errors.OutcomeUnknownError('no answer'))
    if lookup is not None:
        client.answers['identify_stack'] = InTurn(GONE, lookup)
    with pytest.raises(errors.OutcomeUnknownError) as caught:
        StackRunner(FakeModule(task(), client)).run()
    assert message in str(caught.value)
    assert [name for name in client.methods() if name == 'create_stack'] == ['create_stack']


def test_a_name_taken_meanwhile_by_a_live_stack_is_converged_not_created_again():
    client = engine_with([None, stack()], create_stack=errors.ConflictError('exists', remote_name='StackExists'))
    result = StackRunner(FakeModule(task(), client)).run()
    assert result['changed'] is False and result['differences'] == []
    assert [name for name in client.methods() if name == 'create_stack'] == ['create_stack']


def test_a_name_held_by_a_just_deleted_stack_is_waited_free_then_sent_once_more(short_lookups):
    client = engine_with([stack()], create_stack=InTurn(
        errors.ConflictError('exists', remote_name='StackExists'), stack()['stack_identity']))
    client.answers['identify_stack'] = InTurn(GONE, GONE, GONE, stack()['stack_identity'])
    result = StackRunner(FakeModule(task(), client)).run()
    assert result['changed'] is True
    assert [name for name in client.methods() if name == 'create_stack'] == ['create_stack', 'create_stack']


def test_a_name_never_let_go_is_a_conflict(short_lookups):
    client = engine_with([None], create_stack=errors.ConflictError('exists', remote_name='StackExists'))
    client.answers['identify_stack'] = InTurn(GONE, GONE, stack()['stack_identity'])
    with pytest.raises(errors.ConflictError) as caught:
        StackRunner(FakeModule(task(), client)).run()
    assert 'the engine still holds the name of a deleted stack s after 0.3s' in str(caught.value)
    assert [name for name in client.methods() if name == 'create_stack'] == ['create_stack']


def test_a_resume_without_wait_reads_the_stack_cheaply_before_comparing():
    client = engine_with([SUSPENDED, stack(action='RESUME', status='IN_PROGRESS')])
    StackRunner(FakeModule(task(wait=False), client)).run()
    # found (outputs), read after the resume (no outputs), shaped (outputs)
    assert [kwargs.get('resolve_outputs') for kwargs in client.kwargs_of('show_stack')] == [True, False, True]


HIDDEN_TEMPLATE = dict(TEMPLATE, parameters={'p': {'type': 'string', 'hidden': True}})


@pytest.mark.parametrize('stored_files,secrets', [
    ({'env.yaml': '{"parameters": {"p": "stored-hush"}}'}, {'stored-hush'}),
    ({}, set()),
])
def test_hidden_values_the_stored_environment_files_give_are_masked_without_another_call(stored_files, secrets):
    """The update compares with the stored files anyway: the values they give hidden parameters are masked too."""
    client = engine_with([stack(), UPDATED], get_template=HIDDEN_TEMPLATE, get_files=stored_files)
    module = FakeModule(task(template_body=HIDDEN_TEMPLATE, existing=True), client)
    StackRunner(module).run()
    assert module.secrets == secrets
    assert client.methods().count('get_files') == 1

# -*- coding: utf-8 -*-
"""Breakpoint hooks: patterns, pending hooks from events, breakpoints as an environment, the comparison
leaving hooks out, the wait that ends at a hook, and heat_stack with breakpoints and until_hook (heat_stack_hook's
runner: _runners/test_heat_stack_hook.py)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.definitions import Definition
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.hooks import (
    HookFinder, breakpoints_registry, check_patterns, path_matches, pending_hook_events, with_breakpoints,
    without_hooks,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stack_plan import DesiredStack, StoredStack, differences
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.templates import StackInputs
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack import StackRunner
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat import waiting
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import StackOutcome
from ansible_collections.heat_rpc.engine.plugins.module_utils.errors import StackFailed

from hook_events import GROUP, TOP, cleared, event, finder_client, paused, started
from runner_doubles import FakeModule, InTurn, run_in_runner, stack, stack_client


@pytest.mark.parametrize('path,pattern,matches', [
    ('web', 'web', True),
    ('web', 'web_*', False),
    ('web_1', 'web_*', True),
    ('Web_1', 'web_*', False),              # case-sensitive, as the engine's own matching
    ('group/0', 'group/0', True),
    ('group/0', 'group/*', True),
    ('group/0', 'gr*/?', True),
    ('group/0', '*', False),                # a top-level pattern never reaches into a nested stack
    ('group', 'group/*', False),            # nor a nested pattern the group itself
    ('group/0', '/group//0/', True),        # empty levels dropped, as the heat CLI does
    ('group/0/leaf', 'group/*/leaf', True),
    ('group/0/leaf', 'group/*', False),
    ('group/10', 'group/[0-4]', False),
    ('group/3', 'group/[0-4]', True),
])
def test_path_matches(path, pattern, matches):
    assert path_matches(path, pattern) is matches


@pytest.mark.parametrize('patterns', [[''], ['/'], ['//'], [None]])
def test_a_pattern_without_a_name_is_refused_naming_the_option(patterns):
    with pytest.raises(errors.ConfigurationError) as caught:
        check_patterns(patterns, 'breakpoints.pre_update')
    assert str(caught.value).startswith('breakpoints.pre_update: ')


# (name, events oldest first, the (resource, hook) pairs still pending in the order they paused)
PENDING = [
    ('nothing paused', [started(), event('state changed')], []),
    ('one pause', [started(), paused('0')], [('0', 'pre-update')]),
    ('paused then cleared', [paused('0'), cleared('0')], []),
    ('cleared one of two', [paused('0'), paused('1'), cleared('0')], [('1', 'pre-update')]),
    ('a clear of another hook type leaves it', [paused('0'), cleared('0', 'pre-create')], [('0', 'pre-update')]),
    ('same name in another stack is another resource', [paused('0'), cleared('0', stack_id='other')],
     [('0', 'pre-update')]),
    ('failure while waiting clears it', [paused('0'), event('Failure occurred while waiting.', '0')], []),
    ('paused again after a clear', [paused('0'), cleared('0'), paused('0')], [('0', 'pre-update')]),
    ('order of pausing, latest pause counts', [paused('2'), paused('1'), cleared('2'), paused('2')],
     [('1', 'pre-update'), ('2', 'pre-update')]),
    ('the top stack starting an action forgets older pauses', [paused('0'), started(), paused('1')],
     [('1', 'pre-update')]),
    ('a nested stack starting an action does not', [paused('0'), started(GROUP), paused('1')],
     [('0', 'pre-update'), ('1', 'pre-update')]),
    ('create and update hooks are told apart', [paused('0', 'pre-create', action='CREATE'), paused('0')],
     [('0', 'pre-create'), ('0', 'pre-update')]),
    ('other reasons mentioning hooks do not count', [event('Signal: Hook pre-update is cleared', '0'),
                                                     event('UPDATE paused until Hook  is cleared', '0')], []),
]


@pytest.mark.parametrize('events,expected', [case[1:] for case in PENDING], ids=[case[0] for case in PENDING])
def test_pending_hook_events(events, expected):
    found = pending_hook_events(events, TOP)
    assert [(item['resource_name'], item['resource_status_reason'].split('Hook ')[1].split()[0]) for item in found] \
        == expected


# (name, patterns, hook type, the paths found)
FILTERS = [
    ('everything', None, None, ['web', 'group/0', 'group/1/leaf']),
    ('top level only', ['*'], None, ['web']),
    ('members', ['group/*'], None, ['group/0']),
    ('deeper', ['group/*/*'], None, ['group/1/leaf']),
    ('several patterns', ['web', 'group/*/leaf'], None, ['web', 'group/1/leaf']),
    ('by hook type', None, 'pre-create', ['web']),
    ('type and pattern', ['group/*'], 'pre-create', []),
]


@pytest.mark.parametrize('patterns,hook_type,paths', [case[1:] for case in FILTERS], ids=[case[0] for case in FILTERS])
def test_the_finder_filters_by_path_and_type(patterns, hook_type, paths):
    events = [started(), paused('web', 'pre-create', TOP, 'CREATE'), paused('0'), paused('leaf', stack_id='leafstack')]
    client = finder_client(events)
    busy = stack(action='UPDATE', status='IN_PROGRESS')
    hooks = HookFinder(client, {'stack_id': TOP}, patterns, hook_type).pending(busy)
    assert [hook['path'] for hook in hooks] == paths
    assert client.kwargs_of('list_events')[0]['nested_depth'] >= 5
    # Oldest first: a pause counts only when no clearing event comes after it.
    assert (client.kwargs_of('list_events')[0]['sort_keys'], client.kwargs_of('list_events')[0]['sort_dir']) \
        == (['created_at'], 'asc')


def test_the_finder_reads_nothing_for_a_stack_not_in_progress_and_paths_once():
    client = finder_client([paused('0')])
    finder = HookFinder(client, {'stack_id': TOP})
    assert finder.pending(stack(action='UPDATE', status='COMPLETE')) == []
    assert finder.pending(None) == []
    assert client.calls == []
    for _look in range(3):
        hooks = finder.pending(stack(action='UPDATE', status='IN_PROGRESS'))
    assert client.methods() == ['list_events', 'list_stack_resources', 'list_events', 'list_events']
    assert hooks[0]['stack_identity']['stack_id'] == GROUP and hooks[0]['hook'] == 'pre-update'
    assert (hooks[0]['resource'], hooks[0]['action'], hooks[0]['stack_name']) == ('0', 'UPDATE', 'name-of-' + GROUP)


def test_a_top_level_pause_needs_no_resource_listing():
    client = finder_client([paused('web', stack_id=TOP)])
    assert [hook['path'] for hook in HookFinder(client, {'stack_id': TOP}).pending(
        stack(action='UPDATE', status='IN_PROGRESS'))] == ['web']
    assert client.methods() == ['list_events']


# (name, states the stack goes through, hooks found, expected: the status returned or the error kind)
UNTIL_HOOK = [
    ('paused', ['UPDATE_IN_PROGRESS'], True, 'UPDATE_IN_PROGRESS'),
    ('ended without pausing', ['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE'], False, 'UPDATE_COMPLETE'),
    ('failed before any hook', ['UPDATE_IN_PROGRESS', 'UPDATE_FAILED'], False, 'stack_failed'),
    ('rolled back before any hook', ['UPDATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_COMPLETE'], False,
     'stack_failed'),
    ('the previous action is not its end', ['CREATE_COMPLETE', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE'], False,
     'UPDATE_COMPLETE'),
    ('never pauses nor ends', ['UPDATE_IN_PROGRESS'], False, 'wait_timeout'),
]


class ShowingService:
    def __init__(self, states):
        self.states = [stack(action=state.split('_')[0], status=state.split('_', 1)[1], disable_rollback=False)
                       for state in states]

    def show(self, identity, resolve_outputs=True):
        return self.states.pop(0) if len(self.states) > 1 else self.states[0]


@pytest.mark.parametrize('states,hooks,expected', [case[1:] for case in UNTIL_HOOK], ids=[case[0] for case in UNTIL_HOOK])
def test_until_hook_judges_like_finish_unless_it_paused(monkeypatch, states, hooks, expected):
    # A failure whose rollback never starts is judged once the rollback start wait ends: keep that wait short.
    monkeypatch.setattr(waiting, 'ROLLBACK_START_SECONDS', 0.3)
    outcome = StackOutcome(stack_client(stack()), ShowingService(states), 0.6)

    def find_hooks(raw):
        return [{'path': 'x', 'hook': 'pre-update'}] if hooks else []

    try:
        raw, found = run_in_runner(lambda: outcome.until_hook({'stack_id': TOP}, ('UPDATE', 'ROLLBACK'),
                                                              ('UPDATE_COMPLETE',), find_hooks, rollback=True))
    except (StackFailed, errors.WaitTimeout) as exc:
        assert exc.kind == expected and exc.result['changed'] is True
        return
    assert '%s_%s' % (raw['stack_action'], raw['stack_status']) == expected
    assert bool(found) is hooks


# -- breakpoints and the comparison --------------------------------------------------------------------


@pytest.mark.parametrize('breakpoints,resources', [
    (None, {}),
    ({'pre_create': [], 'pre_update': []}, {}),
    ({'pre_create': ['db'], 'pre_update': []}, {'db': {'hooks': ['pre-create']}}),
    ({'pre_create': ['db'], 'pre_update': ['db']}, {'db': {'hooks': ['pre-create', 'pre-update']}}),
    ({'pre_create': [], 'pre_update': ['group/*', 'group/0/leaf', 'web_*']},
     {'group': {'*': {'hooks': ['pre-update']}, '0': {'leaf': {'hooks': ['pre-update']}}},
      'web_*': {'hooks': ['pre-update']}}),
    ({'pre_create': [], 'pre_update': ['/group//0/']}, {'group': {'0': {'hooks': ['pre-update']}}}),
])
def test_breakpoints_become_registry_resources(breakpoints, resources):
    assert breakpoints_registry(breakpoints) == resources


def test_breakpoints_add_to_the_hooks_and_entries_the_environment_has():
    environment = {'parameters': {'a': 1}, 'resource_registry': {
        'My::T': 't.yaml', 'resources': {'db': {'hooks': 'pre-delete', 'restricted_actions': 'replace'}}}}
    result = with_breakpoints(environment, {'pre_create': ['db'], 'pre_update': ['group/*']})
    assert result == {'parameters': {'a': 1}, 'resource_registry': {'My::T': 't.yaml', 'resources': {
        'db': {'hooks': ['pre-create', 'pre-delete'], 'restricted_actions': 'replace'},
        'group': {'*': {'hooks': ['pre-update']}}}}}
    assert environment['resource_registry']['resources']['db']['hooks'] == 'pre-delete'  # the given one untouched
    assert with_breakpoints({'parameters': {}}, {'pre_update': ['x']})['resource_registry'] == {
        'resources': {'x': {'hooks': ['pre-update']}}}


# (name, environment, breakpoints, the resource_registry resources sent)
WITH_BREAKPOINTS = [
    ('several new entries', {'parameters': {}}, {'pre_create': [], 'pre_update': ['web', 'db']},
     {'web': {'hooks': ['pre-update']}, 'db': {'hooks': ['pre-update']}}),
    ('a new entry before one the environment has', {'resource_registry': {'resources': {'db': {'hooks': 'pre-delete'}}}},
     {'pre_create': ['web', 'db'], 'pre_update': []},
     {'web': {'hooks': ['pre-create']}, 'db': {'hooks': ['pre-create', 'pre-delete']}}),
    ('a new nested level beside an existing one',
     {'resource_registry': {'resources': {'group': {'0': {'restricted_actions': 'replace'}}}}},
     {'pre_create': [], 'pre_update': ['group/1', 'group/0']},
     {'group': {'0': {'hooks': ['pre-update'], 'restricted_actions': 'replace'}, '1': {'hooks': ['pre-update']}}}),
    ('no breakpoints: the environment as it is', {'resource_registry': {'resources': {'db': {'hooks': 'pre-delete'}}}},
     {'pre_create': [], 'pre_update': []}, {'db': {'hooks': 'pre-delete'}}),
]


@pytest.mark.parametrize('environment,breakpoints,resources', [case[1:] for case in WITH_BREAKPOINTS],
                         ids=[case[0] for case in WITH_BREAKPOINTS])
def test_with_breakpoints_merges_every_entry(environment, breakpoints, resources):
    assert with_breakpoints(environment, breakpoints)['resource_registry']['resources'] == resources


@pytest.mark.parametrize('resources,kept', [
    ({'a': {'hooks': 'pre-create'}}, {}),
    ({'a': {'hooks': ['pre-create'], 'restricted_actions': 'replace'}}, {'a': {'restricted_actions': 'replace'}}),
    ({'group': {'*': {'hooks': 'pre-update'}, '0': {'x': 'OS::Heat::None'}}}, {'group': {'0': {'x': 'OS::Heat::None'}}}),
    ({'hooks': {'hooks': 'pre-update', 'restricted_actions': 'update'}}, {'hooks': {'restricted_actions': 'update'}}),
])
def test_without_hooks(resources, kept):
    assert without_hooks(resources) == kept


TEMPLATE = {'heat_template_version': '2018-08-31', 'resources': {'group': {'type': 'OS::Heat::ResourceGroup'}}}


def desired_stack(environment):
    return DesiredStack('s', StackInputs(TEMPLATE, {}, environment, None, environment), {})


def stored_stack(environment):
    return StoredStack(stack(), TEMPLATE, {}, environment)


def registry(resources):
    return {'parameters': {}, 'resource_registry': {'resources': resources}}


# (name, desired environment, stored environment, differences)
COMPARISONS = [
    ('breakpoints added to a stack that matches', registry({'group': {'*': {'hooks': ['pre-update']}}}),
     {'parameters': {}}, []),
    ('stored with breakpoints, asked without', {'parameters': {}}, registry({'group': {'*': {'hooks': 'pre-update'}}}),
     []),
    ('other breakpoints', registry({'a': {'hooks': 'pre-create'}}), registry({'b': {'hooks': 'pre-update'}}), []),
    ('a restricted action still counts', registry({'a': {'hooks': 'pre-create', 'restricted_actions': 'replace'}}),
     registry({'a': {'hooks': 'pre-create'}}), ['resource_registry']),
    ('breakpoints beside a real change', {'parameters': {'x': 1}, 'resource_registry': {
        'resources': {'a': {'hooks': 'pre-update'}}}}, {'parameters': {}}, ['parameters']),
]


@pytest.mark.parametrize('wanted,stored,changed', [case[1:] for case in COMPARISONS],
                         ids=[case[0] for case in COMPARISONS])
def test_the_comparison_leaves_hooks_out(wanted, stored, changed):
    assert differences(desired_stack(wanted), stored_stack(stored)) == changed


def test_hooks_are_left_out_of_the_canonical_registry_only():
    environment = registry({'group': {'*': {'hooks': 'pre-update'}}})
    environment['resource_registry']['My::T'] = 'OS::Heat::None'
    assert Definition(None, environment, {}).environment['resource_registry'] == {'My::T': 'OS::Heat::None'}


# -- heat_stack with breakpoints and until_hook ------------------------------------------------------------


def stack_runner_for(client, **given):
    params = dict(name='s', state='present', wait=True, wait_timeout=5, existing=False, converge=False,
                  clear_parameters=[], timeout=None, tags=None, rollback=None, template=None, template_body=TEMPLATE,
                  template_url=None, template_base_dir=None, environment=[], parameters={}, parameter_defaults={},
                  allow_uuid_name=False, breakpoints=None, until_hook=False)
    params.update(given)
    return StackRunner(FakeModule(params, client))


def stored_client(parameters, shows, events=()):
    """A stack stored with no parameters; after an update (read again to check it), with ``parameters``."""
    complete = stack(action='CREATE', status='COMPLETE')
    return stack_client(complete, show_stack=InTurn(complete, *shows), get_template=TEMPLATE, get_files={},
                        get_environment=InTurn({'parameters': {}}, {'parameters': parameters}),
                        preview_update_stack={}, update_stack=complete['stack_identity'], list_events=list(events))


BREAKPOINTS = {'pre_create': [], 'pre_update': ['group/*']}
PAUSED_GROUP = [started(), paused('0', stack_id=TOP)]


# (name, parameters, breakpoints, until_hook, states shown after the update, events, update sent, hooks returned)
HEAT_STACK_RUNS = [
    ('breakpoints on a matching stack: no update', {}, BREAKPOINTS, True, [], (), False, []),
    ('a change goes with its breakpoints, returns at the hook', {'p': 'new'}, BREAKPOINTS, True,
     ['UPDATE_IN_PROGRESS'], PAUSED_GROUP, True, ['0']),
    ('until_hook on an update that never pauses waits for its end', {'p': 'new'}, None, True,
     ['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE'], (), True, []),
    ('without until_hook a paused update is waited for to its end', {'p': 'new'}, BREAKPOINTS, False,
     ['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE'], PAUSED_GROUP, True, None),
]


@pytest.mark.parametrize('parameters,breakpoints,until_hook,shows,events,updated,hooks',
                         [case[1:] for case in HEAT_STACK_RUNS], ids=[case[0] for case in HEAT_STACK_RUNS])
def test_heat_stack_breakpoints_and_until_hook(parameters, breakpoints, until_hook, shows, events, updated, hooks):
    shown = [stack(action=state.split('_')[0], status=state.split('_', 1)[1]) for state in shows]
    client = stored_client(parameters, shown, events)
    result = stack_runner_for(client, parameters=parameters, breakpoints=breakpoints, until_hook=until_hook).run()
    sent = client.kwargs_of('update_stack')
    assert bool(sent) is updated and result['changed'] is updated
    if updated:
        environment = client.calls[[call[0] for call in client.calls].index('update_stack')][1][2]
        expected = {'group': {'*': {'hooks': ['pre-update']}}} if breakpoints else {}
        assert (environment.get('resource_registry') or {}).get('resources', {}) == expected
    assert (None if 'hooks' not in result else [hook['path'] for hook in result['hooks']]) == hooks


def test_until_hook_needs_wait():
    client = stored_client({}, [])
    with pytest.raises(errors.ConfigurationError) as caught:
        stack_runner_for(client, until_hook=True, wait=False).run()
    assert 'until_hook needs wait: true' in str(caught.value) and client.calls == []


def test_a_breakpoint_without_a_name_is_refused_before_anything_is_sent():
    client = stored_client({}, [])
    with pytest.raises(errors.ConfigurationError) as caught:
        stack_runner_for(client, breakpoints={'pre_create': ['ok', '//'], 'pre_update': []}).run()
    assert str(caught.value).startswith('breakpoints.pre_create: ') and client.calls == []


# (name, states shown from the lookup on, events, hooks returned, what is read after the wait)
IN_PROGRESS_BEFORE = [
    ('paused before: reported, nothing compared or sent', ['UPDATE_IN_PROGRESS'], PAUSED_GROUP, ['0'], False),
    ('ends without pausing: compared as usual', ['UPDATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE'], (),
     [], True),
]


@pytest.mark.parametrize('shows,events,hooks,compared', [case[1:] for case in IN_PROGRESS_BEFORE],
                         ids=[case[0] for case in IN_PROGRESS_BEFORE])
def test_until_hook_on_a_stack_in_progress(shows, events, hooks, compared):
    shown = [stack(action=state.split('_')[0], status=state.split('_', 1)[1]) for state in shows]
    client = stored_client({}, [], events)
    client.answers['show_stack'] = InTurn(*shown)
    result = stack_runner_for(client, until_hook=True).run()
    assert result['changed'] is False and client.writes == []
    assert [hook['path'] for hook in result['hooks']] == hooks
    assert ('get_template' in client.methods()) is compared

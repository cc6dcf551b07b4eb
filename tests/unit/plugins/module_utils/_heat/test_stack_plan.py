# -*- coding: utf-8 -*-
"""The stack planner's decisions as tables: whether an update is due, what it sends, what --diff shows.

What counts as the same definition (differences() over templates, files and environments) is tabled
in test_definitions.py; breakpoints left out of the comparison in test_hooks.py.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat import stack_plan
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import HIDDEN_MASK
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stack_plan import (
    DesiredStack, StackPlan, StoredStack, created_changes, overtaken, patch_differences, setting_differences,
    stack_diff, stack_settings, update_args, update_template,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.templates import StackInputs, TemplateLoader

TEMPLATE = {'heat_template_version': '2018-08-31', 'parameters': {'p': {'type': 'string'}},
            'resources': {'r': {'type': 'OS::Heat::None'}}}
OTHER_TEMPLATE = {'heat_template_version': '2018-08-31', 'resources': {'q': {'type': 'OS::Heat::None'}}}
# Stands for TEMPLATE as a default argument (None means no template).
THE_TEMPLATE = object()


def environment(parameters=None):
    return {'parameters': dict(parameters or {}), 'parameter_defaults': {}, 'resource_registry': {},
            'event_sinks': []}


def desired(template=THE_TEMPLATE, parameters=None, settings=None, hidden=(), files=None, secrets=()):
    template = TEMPLATE if template is THE_TEMPLATE else template
    env = environment(parameters)
    return DesiredStack('s', StackInputs(template, dict(files or {}), env, None, env, hidden=hidden, secrets=secrets),
                        dict(settings or {}))


def stored(template=THE_TEMPLATE, parameters=None, files=None, **raw):
    template = TEMPLATE if template is THE_TEMPLATE else template
    base = {'stack_identity': {'stack_id': 'x'}, 'stack_action': 'CREATE', 'stack_status': 'COMPLETE',
            'updated_time': None, 'timeout_mins': None, 'disable_rollback': True, 'tags': None}
    base.update(raw)
    return StoredStack(base, template, dict(files or {}), environment(parameters))


# -- whether an update is sent ----------------------------------------------------------------------------

# (name, desired, stored, plan options, differences, update)
UPDATES = [
    ('the same stack', desired(), stored(), {}, [], False),
    ('a parameter differs', desired(parameters={'p': 'b'}), stored(parameters={'p': 'a'}), {}, ['parameters'], True),
    ('the same stack, FAILED, is repaired', desired(), stored(stack_status='FAILED', stack_action='UPDATE'), {}, [],
     True),
    ('a create rolled back is repaired', desired(), stored(stack_action='ROLLBACK'), {}, [], True),
    ('a rolled back update is healthy', desired(), stored(stack_action='ROLLBACK', updated_time='t'), {}, [], False),
    ('converge updates the same stack', desired(), stored(), {'converge': True}, [], True),
    ('a stored parameter not given differs in a full update', desired(), stored(parameters={'q': 1}), {},
     ['parameters'], True),
    ('but not with existing, which patches', desired(), stored(parameters={'q': 1}), {'existing': True}, [], False),
    ('existing compares only what is given', desired(template=None, parameters={'p': 'a'}),
     stored(parameters={'p': 'a', 'q': 'kept'}), {'existing': True}, [], False),
    ('existing with a changed parameter', desired(template=None, parameters={'p': 'b'}), stored(parameters={'p': 'a'}),
     {'existing': True}, ['parameters'], True),
    ('existing clears a stored parameter', desired(template=None), stored(parameters={'q': 1}),
     {'existing': True, 'clear_parameters': ['q']}, ['clear_parameters'], True),
    ('a setting differs', desired(settings={'timeout_mins': 5}), stored(timeout_mins=10), {}, ['timeout'], True),
]


@pytest.mark.parametrize('wanted,have,options,expected_differences,expected_update', [case[1:] for case in UPDATES],
                         ids=[case[0] for case in UPDATES])
def test_whether_an_update_is_sent(wanted, have, options, expected_differences, expected_update):
    plan = StackPlan(wanted, have, **options)
    assert plan.differences == expected_differences
    assert plan.update is expected_update


# (name, desired template, existing, the template an update sends)
TEMPLATES_SENT = [
    ('the desired template', TEMPLATE, False, TEMPLATE),
    ('the desired template with existing too', OTHER_TEMPLATE, True, OTHER_TEMPLATE),
    ('none given, existing: the engine keeps its own', None, True, None),
    ('none given, a full update: the stored one again', None, False, 'stored'),
]


@pytest.mark.parametrize('template,existing,expected', [case[1:] for case in TEMPLATES_SENT],
                         ids=[case[0] for case in TEMPLATES_SENT])
def test_the_template_an_update_sends(template, existing, expected):
    have = stored(template=OTHER_TEMPLATE)
    assert update_template(desired(template=template), have, existing) == (
        have.template if expected == 'stored' else expected)
    assert StackPlan(desired(template=template), have, existing=existing).template == (
        have.template if expected == 'stored' else expected)


# (name, settings given, stored tags, existing, clear_parameters, converge, args sent)
ARGS = [
    ('the stack keeps its tags', {}, ['a'], False, None, False, {'tags': ['a']}),
    ('no tags stored', {}, None, False, None, False, {'tags': []}),
    ('given tags win', {'tags': ['b']}, ['a'], False, None, False, {'tags': ['b']}),
    ('settings are sent', {'timeout_mins': 3, 'disable_rollback': False}, None, False, None, False,
     {'timeout_mins': 3, 'disable_rollback': False, 'tags': []}),
    ('existing is a patch', {}, None, True, None, False, {'tags': [], 'existing': True}),
    ('existing with parameters to clear', {}, None, True, ['q'], False,
     {'tags': [], 'existing': True, 'clear_parameters': ['q']}),
    ('clear_parameters only with existing', {}, None, False, ['q'], False, {'tags': []}),
    ('converge', {}, None, False, None, True, {'tags': [], 'converge': True}),
]


@pytest.mark.parametrize('settings,tags,existing,clear,converge,expected', [case[1:] for case in ARGS],
                         ids=[case[0] for case in ARGS])
def test_the_args_an_update_sends(settings, tags, existing, clear, converge, expected):
    wanted, have = desired(settings=settings), stored(tags=tags)
    assert update_args(wanted, have, existing, clear, converge) == expected
    plan = StackPlan(wanted, have, existing=existing, clear_parameters=clear, converge=converge)
    assert plan.args == expected


def test_the_preview_of_an_update_goes_down_through_nested_stacks():
    args = {'tags': []}
    assert stack_plan.preview_args(args) == {'tags': [], 'show_nested': True}
    assert args == {'tags': []}


# -- existing: true ---------------------------------------------------------------------------------------

# (name, given parameters, hidden, stored parameters, clear_parameters, template, differences)
PATCHES = [
    ('given equals stored', {'p': 1}, (), {'p': 1, 'q': 2}, None, None, []),
    ('given differs', {'p': 1}, (), {'p': 2}, None, None, ['parameters']),
    ('given but not stored', {'n': 1}, (), {}, None, None, ['parameters']),
    ('a hidden parameter cannot be compared', {'p': 'new'}, ('p',), {'p': 'old'}, None, None, []),
    ('a value stored masked cannot be compared', {'p': 'new'}, (), {'p': HIDDEN_MASK}, None, None, []),
    ('a parameter to clear that is stored', {}, (), {'q': 1}, ['q'], None, ['clear_parameters']),
    ('a parameter to clear that is not stored', {}, (), {'p': 1}, ['q'], None, []),
    ('another template', {}, (), {}, None, OTHER_TEMPLATE, ['template']),
    ('the same template', {}, (), {}, None, TEMPLATE, []),
]


@pytest.mark.parametrize('given,hidden,have,clear,template,expected', [case[1:] for case in PATCHES],
                         ids=[case[0] for case in PATCHES])
def test_what_existing_compares(given, hidden, have, clear, template, expected):
    assert patch_differences(desired(template=template, parameters=given, hidden=hidden),
                             stored(parameters=have), clear) == expected


# (name, settings given, stored settings, differences)
SETTINGS = [
    ('nothing given', {}, {'timeout_mins': 5, 'tags': ['a']}, []),
    ('same timeout', {'timeout_mins': 5}, {'timeout_mins': 5}, []),
    ('other timeout', {'timeout_mins': 5}, {'timeout_mins': 6}, ['timeout']),
    ('rollback turned on', {'disable_rollback': False}, {'disable_rollback': True}, ['rollback']),
    ('same rollback', {'disable_rollback': True}, {'disable_rollback': True}, []),
    ('tags given, none stored', {'tags': []}, {'tags': None}, []),
    ('other tags', {'tags': ['a']}, {'tags': ['b']}, ['tags']),
    ('all three', {'timeout_mins': 1, 'disable_rollback': False, 'tags': ['a']},
     {'timeout_mins': 2, 'disable_rollback': True, 'tags': []}, ['timeout', 'rollback', 'tags']),
]


@pytest.mark.parametrize('settings,raw,expected', [case[1:] for case in SETTINGS], ids=[case[0] for case in SETTINGS])
def test_setting_differences(settings, raw, expected):
    assert setting_differences(settings, raw) == expected


@pytest.mark.parametrize('params,expected', [
    ({}, {}),
    ({'timeout': 5}, {'timeout_mins': 5}),
    ({'rollback': True}, {'disable_rollback': False}),
    ({'rollback': False}, {'disable_rollback': True}),
    ({'tags': ('a', 'b')}, {'tags': ['a', 'b']}),
    ({'timeout': None, 'rollback': None, 'tags': None}, {}),
])
def test_stack_settings_from_options(params, expected):
    assert stack_settings(params) == expected


# (name, desired, what is stored after the update, overtaken)
OVERTAKEN = [
    ('what this run applied is stored', desired(parameters={'p': 'a'}), stored(parameters={'p': 'a'}), []),
    ('another run stored other parameters', desired(parameters={'p': 'a'}), stored(parameters={'p': 'b'}),
     ['parameters']),
    ('another run stored another template', desired(), stored(template=OTHER_TEMPLATE), ['template']),
    ('settings alone do not count', desired(settings={'timeout_mins': 1, 'tags': ['x']}),
     stored(timeout_mins=2, tags=['y']), []),
]


@pytest.mark.parametrize('wanted,have,expected', [case[1:] for case in OVERTAKEN], ids=[case[0] for case in OVERTAKEN])
def test_an_update_overtaken_by_another_run(wanted, have, expected):
    assert overtaken(wanted, have) == expected


def test_a_create_preview_lists_every_resource_added_nested_ones_included():
    preview = {'resources': [{'resource_name': 'b'}, [{'resource_name': 'nested_a'}], {'resource_name': 'a'}]}
    changes = created_changes(preview)
    assert changes == {'added': ['a', 'b', 'nested_a'], 'updated': [], 'replaced': [], 'deleted': [], 'unchanged': []}


# -- the desired stack and what is sent -------------------------------------------------------------------

def test_the_desired_stack_is_loaded_once_as_the_engine_stores_it():
    params = {'name': 's', 'template': None, 'template_url': None, 'template_base_dir': None, 'environment': [],
              'template_body': dict(TEMPLATE, resources={'r': {'type': 'OS::Heat::None',
                                                               'properties': {'n': ('a', 'b')}}}),
              'parameters': {'p': 'v'}, 'parameter_defaults': {},
              'breakpoints': {'pre_create': ['r'], 'pre_update': []}, 'timeout': 7, 'rollback': None, 'tags': None}
    wanted = DesiredStack.from_params(params, TemplateLoader())
    # JSON as the engine keeps it: a tuple is a list.
    assert wanted.template['resources']['r']['properties']['n'] == ['a', 'b']
    # Breakpoints are sent in both forms (layers, or their merge).
    hooks = {'r': {'hooks': ['pre-create']}}
    assert wanted.inputs.environment['resource_registry']['resources'] == hooks
    assert wanted.environment['resource_registry']['resources'] == hooks
    assert wanted.environment['parameters'] == {'p': 'v'}
    assert wanted.settings == {'timeout_mins': 7}
    assert wanted.name == 's'


# (name, environment_files, allowed, what is sent: 'layers' or 'merged')
SENT = [
    ('layers where the cap allows them', ['env.yaml'], True, 'layers'),
    ('the merge where it does not', ['env.yaml'], False, 'merged'),
    ('no layers: the environment as it is', None, False, 'layers'),
]


@pytest.mark.parametrize('layers,allowed,expected', [case[1:] for case in SENT], ids=[case[0] for case in SENT])
def test_what_is_sent_of_the_environment(layers, allowed, expected):
    base, merged = {'parameters': {'p': 1}}, {'parameters': {'p': 1, 'q': 2}}
    inputs = StackInputs(TEMPLATE, {'env.yaml': '{}'}, base, layers, merged)
    if expected == 'layers':
        assert inputs.sent(allowed) == (base, {'env.yaml': '{}'}, layers)
    else:
        assert inputs.sent(allowed) == (merged, {'env.yaml': '{}'}, None)


# -- what --diff shows ------------------------------------------------------------------------------------

def test_the_diff_of_an_update_shows_settings_merged_and_hidden_values_masked():
    wanted = desired(parameters={'p': 'new-secret'}, settings={'timeout_mins': 9}, hidden=('p',),
                     files={'a.sh': 'echo new-secret\n'}, secrets=('new-secret',))
    have = stored(parameters={'p': HIDDEN_MASK}, files={'a.sh': 'echo old\n'}, timeout_mins=5, tags=['t'])
    diff = stack_diff(wanted, have)
    assert diff['before']['files'] == diff['after']['files'] == ['a.sh']
    assert diff['before']['settings'] == {'timeout_mins': 5, 'disable_rollback': True, 'tags': ['t']}
    assert diff['after']['settings'] == {'timeout_mins': 9, 'disable_rollback': True, 'tags': ['t']}
    assert diff['after']['environment']['parameters'] == {'p': HIDDEN_MASK}
    assert diff['before']['template'] == diff['after']['template'] == TEMPLATE
    assert 'new-secret' not in diff['prepared'] and '+echo %s' % HIDDEN_MASK in diff['prepared']
    assert StackPlan(wanted, have).diff() == diff


def test_the_diff_without_a_template_shows_the_stored_one_after_and_no_prepared_files_when_equal():
    have = stored(template=OTHER_TEMPLATE, files={'a.sh': 'x'})
    diff = stack_diff(desired(template=None, files={'a.sh': 'x'}), have)
    assert diff['after']['template'] == OTHER_TEMPLATE
    assert 'prepared' not in diff


def test_a_file_that_only_gained_a_final_newline_shows_in_the_diff():
    diff = stack_diff(desired(files={'a.sh': 'x\n'}), stored(files={'a.sh': 'x'}))
    assert diff['prepared'] == '--- before: a.sh\n+++ after: a.sh\n@@ -1 +1 @@\n-x\n+x\n'


# -- twins, and an update whose answer was lost -----------------------------------------------------------

def listed(stack_id, created, name='web', action='CREATE'):
    return {'stack_name': name, 'stack_action': action, 'stack_status': 'COMPLETE', 'creation_time': created,
            'stack_identity': {'stack_id': stack_id}}


# (name, stacks listed, the survivor's id or None: no twins)
TWINS = [
    ('alone', [listed('a', 't1')], None),
    ('none', [], None),
    ('the older stays', [listed('b', 't2'), listed('a', 't1')], 'a'),
    ('the same second: the lower id stays', [listed('b', 't1'), listed('a', 't1')], 'a'),
    ('the older stays even with the higher id', [listed('a', 't2'), listed('b', 't1')], 'b'),
    ('a deleted twin does not count', [listed('a', 't2'), listed('b', 't1', action='DELETE')], None),
    ('another name does not count', [listed('a', 't2'), listed('b', 't1', name='other')], None),
    ('no creation time sorts first', [listed('a', 't1'), dict(listed('b', None))], 'b'),
]


@pytest.mark.parametrize('stacks,survivor', [case[1:] for case in TWINS], ids=[case[0] for case in TWINS])
def test_which_twin_stays(stacks, survivor):
    found = stack_plan.surviving_twin(stacks, 'web')
    assert (found and found['stack_identity']['stack_id']) == survivor


# (name, updated_time before, the stack now, started)
STARTED = [
    ('a new update time', None, {'updated_time': 't2', 'stack_status': 'COMPLETE'}, True),
    ('in progress', 't1', {'updated_time': 't1', 'stack_status': 'IN_PROGRESS'}, True),
    ('as it was', 't1', {'updated_time': 't1', 'stack_status': 'COMPLETE'}, False),
    ('gone', 't1', None, False),
]


@pytest.mark.parametrize('before,now,started', [case[1:] for case in STARTED], ids=[case[0] for case in STARTED])
def test_whether_an_update_whose_answer_was_lost_started(before, now, started):
    assert stack_plan.update_started({'updated_time': before}, now) is started

# -*- coding: utf-8 -*-
"""StackGates (heat_stack's safety gates): protect, snapshot_before and approved plans, each decided before the first
write, run through StackRunner on the scripted engine of test_heat_stack.py."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack import StackRunner

from runner_doubles import FakeModule, InTurn, stack

from .test_heat_stack import APPLIED, FIND, READ_STORED, STORED_ENVIRONMENT, UPDATED, engine_with, task


# -- protect: decided before the first write -----------------------------------------------------------------

def listed(name, physical, stack_id='id-s'):
    return {'resource_name': name, 'resource_type': 'OS::Heat::RandomString', 'physical_resource_id': physical,
            'stack_identity': {'stack_id': stack_id, 'stack_name': 's', 'tenant': 't', 'path': ''},
            'nested_stack_id': None}


STACK_RESOURCES = [listed('db', 'db-1'), listed('web', 'web-1')]
REPLACES_DB = {'replaced': [dict(listed('db', ''))], 'updated': [listed('web', 'web-1')]}
UPDATES_DB = {'updated': [listed('db', 'db-1')]}
UPDATE_SENT = FIND + READ_STORED + ['preview_update_stack', 'list_stack_resources', 'update_stack']
REFUSED_UPDATE = FIND + READ_STORED + ['preview_update_stack', 'list_stack_resources']

# (name, protect, check mode, preview answer, error kind or None, calls up to the update or the refusal)
PROTECTED_UPDATES = [
    ('a protected resource replaced: refused, nothing sent', ['db'], False, REPLACES_DB, 'protected_resource',
     REFUSED_UPDATE),
    ('the same in check mode: refused the same way', ['db'], True, REPLACES_DB, 'protected_resource', REFUSED_UPDATE),
    ('a protected resource updated in place: sent', ['db'], False, UPDATES_DB, None, UPDATE_SENT),
    ('another resource replaced: sent', ['web'], False, REPLACES_DB, None, UPDATE_SENT),
    ('nothing protected: the resources are not even listed', [], False, REPLACES_DB, None,
     FIND + READ_STORED + ['preview_update_stack', 'update_stack']),
    ('no preview (a FAILED stack): protect cannot be checked, refused', ['web'], False,
     errors.EngineError('cannot preview'), 'protected_resource', FIND + READ_STORED + ['preview_update_stack'] * 2),
    ('a preview of the top stack only: refused', ['web'], False,
     InTurn(errors.NotSupportedError('no show_nested'), UPDATES_DB), 'protected_resource',
     FIND + READ_STORED + ['preview_update_stack'] * 2),
]


@pytest.mark.parametrize('protect,check_mode,preview,kind,calls', [case[1:] for case in PROTECTED_UPDATES],
                         ids=[case[0] for case in PROTECTED_UPDATES])
def test_protect_decides_before_an_update_is_sent(protect, check_mode, preview, kind, calls):
    client = engine_with([stack(), UPDATED, UPDATED], preview_update_stack=preview,
                         list_stack_resources=STACK_RESOURCES,
                         get_environment=InTurn(STORED_ENVIRONMENT, APPLIED))
    module = FakeModule(task(parameters={'p': 'b'}, protect=protect), client, check_mode=check_mode)
    if kind is None:
        result = StackRunner(module).run()
        assert 'protected' not in result
    else:
        with pytest.raises(errors.HeatRpcError) as caught:
            StackRunner(module).run()
        assert caught.value.kind == kind
        if 'protected' in caught.value.result:
            assert caught.value.result['protected'] == [
                {'path': 'db', 'type': 'OS::Heat::RandomString', 'physical_id': 'db-1', 'change': 'replace'}]
            # What the task did so far (the differences it found) is returned with the refusal.
            assert caught.value.result['differences'] == ['parameters']
        assert client.writes == []
    assert client.methods()[:len(calls)] == calls


# (name, protect, the top template's db definition, error kind or None)
PROTECTED_DELETES = [
    ('a protected resource a delete destroys: refused', ['db'], {'type': 'X'}, 'protected_resource'),
    ('a protected resource kept by Retain: deleted', ['db'], {'type': 'X', 'deletion_policy': 'Retain'}, None),
    ('a protected resource kept only as a Snapshot: refused', ['db'], {'type': 'X', 'deletion_policy': 'Snapshot'},
     'protected_resource'),
    ('no pattern matches: deleted', ['cache'], {'type': 'X'}, None),
]


@pytest.mark.parametrize('protect,definition,kind', [case[1:] for case in PROTECTED_DELETES],
                         ids=[case[0] for case in PROTECTED_DELETES])
def test_protect_decides_before_a_delete_is_sent(protect, definition, kind):
    client = engine_with([stack(), None], list_stack_resources=STACK_RESOURCES,
                         get_template={'resources': {'db': definition, 'web': {'type': 'X'}}})
    module = FakeModule(task(state='absent', protect=protect), client)
    if kind is None:
        assert StackRunner(module).run()['changed'] is True
        assert [call[0] for call in client.writes] == ['delete_stack']
    else:
        with pytest.raises(errors.HeatRpcError) as caught:
            StackRunner(module).run()
        assert caught.value.kind == kind
        assert [entry['path'] for entry in caught.value.result['protected']] == ['db']
        assert client.writes == []


def test_check_mode_of_a_delete_returns_its_blast_radius_with_what_is_kept():
    client = engine_with([stack()], list_stack_resources=STACK_RESOURCES,
                         get_template={'resources': {'db': {'type': 'X', 'deletion_policy': 'Retain'}, 'web': {}}})
    result = StackRunner(FakeModule(task(state='absent'), client, check_mode=True)).run()
    assert result['blast_radius'] == [
        {'path': 'db', 'type': 'OS::Heat::RandomString', 'physical_id': 'db-1', 'deletion_policy': 'Retain',
         'kept': True},
        {'path': 'web', 'type': 'OS::Heat::RandomString', 'physical_id': 'web-1', 'deletion_policy': 'Delete',
         'kept': False}]
    assert client.writes == []


# -- snapshot_before -----------------------------------------------------------------------------------------

SNAPSHOT_DONE = {'id': 'snap-1', 'name': 's-before-update-x', 'status': 'COMPLETE', 'action': 'CREATE'}
SNAPSHOT_FAILED = dict(SNAPSHOT_DONE, status='FAILED', status_reason='the disk is full')
SNAPPED = stack(action='SNAPSHOT')

# (name, check mode, preview, snapshot shown, error kind or None, calls after the preview, snapshot returned)
SNAPSHOTS_BEFORE = [
    ('a replacement: snapshot taken and waited for, then the update', False, REPLACES_DB, SNAPSHOT_DONE, None,
     ['stack_snapshot', 'show_stack', 'show_snapshot', 'update_stack'], 'snap-1'),
    ('a delete: the same', False, {'deleted': [listed('db', 'db-1')]}, SNAPSHOT_DONE, None,
     ['stack_snapshot', 'show_stack', 'show_snapshot', 'update_stack'], 'snap-1'),
    ('updates in place only: no snapshot', False, UPDATES_DB, SNAPSHOT_DONE, None, ['update_stack'], None),
    ('check mode: the snapshot it would take, nothing sent', True, REPLACES_DB, SNAPSHOT_DONE, None, [], 'none'),
    ('the snapshot failed: the update is not sent', False, REPLACES_DB, SNAPSHOT_FAILED, 'stack_failed',
     ['stack_snapshot', 'show_stack', 'show_snapshot'], None),
    ('no preview: a snapshot, since nothing says the update is harmless', False, errors.EngineError('no preview'),
     SNAPSHOT_DONE, None, ['preview_update_stack', 'stack_snapshot', 'show_stack', 'show_snapshot', 'update_stack'],
     'snap-1'),
]


@pytest.mark.parametrize('check_mode,preview,shown,kind,calls,snapshot', [case[1:] for case in SNAPSHOTS_BEFORE],
                         ids=[case[0] for case in SNAPSHOTS_BEFORE])
def test_snapshot_before_guards_updates_that_destroy(check_mode, preview, shown, kind, calls, snapshot):
    client = engine_with([stack(), SNAPPED, UPDATED, UPDATED], preview_update_stack=preview,
                         stack_snapshot={'id': 'snap-1'}, show_snapshot=shown,
                         get_environment=InTurn(STORED_ENVIRONMENT, APPLIED))
    module = FakeModule(task(parameters={'p': 'b'}, snapshot_before=True), client, check_mode=check_mode)
    if kind is None:
        result = StackRunner(module).run()
        if snapshot is None:
            assert 'snapshot' not in result
        elif snapshot == 'none':
            assert result['snapshot']['id'] is None and result['snapshot']['name'].startswith('s-before-update-')
        else:
            assert result['snapshot']['id'] == snapshot
    else:
        with pytest.raises(errors.HeatRpcError) as caught:
            StackRunner(module).run()
        assert caught.value.kind == kind
        assert str(caught.value).startswith('stack s was not updated: the snapshot taken first (snapshot_before) '
                                            "failed: snapshot 's-before-update-x' is CREATE_FAILED (the disk is full)")
        assert 'update_stack' not in client.methods()
    done = FIND + READ_STORED + ['preview_update_stack']
    assert client.methods()[len(done):len(done) + len(calls)] == calls
    if check_mode:
        assert client.writes == []


# -- approved plans -----------------------------------------------------------------------------------------

def planned(given, shows, **answers):
    """The plan a check-mode run returns for ``given`` on an engine showing ``shows``."""
    client = engine_with(shows, get_environment=InTurn(STORED_ENVIRONMENT), **answers)
    result = StackRunner(FakeModule(task(**given), client, check_mode=True)).run()
    assert client.writes == []
    return result


# (name, task options, stacks shown while planning, then while applying, answers when applying, error kind, write)
PLANS = [
    ('an update as approved: sent', dict(parameters={'p': 'b'}), [stack()], [stack(), UPDATED, UPDATED], {}, None,
     'update_stack'),
    ('the stack was updated since: refused', dict(parameters={'p': 'b'}), [stack()],
     [stack(updated_time='2026-03-03T00:00:00Z')], {}, 'plan_changed', None),
    ('a file or parameter changed since: refused', dict(parameters={'p': 'b'}), [stack()], [stack()],
     {'given': dict(parameters={'p': 'c'})}, 'plan_changed', None),
    ('the preview differs: refused', dict(parameters={'p': 'b'}), [stack()], [stack()],
     {'preview_update_stack': {'replaced': [{'resource_name': 'r'}]}}, 'plan_changed', None),
    ('a create as approved: previewed, then sent', {}, [], [None, stack(), stack()], {}, None, 'create_stack'),
    ('a stack of the name appeared since: refused', {}, [], [stack()], {}, 'plan_changed', None),
    ('a delete as approved: sent', dict(state='absent'), [stack()], [stack(), None], {}, None, 'delete_stack'),
    ('the stack to delete changed since: refused', dict(state='absent'), [stack()],
     [stack(updated_time='2026-03-03T00:00:00Z')], {}, 'plan_changed', None),
    ('a delete would now remove more: refused', dict(state='absent'), [stack()], [stack()],
     {'list_stack_resources': [listed('db', 'db-1')]}, 'plan_changed', None),
]


@pytest.mark.parametrize('given,planning,applying,answers,kind,write', [case[1:] for case in PLANS],
                         ids=[case[0] for case in PLANS])
def test_an_approved_plan_is_applied_only_as_approved(given, planning, applying, answers, kind, write):
    plan = planned(given, planning)
    assert plan['plan'].startswith('hp1-') and plan['plan_summary']
    answers = dict(answers)
    applied = dict(given, approved_plan=plan['plan'], **answers.pop('given', {}))
    client = engine_with(applying, get_environment=InTurn(STORED_ENVIRONMENT, APPLIED), **answers)
    module = FakeModule(task(**applied), client)
    if kind is None:
        StackRunner(module).run()
        assert [call[0] for call in client.writes] == [write]
    else:
        with pytest.raises(errors.HeatRpcError) as caught:
            StackRunner(module).run()
        assert caught.value.kind == kind
        assert caught.value.result['approved_plan'] == plan['plan'] != caught.value.result['plan']
        assert client.writes == []


def test_a_plan_is_made_with_the_connection_key():
    """The same task with other credentials makes another plan: the id is keyed."""
    first = planned(dict(parameters={'p': 'b'}), [stack()])['plan']
    client = engine_with([stack()], get_environment=InTurn(STORED_ENVIRONMENT))
    module = FakeModule(task(parameters={'p': 'b'}), client, check_mode=True)
    module.plan_key = lambda: b'other credentials'
    assert StackRunner(module).run()['plan'] != first


# -- gate options that cannot work: refused before anything is read -------------------------------------------

@pytest.mark.parametrize('given,message', [
    (dict(protect=['']), "protect: '' is not a resource pattern"),
    (dict(state='absent', snapshot_before=True), 'a snapshot cannot guard state=absent: use protect'),
    (dict(state='suspended', snapshot_before=True), 'snapshot_before applies to updates (state=present)'),
    (dict(wait=False, snapshot_before=True), 'snapshot_before needs wait: true'),
    (dict(state='suspended', approved_plan='hp1-' + '-'.join(['0' * 16] * 3)), 'approved_plan applies to state=present'),
    (dict(approved_plan='not-a-plan'), "approved_plan: 'not-a-plan' is not a plan id"),
])
def test_gate_options_that_cannot_work_are_refused_before_anything_is_read(given, message):
    client = engine_with([stack()])
    with pytest.raises(errors.ConfigurationError) as caught:
        StackRunner(FakeModule(task(**given), client)).run()
    assert message in str(caught.value)
    assert client.calls == []

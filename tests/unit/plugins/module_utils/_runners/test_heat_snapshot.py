# -*- coding: utf-8 -*-
"""heat_snapshot's decisions, as tables, and the runner on a scripted engine."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.snapshots import snapshot_failure
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_snapshot import (
    SnapshotRunner, pick_snapshot, restore_refusal,
)

from runner_doubles import FakeModule, InTurn, stack, stack_client


def snapshot(name='snap', status='COMPLETE', action='CREATE', created='2026-01-01T00:00:01Z', snapshot_id=None):
    return {'id': snapshot_id or 'id-%s-%s' % (name, created), 'name': name, 'action': action, 'status': status,
            'status_reason': 'why', 'creation_time': created, 'data': {'template': {}}}


OLD, NEW = snapshot(created='2026-01-01T00:00:01Z'), snapshot(created='2026-01-01T00:00:09Z')


@pytest.mark.parametrize('snapshots,unique,expected', [
    ([], False, None),
    ([snapshot('other')], False, None),
    ([OLD], True, OLD),
    ([NEW, OLD], False, NEW),       # present: the newest of that name
    ([OLD, NEW], False, NEW),
    ([OLD, NEW], True, 'conflict'),  # absent and restored need one snapshot
])
def test_pick_snapshot(snapshots, unique, expected):
    if expected == 'conflict':
        with pytest.raises(errors.ConflictError):
            pick_snapshot(snapshots, 'snap', 's', unique)
    else:
        assert pick_snapshot(snapshots, 'snap', 's', unique) == expected


@pytest.mark.parametrize('raw,failed', [
    (snapshot(), False), (None, True), (snapshot(status='FAILED'), True), (snapshot(status='IN_PROGRESS'), True),
])
def test_snapshot_failure(raw, failed):
    assert (snapshot_failure(raw) is not None) is failed


@pytest.mark.parametrize('raw,stack_status,refusal', [
    (snapshot(), 'COMPLETE', None),
    (snapshot(status='FAILED'), 'COMPLETE', errors.NotSupportedError),
    (snapshot(), 'IN_PROGRESS', errors.ConflictError),
])
def test_restore_refusal(raw, stack_status, refusal):
    found = restore_refusal(raw, stack(status=stack_status))
    assert (None if found is None else type(found)) is refusal


def run(client, check_mode=False, **params):
    options = dict(stack='s', name='snap', id=None, state='present', include_data=False, wait_timeout=5)
    options.update(params)
    return SnapshotRunner(FakeModule(options, client, check_mode=check_mode)).run()


def test_an_existing_snapshot_is_not_a_change_and_a_failed_one_fails_without_claiming_one():
    client = stack_client(stack(), stack_list_snapshots=[OLD])
    result = run(client)
    assert result['changed'] is False and result['snapshot']['status'] == 'CREATE_COMPLETE'
    assert 'data' not in result['snapshot']
    client = stack_client(stack(), stack_list_snapshots=[snapshot(status='FAILED')])
    with pytest.raises(errors.StackFailed) as caught:
        run(client)
    assert caught.value.result['changed'] is False
    assert client.writes == []


def test_check_mode_predicts_a_new_snapshot_and_sends_nothing():
    client = stack_client(stack(), stack_list_snapshots=[])
    result = run(client, check_mode=True)
    assert result['changed'] is True
    assert result['snapshot'] == {'name': 'snap', 'action': 'CREATE', 'status': 'CREATE_COMPLETE'}
    assert client.writes == []


def test_a_new_snapshot_waits_for_the_stack_and_returns_it():
    client = stack_client(stack(), stack_list_snapshots=[],
                          show_stack=InTurn(stack(), stack(action='SNAPSHOT', status='COMPLETE')),
                          stack_snapshot=snapshot(status='IN_PROGRESS'), show_snapshot=snapshot())
    result = run(client, include_data=True)
    assert [call[0] for call in client.writes] == ['stack_snapshot']
    assert result['changed'] is True and result['stack']['status'] == 'SNAPSHOT_COMPLETE'
    assert result['snapshot']['status'] == 'CREATE_COMPLETE' and result['snapshot']['data'] == {'template': {}}


@pytest.mark.parametrize('found,changed,writes', [
    ([], False, []),
    ([OLD], True, ['delete_snapshot']),
])
def test_absent(found, changed, writes):
    client = stack_client(stack(), stack_list_snapshots=found, show_snapshot=errors.NotFoundError('gone'))
    result = run(client, state='absent')
    assert result['changed'] is changed and [call[0] for call in client.writes] == writes


def test_a_failed_restore_fails_with_the_stack_and_its_reasons():
    client = stack_client(stack(), stack_list_snapshots=[OLD],
                          show_stack=InTurn(stack(), stack(action='RESTORE', status='FAILED')))
    with pytest.raises(errors.StackFailed) as caught:
        run(client, state='restored')
    assert caught.value.result['changed'] is True
    assert caught.value.result['stack']['status'] == 'RESTORE_FAILED'
    assert [call[0] for call in client.writes] == ['stack_restore']

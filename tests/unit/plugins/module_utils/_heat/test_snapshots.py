# -*- coding: utf-8 -*-
"""Taking a snapshot and waiting for it (heat_stack's snapshot_before; heat_snapshot has its own tests)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.snapshots import show_snapshot, take_snapshot
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import StackService
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import StackOutcome

from runner_doubles import InTurn, ScriptedClient, stack

IDENTITY = stack()['stack_identity']


def outcome_for(client):
    return StackOutcome(client, StackService(client), 5, since='')


@pytest.mark.parametrize('shown,failure', [
    ({'id': 'snap', 'name': 'n', 'status': 'COMPLETE', 'action': 'CREATE'}, None),
    ({'id': 'snap', 'name': 'n', 'status': 'FAILED', 'action': 'CREATE', 'status_reason': 'no space'},
     "snapshot 'n' is CREATE_FAILED (no space)"),
    (errors.NotFoundError('gone'), 'the snapshot disappeared while it was being taken'),
])
def test_a_snapshot_is_taken_waited_for_and_judged(shown, failure):
    client = ScriptedClient({'stack_snapshot': {'id': 'snap'}, 'show_stack': InTurn(
        stack(action='SNAPSHOT', status='COMPLETE')), 'show_snapshot': shown, 'list_events': []})
    if failure is None:
        assert take_snapshot(client, outcome_for(client), IDENTITY, 'n') == shown
    else:
        with pytest.raises(errors.StackFailed) as caught:
            take_snapshot(client, outcome_for(client), IDENTITY, 'n')
        assert str(caught.value) == failure
    assert client.methods()[:2] == ['stack_snapshot', 'show_stack']
    assert client.calls[0][1] == (IDENTITY, 'n')


def test_a_stack_whose_snapshot_action_failed_fails_the_wait():
    client = ScriptedClient({'stack_snapshot': {'id': 'snap'}, 'show_stack': stack(action='SNAPSHOT', status='FAILED'),
                             'list_stack_resources': [], 'list_events': []})
    with pytest.raises(errors.StackFailed):
        take_snapshot(client, outcome_for(client), IDENTITY, 'n')
    assert 'show_snapshot' not in client.methods()


def test_a_snapshot_that_is_gone_is_none():
    assert show_snapshot(ScriptedClient({'show_snapshot': errors.NotFoundError('x')}), IDENTITY, 's') is None

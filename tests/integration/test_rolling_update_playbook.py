# -*- coding: utf-8 -*-
"""examples/rolling_update.yml against the test bed: a resource group updated member by member through
pre-update breakpoints, each member drained (a debug task), released and the next one waited for."""

import re

from conftest import run_example_playbook

MEMBERS = ['group/0', 'group/1', 'group/2']


def run_rolling(tmp_path, env, *args):
    """ansible-playbook examples/rolling_update.yml ARGS."""
    return run_example_playbook(tmp_path, env, 'rolling_update.yml', *args, timeout=600)


def handled(run):
    """(final status, members in the order the play handled them) from the play's last message."""
    found = re.search(r'"msg": "(\w+); members handled: ([^"]*)"', run.output)
    assert found, run.output
    return found.group(1), found.group(2).split()


def test_rolling_update_pauses_and_releases_each_member_in_turn(tmp_path, env, client, service, stack_name):
    name = ['-e', 'rolling_stack_name=%s' % stack_name]
    created = run_rolling(tmp_path, env, *name)
    assert created.returncode == 0, created.output
    assert handled(created) == ('CREATE_COMPLETE', [])  # pre-update breakpoints do not pause a create

    updated = run_rolling(tmp_path, env, *name, '-e', 'rolling_member_value=v2')
    assert updated.returncode == 0, updated.output
    status, order = handled(updated)
    assert status == 'UPDATE_COMPLETE'
    identity = service.find(stack_name)['stack_identity']
    # The play handled the pauses in the order the engine recorded them (several may be pending at once).
    events = client.list_events(None, identity, sort_keys=['created_at'], sort_dir='asc', nested_depth=2)
    pauses = ['group/' + event['resource_name'] for event in events
              if event['resource_status_reason'] == 'UPDATE paused until Hook pre-update is cleared']
    assert order == pauses and set(order) == set(MEMBERS), (order, pauses)
    # heat's convergence engine passes every member's hook in each batch, changed by it or not: with
    # max_batch_size 1, three batches of three pauses.
    assert len(order) == len(MEMBERS) ** 2
    # Every member was updated to the new value, one batch (one member) at a time.
    members = client.list_stack_resources(None, identity, nested_depth=1)
    updates = sorted((member['resource_name'], member['resource_action'], member['resource_status'])
                     for member in members if member['resource_type'] == 'OS::Heat::TestResource')
    assert updates == [(str(index), 'UPDATE', 'COMPLETE') for index in range(3)]
    outputs = client.show_output(None, identity, 'values')
    assert outputs['output_value'] == ['v2', 'v2', 'v2']

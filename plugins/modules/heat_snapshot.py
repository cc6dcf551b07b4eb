#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: heat_snapshot
short_description: Create, delete or restore a snapshot of a Heat stack over RPC
version_added: 0.1.0
description:
  - Manages the snapshots of one stack by calling heat-engine over its RPC API (no heat-api, no Keystone).
  - V(present) creates a named snapshot and waits until it is C(COMPLETE); V(absent) deletes one and waits
    until it is gone; V(restored) restores the stack to one and waits for C(RESTORE_COMPLETE).
  - "Heat does not keep snapshot names unique. The rule here: O(state=present) does nothing when at least one
    snapshot has the name (it returns the newest of them); O(state=absent) and O(state=restored) by O(name)
    fail when several snapshots have the name, listing their ids: select one with O(id) then."
  - A snapshot that ends C(FAILED), or a restore that ends C(RESTORE_FAILED), fails the task with the engine's
    reason (and, for a restore, the failed resources' reasons).
author:
  - heat_rpc.engine developers (@heat-rpc)
extends_documentation_fragment:
  - heat_rpc.engine.connection
attributes:
  check_mode:
    support: full
    description: Reads the stack and its snapshots and predicts RV(ignore:changed); sends nothing that writes.
  diff_mode:
    support: none
    description: Snapshots have no diffable content.
options:
  stack:
    description:
      - Name or id of the stack. A stack that is not found fails the task.
    type: str
    required: true
  name:
    description:
      - Name of the snapshot. Required with O(state=present).
      - With O(state=absent) or O(state=restored), selects the snapshot by name unless O(id) is given.
    type: str
  id:
    description:
      - Id of the snapshot, for O(state=absent) or O(state=restored). Takes precedence over O(name).
      - An id that the stack does not have fails O(state=restored), and is V(changed=false) for O(state=absent).
    type: str
    aliases: [snapshot_id]
  state:
    description:
      - V(present) - a snapshot with O(name) exists (created when none has the name). The stack must not have
        an action in progress. A snapshot of that name that is C(IN_PROGRESS) is waited for; one that
        is C(FAILED) fails the task (delete it first to take a new one).
      - V(absent) - the snapshot does not exist (deleted and waited for). Already absent is V(changed=false).
      - V(restored) - the stack is restored to the snapshot; this always reports V(changed=true), since the
        engine does not record which snapshot a stack was last restored to. The snapshot must be C(COMPLETE).
    type: str
    choices: [present, absent, restored]
    default: present
  include_data:
    description:
      - Return the snapshot's C(data) as heat-engine returns it (the stack's template, environment with its
        parameter values - hidden ones included -, files and resources).
      - By default RV(snapshot.data) is left out, because it can be large and carries parameter values.
    type: bool
    default: false
  wait_timeout:
    description:
      - How long to wait, in seconds, for the snapshot, its deletion or the restore to settle. Passing it
        fails the task with the last state seen; the engine carries on.
    type: int
    default: 600
'''

EXAMPLES = r'''
- name: Take a snapshot before an upgrade (nothing happens when one of that name exists)
  heat_rpc.engine.heat_snapshot:
    stack: web-tier
    name: before-upgrade
  register: snap

- name: Restore the stack to it if the upgrade went wrong
  heat_rpc.engine.heat_snapshot:
    stack: web-tier
    name: before-upgrade
    state: restored
  when: upgrade is failed

- name: Delete the snapshot by id
  heat_rpc.engine.heat_snapshot:
    stack: web-tier
    id: "{{ snap.snapshot.id }}"
    state: absent
'''

RETURN = r'''
snapshot:
  description:
    - The snapshot created, found, deleted or restored to. Empty when O(state=absent) found none.
    - In check mode, for a snapshot that would be created, only C(name) and C(status=COMPLETE) (predicted).
  returned: always
  type: dict
  contains:
    id:
      description: Snapshot id.
      type: str
      sample: 0c8ac1e4-8d2a-4d4e-b6f4-f0f5b8d6a7c1
    name:
      description: Snapshot name.
      type: str
      sample: before-upgrade
    action:
      description: The snapshot's last action (C(CREATE), or C(DELETE) while it is deleted).
      type: str
      sample: CREATE
    status:
      description: C(COMPLETE), C(IN_PROGRESS) or C(FAILED).
      type: str
      sample: COMPLETE
    status_reason:
      description: The engine's reason for the status.
      type: str
      sample: Stack SNAPSHOT completed successfully
    creation_time:
      description: ISO 8601 creation time.
      type: str
      sample: "2024-05-01T10:00:00Z"
    data:
      description: The snapshot data as heat-engine returns it. Only with O(include_data=true).
      type: dict
      returned: when O(include_data=true)
stack:
  description: The stack (as heat_stack_info returns it, without outputs), after a restore or snapshot.
  returned: always except when the stack was not found
  type: dict
failed_resources:
  description: The resources whose status is FAILED, with their reasons, when a restore failed.
  returned: when a restore failed
  type: list
  elements: dict
'''

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import (
    StackService, describe_failure, failed_resources, require_stack,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import shape_stack, stack_state
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import Poller, wait_for_stack

SNAPSHOT_FIELDS = ('id', 'name', 'action', 'status', 'status_reason', 'creation_time')


def shape_snapshot(raw, include_data):
    if not raw:
        return {}
    shaped = dict((key, raw.get(key)) for key in SNAPSHOT_FIELDS)
    if include_data:
        shaped['data'] = raw.get('data')
    return shaped


def show_snapshot(client, identity, snapshot_id):
    try:
        return client.show_snapshot(None, identity, snapshot_id)
    except errors.NotFoundError:
        return None


def describe_snapshot(raw):
    if raw is None:
        return 'snapshot not found'
    return '%s_%s (%s)' % (raw.get('action'), raw.get('status'), raw.get('status_reason'))


def find_snapshot(client, identity, name, snapshot_id, unique):
    """The snapshot with ``snapshot_id``, else the one called ``name``; None when there is none.

    With ``unique``, several snapshots of that name fail; otherwise the newest is returned.
    """
    if snapshot_id:
        return show_snapshot(client, identity, snapshot_id)
    named = [item for item in client.stack_list_snapshots(None, identity) if item.get('name') == name]
    if len(named) > 1 and unique:
        raise errors.ConflictError(
            "stack '%s' has %d snapshots named '%s' (ids %s); choose one with the id option"
            % (identity.get('stack_name'), len(named), name, ', '.join(item['id'] for item in named)))
    if not named:
        return None
    return sorted(named, key=lambda item: item.get('creation_time') or '')[-1]


def wait_for_snapshot(client, identity, snapshot_id, timeout):
    """Poll until the snapshot is no longer IN_PROGRESS (or gone); returns it (None when gone)."""
    return Poller(timeout).wait(lambda: show_snapshot(client, identity, snapshot_id),
                                lambda raw: raw is None or raw.get('status') != 'IN_PROGRESS',
                                describe_snapshot)


def fail_unless_complete(module, raw, stack):
    if raw is None:
        raise errors.StackFailed("the snapshot disappeared while it was being taken",
                                 dict(changed=True, snapshot={}, stack=shape_stack(stack)))
    if raw.get('status') != 'COMPLETE':
        raise errors.StackFailed("snapshot '%s' of stack '%s' is %s: %s" % (
            raw.get('name'), stack.get('stack_name'), raw.get('status'), raw.get('status_reason')),
            dict(changed=True, snapshot=shape_snapshot(raw, module.params['include_data']), stack=shape_stack(stack)))


def ensure_present(module, service, stack):
    params = module.params
    client = module.client
    identity = stack['stack_identity']
    found = find_snapshot(client, identity, params['name'], None, unique=False)
    changed = found is None
    if found is None:
        if stack.get('stack_status') == 'IN_PROGRESS':
            raise errors.ConflictError("cannot snapshot stack '%s': it is %s; wait until it settles"
                                       % (stack.get('stack_name'), stack_state(stack)))
        if module.check_mode:
            return {'changed': True, 'snapshot': {'name': params['name'], 'status': 'COMPLETE'},
                    'stack': shape_stack(stack)}
        found = client.stack_snapshot(None, identity, params['name'])
    if found.get('status') == 'IN_PROGRESS' and not module.check_mode:
        found = wait_for_snapshot(client, identity, found['id'], params['wait_timeout'])
    if changed:
        stack = wait_for_stack(service, identity, params['wait_timeout'], actions=('SNAPSHOT',)) or stack
    fail_unless_complete(module, found, stack)
    return {'changed': changed, 'snapshot': shape_snapshot(found, params['include_data']), 'stack': shape_stack(stack)}


def ensure_absent(module, stack):
    params = module.params
    client = module.client
    identity = stack['stack_identity']
    found = find_snapshot(client, identity, params['name'], params['id'], unique=True)
    result = {'changed': found is not None, 'snapshot': shape_snapshot(found, params['include_data']),
              'stack': shape_stack(stack)}
    if found is None or module.check_mode:
        return result
    if found.get('status') == 'IN_PROGRESS' and found.get('action') != 'DELETE':
        # The engine refuses to delete a snapshot that is being taken: let it finish first.
        wait_for_snapshot(client, identity, found['id'], params['wait_timeout'])
    if found.get('action') != 'DELETE':
        client.delete_snapshot(None, identity, found['id'])
    gone = Poller(params['wait_timeout']).wait(lambda: show_snapshot(client, identity, found['id']),
                                               lambda raw: raw is None or raw.get('status') == 'FAILED',
                                               describe_snapshot)
    if gone is not None:
        raise errors.StackFailed("deleting snapshot '%s' failed: %s" % (found.get('name'), gone.get('status_reason')),
                                 dict(changed=True, snapshot=shape_snapshot(gone, params['include_data']),
                                      stack=shape_stack(stack)))
    return result


def ensure_restored(module, service, stack):
    params = module.params
    client = module.client
    identity = stack['stack_identity']
    found = find_snapshot(client, identity, params['name'], params['id'], unique=True)
    if found is None:
        raise errors.NotFoundError("stack '%s' has no snapshot %s" % (
            stack.get('stack_name'), ("with id '%s'" % params['id']) if params['id'] else "named '%s'" % params['name']))
    if found.get('status') != 'COMPLETE':
        raise errors.NotSupportedError("cannot restore snapshot '%s': it is %s_%s (%s)" % (
            found.get('name'), found.get('action'), found.get('status'), found.get('status_reason')))
    if stack.get('stack_status') == 'IN_PROGRESS':
        raise errors.ConflictError("cannot restore stack '%s': it is %s; wait until it settles"
                                   % (stack.get('stack_name'), stack_state(stack)))
    result = {'changed': True, 'snapshot': shape_snapshot(found, params['include_data']), 'stack': shape_stack(stack)}
    if module.check_mode:
        return result
    client.stack_restore(None, identity, found['id'])
    raw = wait_for_stack(service, identity, params['wait_timeout'], actions=('RESTORE',))
    if raw is None:
        raise errors.NotFoundError("stack '%s' disappeared during the restore" % stack.get('stack_name'))
    result['stack'] = shape_stack(raw)
    if raw.get('stack_status') == 'FAILED':
        failed = failed_resources(client, identity)
        raise errors.StackFailed(describe_failure(raw, failed), dict(result, failed_resources=failed))
    return result


def run(module):
    params = module.params
    service = StackService(module.client)
    stack = require_stack(service, params['stack'])
    if params['state'] == 'present':
        return ensure_present(module, service, stack)
    if params['state'] == 'absent':
        return ensure_absent(module, stack)
    return ensure_restored(module, service, stack)


def main():
    module = HeatRpcModule(
        argument_spec=dict(
            stack=dict(type='str', required=True),
            name=dict(type='str'),
            id=dict(type='str', aliases=['snapshot_id']),
            state=dict(type='str', default='present', choices=['present', 'absent', 'restored']),
            include_data=dict(type='bool', default=False),
            wait_timeout=dict(type='int', default=600),
        ),
        required_if=[('state', 'present', ['name'])],
        required_one_of=[('name', 'id')],
    )
    module.run(run)


if __name__ == '__main__':
    main()

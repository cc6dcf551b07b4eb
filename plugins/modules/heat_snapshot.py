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
  - heat_rpc.engine.connection.persistent
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
        fails the task (C(error.kind) V(wait_timeout)) with the last state seen; the engine carries on. A
        snapshot or restore whose heat-engine died ends the wait sooner, with C(error.kind) V(engine_dead).
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
    - In check mode, for a snapshot that would be created, only C(name), C(action=CREATE) and
      C(status=CREATE_COMPLETE) (predicted).
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
      description: C(ACTION_STATUS), as for stacks and in heat_stack_info - C(CREATE_COMPLETE), C(CREATE_IN_PROGRESS), C(CREATE_FAILED), ...
      type: str
      sample: CREATE_COMPLETE
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
  description:
    - The resources whose status is FAILED (nested stacks included), with their reasons, when the stack's
      snapshot or restore failed or its wait ran out.
  returned: when a snapshot or restore failed
  type: list
  elements: dict
events:
  description: The events of the snapshot or restore, oldest first, when it failed or its wait ran out.
  returned: when a snapshot or restore failed
  type: list
  elements: dict
'''

# First: the collection's code imported after this is compiled once and kept, not compiled again in every task.
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.code_cache import cache_compiled_code
cache_compiled_code()

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_snapshot import SnapshotRunner

ARGUMENT_SPEC = dict(
    stack=dict(type='str', required=True),
    name=dict(type='str'),
    id=dict(type='str', aliases=['snapshot_id']),
    state=dict(type='str', default='present', choices=['present', 'absent', 'restored']),
    include_data=dict(type='bool', default=False),
    wait_timeout=dict(type='int', default=600),
)


def main():
    HeatRpcModule(argument_spec=ARGUMENT_SPEC, required_if=[('state', 'present', ['name'])],
                  required_one_of=[('name', 'id')]).run(SnapshotRunner)


if __name__ == '__main__':
    main()

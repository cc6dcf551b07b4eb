#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: heat_stack_action
short_description: Check, suspend, resume, cancel the update of, export or abandon a Heat stack over RPC
version_added: 0.1.0
description:
  - Runs one action on an existing stack by calling heat-engine over its RPC API (no heat-api, no Keystone),
    then by default waits for the stack to settle and reports the outcome.
  - A stack that is not found fails the task (C(stack '...' not found)), for every action.
  - C(check), C(suspend) and C(resume) are refused while the stack has an action in progress.
  - An action that ends C(FAILED) fails the task, with the stack's reason and the failed resources' reasons
    in the message and in RV(failed_resources).
author:
  - heat_rpc.engine developers (@heat-rpc)
extends_documentation_fragment:
  - heat_rpc.engine.connection
  - heat_rpc.engine.connection.persistent
attributes:
  check_mode:
    support: full
    description:
      - Reads the stack and predicts RV(ignore:changed) without sending the action. C(export) runs, since it only
        reads; C(abandon) returns what an export gives (what abandon would return) without abandoning.
  diff_mode:
    support: none
    description: An action has no before/after state to diff.
options:
  stack:
    description:
      - Name or id of the stack.
    type: str
    required: true
    aliases: [name, id]
  action:
    description:
      - V(check) - checks every resource. Always RV(ignore:changed=true) (the stack's last action becomes CHECK).
        C(CHECK_FAILED) fails the task.
      - V(suspend) - suspends the stack. A stack that is C(SUSPEND_COMPLETE) already gives RV(ignore:changed=false).
      - V(resume) - resumes a suspended stack. A stack that is not suspended (its last action is not
        C(SUSPEND), and it is not C(RESUME_FAILED)) gives RV(ignore:changed=false).
      - V(cancel_update) - cancels an update in progress (see O(cancel_with_rollback)). Fails with a clear
        message when the stack has no update in progress.
      - V(abandon) - deletes the stack from Heat but leaves its physical resources, and returns the data
        (RV(data)) that stack adoption needs. Always RV(ignore:changed=true).
      - V(export) - returns the same data as abandon without changing anything (RV(ignore:changed=false)).
    type: str
    required: true
    choices: [check, suspend, resume, cancel_update, abandon, export]
  cancel_with_rollback:
    description:
      - With O(action=cancel_update), roll the stack back to its previous state (the stack ends
        C(ROLLBACK_COMPLETE)).
      - V(false) stops the update where it is; the stack then ends C(UPDATE_FAILED) ("cancelled"), which
        is the expected outcome and does not fail the task. Without rollback, a C(CREATE_IN_PROGRESS) stack
        can be cancelled too; it ends C(CREATE_FAILED) ("Stack CREATE cancelled"), also the expected outcome,
        after which M(heat_rpc.engine.heat_stack) repairs the stack. Needs engine RPC API 1.14.
    type: bool
    default: true
  wait:
    description:
      - Wait for the action to settle and report its outcome. With V(false), return right after the engine
        accepted the action (RV(stack) then shows the state at that moment, usually C(IN_PROGRESS)).
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait, in seconds, with O(wait=true). Passing it fails the task (C(error.kind) V(wait_timeout))
        with the stack as last seen and the action's events; the action itself continues in the engine. An
        action whose heat-engine died ends the wait sooner, with C(error.kind) V(engine_dead) (see the README).
    type: int
    default: 600
'''

EXAMPLES = r'''
- name: Check a stack (fails when a resource is not healthy)
  heat_rpc.engine.heat_stack_action:
    stack: web-tier
    action: check

- name: Suspend a stack (no change when it is suspended already)
  heat_rpc.engine.heat_stack_action:
    stack: web-tier
    action: suspend

- name: Resume it
  heat_rpc.engine.heat_stack_action:
    stack: web-tier
    action: resume

- name: Cancel a long update and roll back
  heat_rpc.engine.heat_stack_action:
    stack: web-tier
    action: cancel_update
    cancel_with_rollback: true
    wait_timeout: 900

- name: Export a stack's data, then abandon it
  heat_rpc.engine.heat_stack_action:
    stack: web-tier
    action: export
  register: exported

- name: Save the export
  ansible.builtin.copy:
    content: "{{ exported.data | to_nice_json }}"
    dest: /srv/backup/web-tier.json
    mode: "0600"

- name: Abandon it (Heat forgets the stack, the resources stay)
  heat_rpc.engine.heat_stack_action:
    stack: web-tier
    action: abandon
  register: abandoned
'''

RETURN = r'''
stack:
  description:
    - The stack after the action (before it, in check mode), in the form heat_stack_info returns, without
      outputs. After an abandon that completed, the last state seen before the stack disappeared.
  returned: always except when the stack was not found
  type: dict
  sample: {"id": "5d1b5e7c-1d3a-4c1e-9a57-0f3b1c9d2e4f", "name": "web-tier", "status": "CHECK_COMPLETE"}
action:
  description: The action that was asked for.
  returned: always
  type: str
  sample: check
data:
  description:
    - The stack's export (abandon) data, as heat-engine returns it - name, id, template, environment (its
      parameter values, hidden ones included), files, resources with their physical ids and data, ...
    - It is what stack adoption needs; handle it like a secret (O(ignore:no_log) on a task that prints it).
  returned: when O(action=export) or O(action=abandon)
  type: dict
failed_resources:
  description:
    - The resources whose status is FAILED (nested stacks included), with their reasons, when the action
      failed or its wait ran out; each in the form heat_stack_info returns resources.
  returned: when the action failed
  type: list
  elements: dict
  sample: [{"name": "db", "type": "OS::Heat::TestResource", "status": "CHECK_FAILED",
            "status_reason": "Exception: resources.db: Resource not created", "stack_name": "web-tier"}]
events:
  description: The events of the action, oldest first, when it failed or its wait ran out.
  returned: when the action failed
  type: list
  elements: dict
'''

# First: the collection's code imported after this is compiled once and kept, not compiled again in every task.
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.code_cache import cache_compiled_code
cache_compiled_code()

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack_action import ACTIONS, StackActionRunner

ARGUMENT_SPEC = dict(
    stack=dict(type='str', required=True, aliases=['name', 'id']),
    action=dict(type='str', required=True, choices=list(ACTIONS)),
    cancel_with_rollback=dict(type='bool', default=True),
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='int', default=600),
)


def main():
    HeatRpcModule(argument_spec=ARGUMENT_SPEC).run(StackActionRunner)


if __name__ == '__main__':
    main()

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
        can be cancelled too. Needs engine RPC API 1.14.
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
      - How long to wait, in seconds, with O(wait=true). Passing it fails the task with the last state seen;
        the action itself continues in the engine.
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
  description: The resources whose status is FAILED, with their reasons, when the action ended FAILED.
  returned: when the action failed
  type: list
  elements: dict
  sample: [{"name": "db", "type": "OS::Heat::TestResource", "status": "CHECK_FAILED",
            "status_reason": "Exception: resources.db: Resource not created", "stack_name": "web-tier"}]
'''

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import (
    StackService, describe_failure, failed_resources, require_stack, shape_stack, stack_state,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import wait_for_stack

# For each action: the stack actions the wait accepts as its end.
SETTLES_IN = {
    'check': ('CHECK',),
    'suspend': ('SUSPEND',),
    'resume': ('RESUME',),
    'abandon': ('DELETE',),
}


def is_in_progress(raw):
    return raw.get('stack_status') == 'IN_PROGRESS'


def needs_action(action, raw):
    """False when the action would change nothing (suspend of a suspended stack, resume of a running one)."""
    state = (raw.get('stack_action'), raw.get('stack_status'))
    if action == 'suspend':
        return state != ('SUSPEND', 'COMPLETE')
    if action == 'resume':
        return state[0] == 'SUSPEND' or state == ('RESUME', 'FAILED')
    return True


def refuse_if_busy(action, raw):
    if action in ('check', 'suspend', 'resume') and is_in_progress(raw):
        raise errors.ConflictError("cannot %s stack '%s': it is %s; wait until it settles"
                                   % (action, raw.get('stack_name'), stack_state(raw)))


def check_cancellable(raw, with_rollback):
    allowed = ('UPDATE',) if with_rollback else ('UPDATE', 'CREATE')
    if is_in_progress(raw) and raw.get('stack_action') in allowed:
        return
    raise errors.NotSupportedError(
        "cannot cancel_update stack '%s': it is %s, and only a stack with %s in progress can be cancelled%s"
        % (raw.get('stack_name'), stack_state(raw), ' or '.join(allowed),
           '' if not with_rollback else ' (with cancel_with_rollback=false, a create in progress too)'))


def send(client, action, identity, params):
    """Send the action; returns the engine's data for export/abandon, else None."""
    if action == 'check':
        client.stack_check(None, identity)
    elif action == 'suspend':
        client.stack_suspend(None, identity)
    elif action == 'resume':
        client.stack_resume(None, identity)
    elif action == 'cancel_update':
        client.stack_cancel_update(None, identity, cancel_with_rollback=params['cancel_with_rollback'])
    elif action == 'abandon':
        return client.abandon_stack(None, identity)
    return None


def settle_actions(action, params):
    if action == 'cancel_update':
        return ('ROLLBACK',) if params['cancel_with_rollback'] else ('UPDATE',)
    return SETTLES_IN[action]


def expected_failure(action, params, raw):
    """A cancel without rollback ends UPDATE_FAILED (or CREATE_FAILED) on purpose."""
    return action == 'cancel_update' and not params['cancel_with_rollback'] and raw.get('stack_status') == 'FAILED'


def wait_and_judge(module, service, action, identity, before):
    params = module.params
    raw = wait_for_stack(service, identity, params['wait_timeout'], actions=settle_actions(action, params))
    if raw is None:
        # Gone: an abandon completed.
        return shape_stack(before)
    if raw.get('stack_status') == 'FAILED' and not expected_failure(action, params, raw):
        failed = failed_resources(module.client, identity)
        raise errors.StackFailed(describe_failure(raw, failed), dict(changed=True, action=action, stack=shape_stack(raw),
                                                                     failed_resources=failed))
    return shape_stack(raw)


def run(module):
    params = module.params
    action = params['action']
    service = StackService(module.client)
    before = require_stack(service, params['stack'])
    identity = before['stack_identity']
    result = {'action': action, 'changed': False, 'stack': shape_stack(before)}

    if action == 'export':
        result['data'] = module.client.export_stack(None, identity)
        return result
    refuse_if_busy(action, before)
    if action == 'cancel_update':
        check_cancellable(before, params['cancel_with_rollback'])
    if not needs_action(action, before):
        return result

    result['changed'] = True
    if module.check_mode:
        if action == 'abandon':
            result['data'] = module.client.export_stack(None, identity)
        return result
    data = send(module.client, action, identity, params)
    if action == 'abandon':
        result['data'] = data
    if params['wait']:
        result['stack'] = wait_and_judge(module, service, action, identity, before)
    else:
        now = service.show(identity, resolve_outputs=False)
        result['stack'] = shape_stack(now or before)
    return result


def main():
    module = HeatRpcModule(argument_spec=dict(
        stack=dict(type='str', required=True, aliases=['name', 'id']),
        action=dict(type='str', required=True,
                    choices=['check', 'suspend', 'resume', 'cancel_update', 'abandon', 'export']),
        cancel_with_rollback=dict(type='bool', default=True),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=600),
    ))
    module.run(run)


if __name__ == '__main__':
    main()

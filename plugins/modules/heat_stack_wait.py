#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: heat_stack_wait
short_description: Wait, without acting, until a Heat stack settles, reaches given states or is gone
version_added: 0.1.0
description:
  - Reads a stack through heat-engine's RPC API until it reaches what O(state) asks for, and judges the end
    the way M(heat_rpc.engine.heat_stack) judges its own actions. Sends nothing that changes the stack; always
    RV(ignore:changed=false).
  - For a stack started with O(heat_rpc.engine.heat_stack#module:wait=false), or by someone else (another
    play, a person, an autoscaling signal).
  - A stack that ends in a state that is not accepted fails the task with the stack, RV(failed_resources) (their
    reasons, nested stacks included) and RV(events) of its last action, as M(heat_rpc.engine.heat_stack) does.
  - A failed create, update or adopt of a stack with rollback enabled is followed through its rollback before it
    is judged, so the task never reports a state the stack is about to leave.
author:
  - heat_rpc.engine developers (@heat-rpc)
extends_documentation_fragment:
  - heat_rpc.engine.connection
  - heat_rpc.engine.connection.persistent
  - heat_rpc.engine.attributes.info_module
options:
  stack:
    description:
      - Name or id of the stack.
      - A stack that does not exist fails the task (C(not_found)), except with O(state=absent).
    type: str
    required: true
    aliases: [name, id]
  state:
    description:
      - V(settled) waits until no action is in progress. Success is any C(*_COMPLETE) state other than
        C(ROLLBACK_COMPLETE) (the state of a create or update that failed and was rolled back); a C(*_FAILED)
        state or C(ROLLBACK_COMPLETE) fails the task. A stack that is deleted while waiting fails it too (use
        V(absent) to wait for a delete).
      - V(absent) waits until the stack is deleted (or does not exist); C(DELETE_FAILED) fails the task.
      - Otherwise, one or more C(ACTION_STATUS) values (V(UPDATE_COMPLETE), V(CHECK_COMPLETE), V(UPDATE_FAILED),
        ...), any of which is success. The wait ends when the stack settles in one of their actions (or in the
        rollback of a create, update or adopt among them); a settled state of another action counts as not
        started yet, so the wait goes on (up to O(wait_timeout)). A settled state of their actions that is not
        listed fails the task. C(IN_PROGRESS) states and C(DELETE_COMPLETE) (use V(absent)) are refused.
      - Listing a C(CREATE_FAILED), C(UPDATE_FAILED) or C(ADOPT_FAILED) state accepts that failure as it is,
        without following a rollback.
      - V(settled) and V(absent) stand alone.
      - Named as C(ansible.builtin.wait_for) names what it waits for; the module changes nothing.
    type: list
    elements: str
    default: [settled]
  wait_timeout:
    description:
      - Seconds to wait. Passing it fails the task (C(error.kind) V(wait_timeout)) with the stack as last seen and
        the events of its last action; nothing is done to the stack. An action whose heat-engine died ends
        the wait sooner, with C(error.kind) V(engine_dead) (no engine alive can be running it; see the README).
    type: int
    default: 1800
'''

EXAMPLES = r'''
- name: Start an update and do other work meanwhile
  heat_rpc.engine.heat_stack:
    name: web-tier
    template: templates/web.yaml
    wait: false

- name: Later, wait for it (fails with the failed resources if the update failed or was rolled back)
  heat_rpc.engine.heat_stack_wait:
    stack: web-tier
  register: web

- name: Wait for an update someone else starts, then use the new outputs
  heat_rpc.engine.heat_stack_wait:
    stack: web-tier
    state: [UPDATE_COMPLETE]
    wait_timeout: 3600
  register: updated

- name: Wait until a stack deleted elsewhere is gone
  heat_rpc.engine.heat_stack_wait:
    stack: old-tier
    state: absent
'''

RETURN = r'''
stack:
  description:
    - The stack once the wait ended, with its outputs, in the form M(heat_rpc.engine.heat_stack) returns it (keys
      C(id), C(name), C(identity), C(action), C(status), C(status_reason), C(description), C(creation_time),
      C(updated_time), C(deletion_time), C(tags), C(parent), C(owner), C(project_id), C(parameters),
      C(timeout_mins), C(disable_rollback), C(outputs), C(output_list)).
    - Null with O(state=absent).
  returned: always
  type: dict
  sample: {"id": "5d1b5e7c-1d3a-4c1e-9a57-0f3b1c9d2e4f", "name": "web-tier", "status": "UPDATE_COMPLETE"}
failed_resources:
  description: Resources in a C(*_FAILED) state (down to nested stacks), with their reasons.
  returned: when the stack ended in a state that is not accepted, or the wait ran out
  type: list
  elements: dict
  sample: [{"name": "server", "type": "OS::Nova::Server", "status": "CREATE_FAILED", "status_reason": "..."}]
events:
  description: The events of the stack's last action, oldest first.
  returned: when the stack ended in a state that is not accepted, or the wait ran out
  type: list
  elements: dict
'''

# First: the collection's code imported after this is compiled once and kept, not compiled again in every task.
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.code_cache import cache_compiled_code
cache_compiled_code()

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack_wait import StackWaitRunner

ARGUMENT_SPEC = dict(
    stack=dict(type='str', required=True, aliases=['name', 'id']),
    state=dict(type='list', elements='str', default=['settled']),
    wait_timeout=dict(type='int', default=1800),
)


def main():
    HeatRpcModule(argument_spec=ARGUMENT_SPEC).run(StackWaitRunner)


if __name__ == '__main__':
    main()

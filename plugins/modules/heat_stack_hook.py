#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: heat_stack_hook
short_description: List, wait for and clear the breakpoint hooks a Heat stack is paused on, over RPC
version_added: 0.1.0
description:
  - Works with the breakpoints (hooks) of a stack and its nested stacks by calling heat-engine over its RPC API
    (no heat-api, no Keystone), as C(openstack stack hook poll) and C(openstack stack hook clear) do.
  - A resource with a C(pre-create), C(pre-update) or C(pre-delete) hook in the stack's environment (see
    O(heat_rpc.engine.heat_stack#module:breakpoints)) pauses before that action until the hook is cleared.
  - A hook is pending while the stack's action is in progress and the resource's pause (its event
    C(UPDATE paused until Hook pre-update is cleared)) has not been followed by C(Hook pre-update is cleared).
    A stack that is not C(IN_PROGRESS) has no pending hooks.
  - A stack that is not found fails the task.
author:
  - heat_rpc.engine developers (@heat-rpc)
extends_documentation_fragment:
  - heat_rpc.engine.connection
  - heat_rpc.engine.connection.persistent
attributes:
  check_mode:
    support: full
    description:
      - O(action=clear) returns the hooks it would clear in RV(cleared) and predicts RV(ignore:changed); it
        clears nothing. O(action=list) and O(action=wait) only read.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  stack:
    description: Name or id of the (top-level) stack.
    type: str
    required: true
    aliases: [name]
  action:
    description:
      - V(list) - returns the pending hooks that match O(resources) and O(hook) in RV(hooks).
      - V(wait) - waits until a hook that matches is pending and returns the hooks then pending in RV(hooks),
        or until the stack's action ends without pausing on one (RV(hooks) is then empty). An action that ends
        C(FAILED) or rolled back (C(ROLLBACK_COMPLETE)) fails the task with the failed resources, like
        M(heat_rpc.engine.heat_stack); a failed create or update of a stack with rollback enabled is followed
        through its rollback first. A stack with no action in progress ends the wait at once.
      - V(clear) - clears the pending hooks that match, each with a signal C(unset_hook) to the resource in its
        own (nested) stack. RV(ignore:changed) is V(true) only when a hook was pending and cleared; run again,
        it is V(false).
    type: str
    choices: [list, wait, clear]
    default: list
  resources:
    description:
      - Resource patterns, as C(openstack stack hook clear) takes them. A top-level resource by its name, a
        resource of a nested stack by its path from the top, levels separated by C(/) (C(group/0) is member
        C(0) of the resource group C(group)). Each level is a case-sensitive shell-style wildcard, so
        C(web_*) matches top-level resources only and C(group/*) every member of C(group).
      - Not set, every pending hook of the stack and of its nested stacks counts. Required with O(action=clear).
    type: list
    elements: str
  hook:
    description: Only hooks of this type count. Not set, any type.
    type: str
    choices: [pre-create, pre-update, pre-delete]
  wait_timeout:
    description:
      - Seconds O(action=wait) waits. A wait that runs out fails the task with C(error.kind=wait_timeout); an
        action whose heat-engine died ends it sooner, with C(error.kind=engine_dead).
    type: int
    default: 1800
notes:
  - Needs engine RPC API 1.31; under a lower O(api_version_cap) the task fails before anything is read.
  - Each look reads the events of the stack and its nested stacks (one call) and, the
    first time a hook is pending in a nested stack, the stack's resources (to know the nested stack's path).
  - A hook another run clears between this module's look and its signal is skipped; it does not fail the task.
'''

EXAMPLES = r'''
- name: Which resources is the stack paused on?
  heat_rpc.engine.heat_stack_hook:
    stack: web-tier
  register: paused

- name: Wait until the next member of the group pauses before its update
  heat_rpc.engine.heat_stack_hook:
    stack: web-tier
    action: wait
    resources: ["servers/*"]
    hook: pre-update
    wait_timeout: 600
  register: next_member

- name: Release it once its work is done
  heat_rpc.engine.heat_stack_hook:
    stack: web-tier
    action: clear
    resources: ["{{ next_member.hooks[0].path }}"]
    hook: pre-update
  when: next_member.hooks | length > 0
'''

RETURN = r'''
hooks:
  description:
    - The pending hooks that match O(resources) and O(hook), in the order the resources paused. For
      O(action=clear), those pending before clearing.
  returned: always except when the stack was not found
  type: list
  elements: dict
  contains:
    resource:
      description: The resource's name in its own stack.
      type: str
      sample: "0"
    path:
      description: The resource's path from the top stack (what O(resources) matches).
      type: str
      sample: servers/0
    hook:
      description: The hook type.
      type: str
      sample: pre-update
    action:
      description: The resource action paused (C(CREATE), C(UPDATE), C(DELETE)).
      type: str
      sample: UPDATE
    resource_type:
      description: The resource's type.
      type: str
      sample: OS::Heat::TestResource
    stack_name:
      description: The name of the (nested) stack the resource is in.
      type: str
      sample: web-tier-servers-3q2vdpsqsbvu
    stack_id:
      description: The id of the (nested) stack the resource is in.
      type: str
    stack_identity:
      description: The identity of the (nested) stack the resource is in, as the engine gives it.
      type: dict
    time:
      description: When the resource paused.
      type: str
      sample: "2026-01-01T10:00:00Z"
cleared:
  description: The hooks cleared (in check mode, those that would be), as in RV(hooks).
  returned: when O(action=clear)
  type: list
  elements: dict
stack:
  description:
    - The stack's name, id and status (as heat_stack_info returns them, without outputs) after the task; for
      O(action=wait), when the wait ended. Null when a wait ended with the stack deleted.
  returned: always except when the stack was not found
  type: dict
'''

# First: the collection's code imported after this is compiled once and kept, not compiled again in every task.
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.code_cache import cache_compiled_code
cache_compiled_code()

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack_hook import HookRunner

ARGUMENT_SPEC = dict(
    stack=dict(type='str', required=True, aliases=['name']),
    action=dict(type='str', default='list', choices=['list', 'wait', 'clear']),
    resources=dict(type='list', elements='str'),
    hook=dict(type='str', choices=['pre-create', 'pre-update', 'pre-delete']),
    wait_timeout=dict(type='int', default=1800),
)


def main():
    HeatRpcModule(argument_spec=ARGUMENT_SPEC).run(HookRunner)


if __name__ == '__main__':
    main()

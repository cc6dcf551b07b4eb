#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: heat_resource_signal
short_description: Signal a resource of a Heat stack, or mark it unhealthy or healthy, over RPC
version_added: 0.1.0
description:
  - Sends a signal to one resource of a stack, for example to release a breakpoint hook, or marks a
    resource unhealthy (C(CHECK_FAILED)) or healthy again, by calling heat-engine over its RPC API
    (no heat-api, no Keystone).
  - A signal is an event, so it always reports RV(ignore:changed=true). Marking health is idempotent.
  - A stack or resource that is not found fails the task.
author:
  - heat_rpc.engine developers (@heat-rpc)
extends_documentation_fragment:
  - heat_rpc.engine.connection
  - heat_rpc.engine.connection.persistent
attributes:
  check_mode:
    support: full
    description:
      - Reads the stack and the resource and predicts RV(ignore:changed); sends no signal and marks nothing.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  stack:
    description: Name or id of the stack.
    type: str
    required: true
  resource:
    description: Logical name of the resource in the stack (as in the template).
    type: str
    required: true
  data:
    description:
      - The signal's data (details), sent as it is; when O(mark_unhealthy) is not set, a signal is sent.
      - "V({unset_hook: pre-create}) (or C(pre-update), C(pre-delete)...) releases a resource paused on a
        breakpoint hook; the engine refuses it, failing the task, when that hook is not set on the resource."
      - Other data goes to the resource's own signal handler; a resource type without one fails the task.
    type: dict
  sync:
    description:
      - Have the engine handle the signal before it answers, and return the resource's metadata as
        RV(signal_result). Otherwise the engine may handle it in the background.
      - Signals to release a hook, and to resources without a signal handler, are always handled before
        the engine answers.
    type: bool
    default: false
  mark_unhealthy:
    description:
      - V(true) marks the resource unhealthy - C(CHECK_FAILED) with O(reason) - so that the next stack
        update replaces it. No change when it is C(CHECK_FAILED) already (and O(reason), when given, is
        its status reason already), or when it is being deleted.
      - V(false) marks a C(CHECK_FAILED) resource healthy again (C(CHECK_COMPLETE)); any other state is left
        as it is (no change).
      - Needs engine RPC API 1.26. Mutually exclusive with O(data).
    type: bool
  reason:
    description:
      - The status reason to record with O(mark_unhealthy). The engine's default is
        C(state changed by resource_mark_unhealthy api).
    type: str
'''

EXAMPLES = r'''
- name: Release a resource paused on its pre-create hook
  heat_rpc.engine.heat_resource_signal:
    stack: web-tier
    resource: database
    data:
      unset_hook: pre-create

- name: Mark a server unhealthy so that the next update replaces it
  heat_rpc.engine.heat_resource_signal:
    stack: web-tier
    resource: app_server
    mark_unhealthy: true
    reason: disk errors reported by monitoring

- name: Mark it healthy again
  heat_rpc.engine.heat_resource_signal:
    stack: web-tier
    resource: app_server
    mark_unhealthy: false
'''

RETURN = r'''
resource:
  description:
    - The resource after the signal or the health change (before it, in check mode, and right after an
      asynchronous signal was accepted).
  returned: always except when the stack or resource was not found
  type: dict
  contains:
    name:
      description: Logical resource name.
      type: str
      sample: app_server
    physical_id:
      description: Id of the physical resource, or null (was C(physical_resource_id) before 0.2.0).
      type: str
    type:
      description: Resource type.
      type: str
      sample: OS::Heat::TestResource
    action:
      description: Last action of the resource.
      type: str
      sample: CHECK
    status:
      description: Action and status together.
      type: str
      sample: CHECK_FAILED
    status_reason:
      description: The engine's reason for the status.
      type: str
      sample: disk errors reported by monitoring
    metadata:
      description: The resource's metadata.
      type: dict
    stack_name:
      description: The name of the stack the resource is in.
      type: str
    required_by:
      description: Resources that depend on this one.
      type: list
      elements: str
signal_result:
  description: What the engine answered a signal with O(sync=true) - the resource's metadata.
  returned: when a signal was sent with O(sync=true)
  type: raw
stack:
  description: The stack's name, id and status (as heat_stack_info returns them, without outputs).
  returned: always except when the stack was not found
  type: dict
'''

# First: the collection's code imported after this is compiled once and kept, not compiled again in every task.
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.code_cache import cache_compiled_code
cache_compiled_code()

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_resource_signal import ResourceSignalRunner

ARGUMENT_SPEC = dict(
    stack=dict(type='str', required=True),
    resource=dict(type='str', required=True),
    data=dict(type='dict'),
    sync=dict(type='bool', default=False),
    mark_unhealthy=dict(type='bool'),
    reason=dict(type='str'),
)


def main():
    HeatRpcModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=[('data', 'mark_unhealthy')],
                  required_by={'reason': 'mark_unhealthy'}).run(ResourceSignalRunner)


if __name__ == '__main__':
    main()

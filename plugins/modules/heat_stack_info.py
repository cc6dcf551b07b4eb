#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: heat_stack_info
short_description: List Heat stacks, or show one with its outputs, straight from heat-engine
version_added: 0.1.0
description:
  - Lists the stacks of the request context's project, or shows one stack by name or id with its
    outputs, by calling heat-engine over its RPC API (no heat-api, no Keystone).
  - Never changes anything; always returns RV(ignore:changed=false).
author:
  - heat_rpc.engine developers (@heat-rpc)
extends_documentation_fragment:
  - heat_rpc.engine.connection
attributes:
  check_mode:
    support: full
    description: Reads only; behaves the same in check mode.
  diff_mode:
    support: none
    description: Reads only; there is nothing to diff.
options:
  name:
    description:
      - Name or id of one stack to show, with its outputs.
      - A value that looks like a UUID is looked up as a stack id first, then as a name.
      - A stack that is not found (or is deleted) gives an empty RV(stacks) list, not a failure.
      - When not set, every stack of the project is listed (without outputs).
    type: str
    aliases: [stack, id]
  resolve_outputs:
    description:
      - With O(name), resolve the values of the stack's outputs.
      - Set to V(false) to skip output resolution on big stacks; needs engine RPC API 1.20.
    type: bool
    default: true
'''

EXAMPLES = r'''
- name: List every stack of the project
  heat_rpc.engine.heat_stack_info:
    transport_url: "rabbit://heat:{{ broker_password }}@broker.example.com:5672/heat"
    username: demo
    password: "{{ heat_password }}"
    project_id: 8a3f0f6e2a5b4b8e9d7c6b5a4f3e2d1c
  register: all_stacks

- name: Show one stack and use an output (connection from HEAT_RPC_* environment variables)
  heat_rpc.engine.heat_stack_info:
    name: web-tier
  register: web

- name: Print the stack's status and an output
  ansible.builtin.debug:
    msg: "{{ web.stacks[0].status }} {{ web.stacks[0].outputs.url }}"
  when: web.stacks | length > 0
'''

RETURN = r'''
stacks:
  description:
    - The stacks found. With O(name), a list of at most one stack, with outputs and parameters.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Stack id.
      type: str
      sample: 5d1b5e7c-1d3a-4c1e-9a57-0f3b1c9d2e4f
    name:
      description: Stack name.
      type: str
      sample: web-tier
    identity:
      description: The engine's identity of the stack (stack_name, stack_id, tenant, path).
      type: dict
    action:
      description: Last action (CREATE, UPDATE, DELETE, SUSPEND, RESUME, ROLLBACK, CHECK, ...).
      type: str
      sample: CREATE
    status:
      description: Action and status together, as the heat CLI shows it.
      type: str
      sample: CREATE_COMPLETE
    status_reason:
      description: The engine's reason for the status.
      type: str
    description:
      description: The template's description.
      type: str
    creation_time:
      description: ISO 8601 creation time.
      type: str
    updated_time:
      description: ISO 8601 time of the last update, or null.
      type: str
    deletion_time:
      description: ISO 8601 deletion time, or null.
      type: str
    tags:
      description: Stack tags.
      type: list
      elements: str
    parent:
      description: Id of the parent stack for a nested stack, else null.
      type: str
    owner:
      description: User name that owns the stack.
      type: str
    parameters:
      description: Stack parameters; hidden ones show as C(******). Only with O(name).
      type: dict
      returned: when O(name) is set
    timeout_mins:
      description: Engine-side timeout of the stack in minutes. Only with O(name).
      type: int
      returned: when O(name) is set
    disable_rollback:
      description: Whether rollback on failure is disabled. Only with O(name).
      type: bool
      returned: when O(name) is set
    outputs:
      description: Output values by output key. Only with O(name) and O(resolve_outputs).
      type: dict
      returned: when O(name) is set and O(resolve_outputs=true)
      sample: {"url": "http://192.0.2.10/"}
    output_list:
      description: The outputs as a list with their descriptions and errors.
      type: list
      elements: dict
      returned: when O(name) is set and O(resolve_outputs=true)
      sample: [{"key": "url", "value": "http://192.0.2.10/", "description": "Entry point", "error": null}]
'''

from ansible_collections.heat_rpc.engine.plugins.module_utils.common import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils.stacks import StackService, shape_stack


def show_one(service, name, resolve_outputs):
    raw = service.find(name, resolve_outputs=resolve_outputs)
    return [shape_stack(raw)] if raw else []


def list_all(service):
    return [shape_stack(raw) for raw in service.iter_stacks()]


def run(module):
    service = StackService(module.client)
    name = module.params['name']
    if name:
        stacks = show_one(service, name, module.params['resolve_outputs'])
    else:
        stacks = list_all(service)
    return {'changed': False, 'stacks': stacks}


def main():
    module = HeatRpcModule(argument_spec=dict(
        name=dict(type='str', aliases=['stack', 'id']),
        resolve_outputs=dict(type='bool', default=True),
    ))
    module.run(run)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: heat_software_deployment_info
short_description: Show Heat software deployments and a server's deployment metadata, straight from heat-engine
version_added: 0.1.0
description:
  - Shows one software deployment by id, or lists the deployments of a server (or of the whole project), by
    calling heat-engine over its RPC API (no heat-api, no Keystone).
  - With O(server_id), also returns the server's deployment metadata - the configs deployed to it, which is
    what the server's agent reads to know what to run.
  - Never changes anything; always returns RV(ignore:changed=false).
author:
  - heat_rpc.engine developers (@heat-rpc)
extends_documentation_fragment:
  - heat_rpc.engine.connection
  - heat_rpc.engine.connection.persistent
  - heat_rpc.engine.attributes.info_module
options:
  id:
    description:
      - Id of one deployment. A deployment that is not found gives an empty RV(deployments) list.
    type: str
    aliases: [deployment_id]
  server_id:
    description:
      - Only the deployments of this server; also returns RV(metadata).
    type: str
'''

EXAMPLES = r'''
- name: What a server has to run
  heat_rpc.engine.heat_software_deployment_info:
    server_id: 9d7c4b4e-3b7f-4a43-9a36-0f6c8f1a2b3c
  register: server

- name: Show the names of the configs deployed to it
  ansible.builtin.debug:
    msg: "{{ server.metadata | map(attribute='name') | list }}"

- name: One deployment
  heat_rpc.engine.heat_software_deployment_info:
    id: 4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f
  register: one
'''

RETURN = r'''
deployments:
  description: The deployments found, oldest first.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Deployment id.
      type: str
    server_id:
      description: Server id.
      type: str
    config_id:
      description: Id of the deployed software config.
      type: str
    input_values:
      description: Input values.
      type: dict
    output_values:
      description: Output values reported by signals.
      type: dict
    action:
      description: Deployment action.
      type: str
    status:
      description: C(IN_PROGRESS), C(COMPLETE) or C(FAILED).
      type: str
    status_reason:
      description: Reason for the status.
      type: str
    creation_time:
      description: ISO 8601 creation time.
      type: str
    updated_time:
      description: ISO 8601 time of the last update, or null.
      type: str
metadata:
  description:
    - The server's deployment metadata as heat-engine builds it - the full software config (id, name, group,
      config, inputs, outputs, options, creation_time) of each deployment of the server, sorted by config name.
  returned: when O(server_id) is set
  type: list
  elements: dict
'''

# First: the collection's code imported after this is compiled once and kept, not compiled again in every task.
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.code_cache import cache_compiled_code
cache_compiled_code()

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_software_deployment import SoftwareDeploymentInfoRunner

ARGUMENT_SPEC = dict(
    id=dict(type='str', aliases=['deployment_id']),
    server_id=dict(type='str'),
)


def main():
    HeatRpcModule(argument_spec=ARGUMENT_SPEC).run(SoftwareDeploymentInfoRunner)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: heat_software_deployment
short_description: Create, update, signal or delete a Heat software deployment over RPC
version_added: 0.1.0
description:
  - Manages a software deployment (a software config applied to a server) by calling heat-engine over its
    RPC API (no heat-api, no Keystone). The server is only an id to Heat here; no Nova is involved.
  - The deployment is found by O(id), or else by O(server_id) and O(config) together (several deployments
    of that config on that server fail the task; give O(id) then). A deployment that is not found is created.
  - An existing deployment is updated when O(config), O(input_values), O(action), O(status) or
    O(status_reason) differ from what it has; options that are not set are left as they are.
  - O(signal) sends the values a server reports when it has run the config (outputs, C(deploy_status_code),
    C(deploy_stdout), C(deploy_stderr)), which drives an C(IN_PROGRESS) deployment to C(COMPLETE) or C(FAILED).
  - To read deployments, and the deployment metadata of a server, use
    M(heat_rpc.engine.heat_software_deployment_info).
author:
  - heat_rpc.engine developers (@heat-rpc)
extends_documentation_fragment:
  - heat_rpc.engine.connection
  - heat_rpc.engine.connection.persistent
attributes:
  check_mode:
    support: full
    description:
      - Reads the deployment and its config and predicts RV(ignore:changed) and the resulting RV(deployment),
        including the status a signal would give; writes nothing.
  diff_mode:
    support: full
    description: Shows the deployment's fields before and after.
options:
  id:
    description:
      - Id of the deployment. With O(state=present), a deployment with this id that does not exist is created
        with it (engine RPC API 1.21).
    type: str
    aliases: [deployment_id]
  server_id:
    description:
      - Id of the server the deployment is for (any string; a UUID for a real server). Required to create a
        deployment. An existing deployment cannot move to another server (the task fails).
    type: str
  config:
    description:
      - Id or name of the software config to deploy (a name means the newest config of that name). Required
        to create a deployment.
    type: str
  input_values:
    description:
      - Values of the config's inputs for this deployment.
      - On update, an empty dict is ignored (heat-engine cannot clear the input values).
    type: dict
  action:
    description:
      - The deployment's action (C(CREATE), C(UPDATE), C(DELETE), C(SUSPEND), C(RESUME) as Heat uses them).
      - A new deployment gets C(CREATE) when this is not set.
    type: str
  status:
    description:
      - The deployment's status. A new deployment gets C(IN_PROGRESS) when this is not set, so that a server
        (or O(signal)) can report its outcome. Mutually exclusive with O(signal).
    type: str
    choices: [IN_PROGRESS, COMPLETE, FAILED]
  status_reason:
    description:
      - The reason for the status. On update, an empty string is ignored (heat-engine keeps the old reason).
    type: str
  signal:
    description:
      - Signal data, as a server sends it when it has run the config - values of the config's outputs by name,
        and C(deploy_status_code), C(deploy_stdout), C(deploy_stderr).
      - Applies only to a deployment that is C(IN_PROGRESS) (after any create or update of this task). A
        non-zero C(deploy_status_code), or a value for an output flagged C(error_output), makes it C(FAILED),
        anything else C(COMPLETE), with the outputs in RV(deployment.output_values). A C(FAILED) outcome does
        not fail the task; check RV(deployment.status).
      - A deployment that is not C(IN_PROGRESS) ignores signals, so the signal is not sent (RV(signal_sent=false),
        no change); this makes a task with a signal idempotent.
    type: dict
  state:
    description:
      - V(present) - the deployment exists with these values.
      - V(absent) - the deployment with O(id) (or, without O(id), every deployment of O(config) on O(server_id))
        is deleted. Already absent is V(changed=false), and so is a O(config) that does not exist.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: Deploy a config to a server (the deployment starts IN_PROGRESS)
  heat_rpc.engine.heat_software_deployment:
    server_id: 9d7c4b4e-3b7f-4a43-9a36-0f6c8f1a2b3c
    config: install-app
    input_values:
      version: "1.3"
  register: deployment

- name: Report the outcome, as the server's agent would
  heat_rpc.engine.heat_software_deployment:
    id: "{{ deployment.deployment.id }}"
    signal:
      result: installed 1.3
      deploy_status_code: 0
      deploy_stdout: ok

- name: Mark a deployment failed by hand
  heat_rpc.engine.heat_software_deployment:
    id: "{{ deployment.deployment.id }}"
    action: UPDATE
    status: FAILED
    status_reason: aborted by the operator

- name: Remove the deployment
  heat_rpc.engine.heat_software_deployment:
    id: "{{ deployment.deployment.id }}"
    state: absent
'''

RETURN = r'''
deployment:
  description:
    - The deployment after the task (predicted in check mode; C(id) is null for one that would be created
      without O(id)). The one deleted, with O(state=absent) and a single match; empty when none was found.
  returned: always
  type: dict
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
      description: Output values reported by signals (with C(deploy_stdout), C(deploy_stderr), C(deploy_status_code)).
      type: dict
    action:
      description: Deployment action.
      type: str
      sample: CREATE
    status:
      description: C(IN_PROGRESS), C(COMPLETE) or C(FAILED).
      type: str
      sample: COMPLETE
    status_reason:
      description: Reason for the status.
      type: str
      sample: Outputs received
    creation_time:
      description: ISO 8601 creation time.
      type: str
    updated_time:
      description: ISO 8601 time of the last update, or null.
      type: str
created:
  description: Whether the deployment was created.
  returned: when O(state=present)
  type: bool
updated:
  description: The fields that were updated.
  returned: when O(state=present)
  type: list
  elements: str
  sample: [status, status_reason]
signal_sent:
  description: Whether O(signal) was sent (it is not to a deployment that is not C(IN_PROGRESS)).
  returned: when O(signal) is set
  type: bool
deleted_ids:
  description: Ids of the deployments deleted with O(state=absent).
  returned: when O(state=absent)
  type: list
  elements: str
'''

# First: the collection's code imported after this is compiled once and kept, not compiled again in every task.
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.code_cache import cache_compiled_code
cache_compiled_code()

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_software_deployment import SoftwareDeploymentRunner

ARGUMENT_SPEC = dict(
    id=dict(type='str', aliases=['deployment_id']),
    server_id=dict(type='str'),
    config=dict(type='str'),
    input_values=dict(type='dict'),
    action=dict(type='str'),
    status=dict(type='str', choices=['IN_PROGRESS', 'COMPLETE', 'FAILED']),
    status_reason=dict(type='str'),
    signal=dict(type='dict'),
    state=dict(type='str', default='present', choices=['present', 'absent']),
)


def main():
    HeatRpcModule(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=[('status', 'signal')],
        required_one_of=[('id', 'server_id')],
    ).run(SoftwareDeploymentRunner)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: heat_software_config
short_description: Create, replace or delete a Heat software config over RPC
version_added: 0.1.0
description:
  - Manages a software config by name (or id) by calling heat-engine over its RPC API (no heat-api,
    no Keystone).
  - Software configs are immutable in Heat. When the config of that name differs from the wanted one
    (O(group), the config text, O(inputs), O(outputs), O(options)), a new config is created and the old one
    deleted (unless O(keep_old=true)); the result says so in RV(replaced) and RV(old_id).
  - The comparison uses heat-engine's normal form of inputs and outputs (C(type) defaults to C(String),
    C(replace_on_change) and C(error_output) default to false, an empty C(description) is none, an input's
    C(default) is converted to the input's type), so a definition that did not change is RV(ignore:changed=false).
  - "Several configs can share a name in Heat. The rule here: O(state=present) is satisfied by any config of
    that name that already has the definition (changed false); otherwise it replaces the newest config of that
    name (the first heat-engine lists) - so with O(keep_old=true) the older versions stay as history.
    O(state=absent) with O(name) deletes every config of that name. O(id) selects one config exactly."
  - To list or read configs use M(heat_rpc.engine.heat_software_config_info).
author:
  - heat_rpc.engine developers (@heat-rpc)
extends_documentation_fragment:
  - heat_rpc.engine.connection
  - heat_rpc.engine.connection.persistent
attributes:
  check_mode:
    support: full
    description: Reads the configs and predicts RV(ignore:changed), RV(replaced) and RV(old_id); writes nothing.
  diff_mode:
    support: full
    description: Shows the normalised definition before and after.
options:
  name:
    description:
      - Name of the config. Required with O(state=present).
    type: str
  id:
    description:
      - Id of one config. With O(state=present), the config compared with (and replaced when it differs)
        instead of the newest one named O(name); it must exist. With O(state=absent), the config to delete.
    type: str
  state:
    description:
      - V(present) - a config with O(name) and this definition exists.
      - V(absent) - no config with O(id) (or, without O(id), with O(name)) exists. A config that a software
        deployment still uses cannot be deleted; the engine's refusal fails the task.
    type: str
    choices: [present, absent]
    default: present
  group:
    description:
      - The tool that runs the config on the server (C(script), C(ansible), C(puppet), C(Heat::Ungrouped)...).
    type: str
    default: Heat::Ungrouped
  config:
    description:
      - The configuration content (a script, a playbook...), as text.
      - Mutually exclusive with O(config_file). With neither, the config text is empty.
    type: str
  config_file:
    description:
      - Path of a file holding the configuration content.
      - Read on the Ansible controller by this module's action plugin, which looks a relative path up the way
        M(ansible.builtin.copy) does (the role's C(files/) directories, then the playbook's directory), and
        hands its text to the module as O(config); a file not found names every directory searched.
      - With O(remote_src=true), read on the host where the module runs instead.
    type: path
  remote_src:
    version_added: 0.2.0
    description:
      - Read O(config_file) on the host where the module runs (C(delegate_to)), not on the controller.
    type: bool
    default: false
  inputs:
    description: Input definitions of the config.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Input name.
        type: str
        required: true
      type:
        description: Type of the input's value.
        type: str
        choices: [String, Number, CommaDelimitedList, Json, Boolean]
        default: String
      description:
        description: Description of the input.
        type: str
      default:
        description: Default value of the input, used when a deployment gives none.
        type: raw
      replace_on_change:
        description: Replace the deployment instead of updating it when this input's value changes.
        type: bool
        default: false
  outputs:
    description: Output definitions of the config.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Output name.
        type: str
        required: true
      type:
        description: Type of the output's value.
        type: str
        choices: [String, Number, CommaDelimitedList, Json, Boolean]
        default: String
      description:
        description: Description of the output.
        type: str
      error_output:
        description: A value for this output marks the deployment C(FAILED).
        type: bool
        default: false
  options:
    description: Options for the config's O(group) tool (free-form).
    type: dict
    default: {}
  keep_old:
    description:
      - When a config is replaced, keep the old one instead of deleting it.
      - An old config that a deployment still uses is kept anyway (the engine refuses to delete it);
        RV(old_deleted) is then V(false) and a warning says why.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: A script config with an input and an output
  heat_rpc.engine.heat_software_config:
    name: install-app
    group: script
    config: |
      #!/bin/sh
      echo "installing $version" > $heat_outputs_path.result
    inputs:
      - name: version
        default: "1.2"
    outputs:
      - name: result
  register: app_config

- name: The same config from a file on the managed host, keeping the previous version
  heat_rpc.engine.heat_software_config:
    name: install-app
    group: script
    config_file: /srv/configs/install-app.sh
    inputs:
      - name: version
    outputs:
      - name: result
    keep_old: true

- name: Delete every config called install-app
  heat_rpc.engine.heat_software_config:
    name: install-app
    state: absent
'''

RETURN = r'''
config:
  description:
    - The config that is now current, as heat-engine shows it (inputs and outputs in its normal form).
      Empty after O(state=absent).
    - In check mode, for a config that would be created, the predicted definition without C(id).
  returned: always
  type: dict
  contains:
    id:
      description: Config id.
      type: str
      sample: 3a2e6f1c-6b0e-4d1e-9f3a-1c2b3d4e5f60
    name:
      description: Config name.
      type: str
      sample: install-app
    group:
      description: Config group.
      type: str
      sample: script
    config:
      description: The configuration content.
      type: str
    inputs:
      description: Input definitions.
      type: list
      elements: dict
      sample: [{"name": "version", "type": "String", "default": "1.2"}]
    outputs:
      description: Output definitions.
      type: list
      elements: dict
      sample: [{"name": "result", "type": "String", "error_output": false}]
    options:
      description: Group tool options.
      type: dict
    creation_time:
      description: ISO 8601 creation time.
      type: str
replaced:
  description: Whether an existing config of that name was replaced by a new one (its definition differed).
  returned: always
  type: bool
  sample: false
old_id:
  description: Id of the config that was replaced.
  returned: when RV(replaced=true)
  type: str
old_deleted:
  description: Whether the replaced config was deleted.
  returned: when RV(replaced=true)
  type: bool
differences:
  description: Which parts of the definition differed from the old config.
  returned: when RV(replaced=true)
  type: list
  elements: str
  sample: [config, inputs]
deleted_ids:
  description: Ids of the configs deleted with O(state=absent).
  returned: when O(state=absent)
  type: list
  elements: str
'''

# First: the collection's code imported after this is compiled once and kept, not compiled again in every task.
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.code_cache import cache_compiled_code
cache_compiled_code()

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_software_config import SoftwareConfigRunner

IO_TYPE = dict(type='str', default='String', choices=['String', 'Number', 'CommaDelimitedList', 'Json', 'Boolean'])

ARGUMENT_SPEC = dict(
    name=dict(type='str'),
    id=dict(type='str'),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    group=dict(type='str', default='Heat::Ungrouped'),
    config=dict(type='str'),
    config_file=dict(type='path'),
    remote_src=dict(type='bool', default=False),
    inputs=dict(type='list', elements='dict', default=[], options=dict(
        name=dict(type='str', required=True),
        type=IO_TYPE,
        description=dict(type='str'),
        default=dict(type='raw'),
        replace_on_change=dict(type='bool', default=False),
    )),
    outputs=dict(type='list', elements='dict', default=[], options=dict(
        name=dict(type='str', required=True),
        type=IO_TYPE,
        description=dict(type='str'),
        error_output=dict(type='bool', default=False),
    )),
    options=dict(type='dict', default={}),
    keep_old=dict(type='bool', default=False),
)


def main():
    HeatRpcModule(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=[('config', 'config_file')],
        required_if=[('state', 'present', ['name'])],
        required_one_of=[('name', 'id')],
    ).run(SoftwareConfigRunner)


if __name__ == '__main__':
    main()

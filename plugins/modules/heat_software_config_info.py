#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: heat_software_config_info
short_description: List Heat software configs, or show them in full, straight from heat-engine
version_added: 0.1.0
description:
  - Lists the software configs of the request context's project (newest first), optionally only those with
    one name, or shows one config by id, by calling heat-engine over its RPC API (no heat-api, no Keystone).
  - Never changes anything; always returns RV(ignore:changed=false).
author:
  - heat_rpc.engine developers (@heat-rpc)
extends_documentation_fragment:
  - heat_rpc.engine.connection
  - heat_rpc.engine.connection.persistent
  - heat_rpc.engine.attributes.info_module
options:
  name:
    description:
      - Only the configs with this name (several configs can share a name; the newest comes first).
    type: str
  id:
    description:
      - Id of one config to show in full. A config that is not found gives an empty RV(configs) list.
    type: str
  detail:
    description:
      - Show every listed config in full (config text, inputs, outputs, options), one engine call each.
      - Without it, a listing has only C(id), C(name), C(group) and C(creation_time). A config found by O(id)
        is always shown in full.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: List every software config
  heat_rpc.engine.heat_software_config_info:
  register: all_configs

- name: The current (newest) config called install-app, in full
  heat_rpc.engine.heat_software_config_info:
    name: install-app
    detail: true
  register: app

- name: Use its id
  ansible.builtin.debug:
    msg: "{{ app.configs[0].id }}"
  when: app.configs | length > 0
'''

RETURN = r'''
configs:
  description: The configs found, newest first.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Config id.
      type: str
    name:
      description: Config name.
      type: str
    group:
      description: Config group.
      type: str
    creation_time:
      description: ISO 8601 creation time.
      type: str
    config:
      description: The configuration content. With O(detail) or O(id).
      type: str
      returned: with O(detail=true) or O(id)
    inputs:
      description: Input definitions, in heat-engine's normal form. With O(detail) or O(id).
      type: list
      elements: dict
      returned: with O(detail=true) or O(id)
    outputs:
      description: Output definitions, in heat-engine's normal form. With O(detail) or O(id).
      type: list
      elements: dict
      returned: with O(detail=true) or O(id)
    options:
      description: Group tool options. With O(detail) or O(id).
      type: dict
      returned: with O(detail=true) or O(id)
'''

# First: the collection's code imported after this is compiled once and kept, not compiled again in every task.
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.code_cache import cache_compiled_code
cache_compiled_code()

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_software_config import SoftwareConfigInfoRunner

ARGUMENT_SPEC = dict(
    name=dict(type='str'),
    id=dict(type='str'),
    detail=dict(type='bool', default=False),
)


def main():
    HeatRpcModule(argument_spec=ARGUMENT_SPEC).run(SoftwareConfigInfoRunner)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: heat_engine_info
short_description: What heat-engine says about itself - services, template versions, resource types, ...
version_added: 0.1.0
description:
  - Asks heat-engine over its RPC API (no heat-api, no Keystone) about itself - its revision and services,
    the template versions and functions it knows, the resource types it offers, one resource type's schema
    or a template generated for it, and whether it accepts the caller's credentials.
  - O(gather) chooses what to ask; each subject is one engine call (two for template functions with
    conditions).
  - Never changes anything; always returns RV(ignore:changed=false).
author:
  - heat_rpc.engine developers (@heat-rpc)
extends_documentation_fragment:
  - heat_rpc.engine.connection
  - heat_rpc.engine.connection.persistent
  - heat_rpc.engine.attributes.info_module
options:
  gather:
    description:
      - What to ask the engine. Each subject gives the result key of the same name, except V(credentials),
        which gives RV(credentials_accepted) and RV(credentials_explanation).
      - V(revision) the engine's revision (C(get_revision)); V(services) the heat-engine services
        (C(list_services)); V(template_versions) the template versions (RPC API 1.11).
      - V(template_functions) the functions of O(template_version) (RPC API 1.13).
      - V(resource_types) the resource types, filtered by O(resource_type_filters).
      - V(resource_schema) the schema of O(resource_type); V(generated_template) a template for
        O(resource_type) in the O(template_type) format.
      - V(credentials) whether the engine accepts the credentials of the request context
        (C(authenticated_to_backend)).
    type: list
    elements: str
    choices: [revision, services, template_versions, template_functions, resource_types, resource_schema,
              generated_template, credentials]
    default: [revision, services]
  template_version:
    description:
      - The template version whose functions to list, as the engine names it
        (V(heat_template_version.2021-04-16), V(AWSTemplateFormatVersion.2010-09-09)) or, for HOT, just the
        date or release name (V(2018-08-31), V(wallaby)).
      - Required for V(template_functions).
    type: str
  with_conditions:
    description:
      - With V(template_functions), also list the condition functions (RPC API 1.35); they show
        C(condition=true).
      - heat 27 adds the condition functions to that version's plain listing for the rest of the engine
        process's life once anybody asked with conditions; after that they show C(condition=false).
    type: bool
    default: false
  resource_type_filters:
    description: Which resource types V(resource_types) lists.
    type: dict
    suboptions:
      name:
        description: A regular expression the type name must match (RPC API 1.16), for example V(OS::Heat::.*).
        type: str
      support_status:
        description: Only types with this support status (RPC API 1.1).
        type: str
        choices: [UNKNOWN, SUPPORTED, DEPRECATED, UNSUPPORTED, HIDDEN]
      version:
        description:
          - Only types whose support status was set in this heat version (RPC API 1.16), for example V(5.0.0)
            with O(resource_type_filters.support_status=SUPPORTED) for the types added in heat 5.0.0.
        type: str
      with_description:
        description: Add each type's description (RPC API 1.30).
        type: bool
        default: false
  resource_type:
    description: The resource type for V(resource_schema) and V(generated_template), for example V(OS::Heat::Value).
    type: str
  with_description:
    description: With V(resource_schema), add the type's description (RPC API 1.30).
    type: bool
    default: false
  template_type:
    description: The format of V(generated_template) (V(hot) needs RPC API 1.9).
    type: str
    choices: [cfn, hot]
    default: cfn
'''

EXAMPLES = r'''
- name: Is the engine up, and which revision is it (connection from HEAT_RPC_* environment variables)
  heat_rpc.engine.heat_engine_info:
  register: engine

- name: Fail when no heat-engine service is up
  ansible.builtin.assert:
    that: engine.services | selectattr('status', 'equalto', 'up') | list | length > 0

- name: Supported OS::Heat types with descriptions, and the functions of a template version
  heat_rpc.engine.heat_engine_info:
    gather: [resource_types, template_functions]
    resource_type_filters:
      name: "OS::Heat::.*"
      support_status: SUPPORTED
      with_description: true
    template_version: "2021-04-16"
    with_conditions: true
  register: heat

- name: Schema of a resource type, and a HOT template that uses it
  heat_rpc.engine.heat_engine_info:
    gather: [resource_schema, generated_template]
    resource_type: OS::Heat::RandomString
    template_type: hot
  register: random_string
'''

RETURN = r'''
revision:
  description: The engine's revision (heat's C([revision] heat_revision) setting; V(unknown) by default).
  returned: when V(revision) is in O(gather)
  type: str
  sample: unknown
services:
  description:
    - The heat-engine services the engine knows, each with C(id), C(engine_id), C(binary), C(host),
      C(hostname), C(topic), C(report_interval), C(created_at), C(updated_at), C(deleted_at) and C(status)
      (V(up) when it reported within two report intervals, else V(down)).
  returned: when V(services) is in O(gather)
  type: list
  elements: dict
  sample: [{"binary": "heat-engine", "host": "engine-1", "status": "up", "topic": "engine"}]
template_versions:
  description: The template versions, each with C(version), C(type) (V(hot) or V(cfn)) and C(aliases).
  returned: when V(template_versions) is in O(gather)
  type: list
  elements: dict
  sample: [{"version": "heat_template_version.2021-04-16", "type": "hot", "aliases": ["heat_template_version.wallaby"]}]
template_functions:
  description: The functions of O(template_version), sorted by name, each with C(name), C(description) and C(condition).
  returned: when V(template_functions) is in O(gather)
  type: list
  elements: dict
  sample: [{"name": "get_param", "description": "A function for resolving parameter references.", "condition": false}]
resource_types:
  description: The resource types, sorted by name, each with C(name) and C(description) (null unless asked for).
  returned: when V(resource_types) is in O(gather)
  type: list
  elements: dict
  sample: [{"name": "OS::Heat::RandomString", "description": null}]
resource_schema:
  description: The schema of O(resource_type) - C(resource_type), C(properties), C(attributes), C(support_status)
    and, with O(with_description), C(description).
  returned: when V(resource_schema) is in O(gather)
  type: dict
generated_template:
  description: A template with one resource of O(resource_type), its properties as parameters and its
    attributes as outputs.
  returned: when V(generated_template) is in O(gather)
  type: dict
credentials_accepted:
  description:
    - V(true) or V(false) as the engine answers C(authenticated_to_backend), V(false) when it refuses the
      credentials, and null when the engine could not tell. heat 27 always fails inside this call
      (C(AttributeError), its clients object has no C(authenticated)), so with heat 27 this is null.
  returned: when V(credentials) is in O(gather)
  type: bool
credentials_explanation:
  description: Why RV(credentials_accepted) has its value, in one sentence.
  returned: when V(credentials) is in O(gather)
  type: str
'''

# First: the collection's code imported after this is compiled once and kept, not compiled again in every task.
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.code_cache import cache_compiled_code
cache_compiled_code()

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_engine_info import (
    GATHER_CHOICES, SUPPORT_STATUSES, EngineInfoRunner,
)

ARGUMENT_SPEC = dict(
    gather=dict(type='list', elements='str', choices=list(GATHER_CHOICES), default=['revision', 'services']),
    template_version=dict(type='str'),
    with_conditions=dict(type='bool', default=False),
    resource_type_filters=dict(type='dict', options=dict(
        name=dict(type='str'),
        support_status=dict(type='str', choices=list(SUPPORT_STATUSES)),
        version=dict(type='str'),
        with_description=dict(type='bool', default=False),
    )),
    resource_type=dict(type='str'),
    with_description=dict(type='bool', default=False),
    template_type=dict(type='str', choices=['cfn', 'hot'], default='cfn'),
)


def main():
    HeatRpcModule(argument_spec=ARGUMENT_SPEC).run(EngineInfoRunner)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: heat_template_validate
short_description: Validate a Heat template with heat-engine and describe its parameters
version_added: 0.1.0
description:
  - Reads a template (with its nested templates and C(get_file) files) and environments on the host the
    module runs on, checks them locally, and has heat-engine validate them over its RPC API (no heat-api,
    no Keystone).
  - Returns the engine's view of the template, its description, parameters (types, defaults, constraints,
    hidden flags), parameter groups and, with O(show_nested), the parameters of nested stacks.
  - An invalid template fails the task with the engine's message. The engine's own validation accepts some
    templates a create would refuse (a string for an integer property, a missing required parameter, a
    C(get_param) of an unknown parameter); O(strict=true) also runs the engine's stack preview, so that valid
    means "passes the engine's preview" (a create can still fail on the real resources).
  - Never changes anything; always returns RV(ignore:changed=false).
author:
  - heat_rpc.engine developers (@heat-rpc)
extends_documentation_fragment:
  - heat_rpc.engine.connection
  - heat_rpc.engine.connection.persistent
  - heat_rpc.engine.template
attributes:
  check_mode:
    support: full
    description: Validation changes nothing; it runs the same in check mode.
  diff_mode:
    support: none
    description: Reads only; there is nothing to diff.
options:
  parameters:
    description:
      - Parameter values, applied over the environments. The engine checks them against the parameters'
        constraints. Values of hidden parameters are masked in the result.
    type: dict
    default: {}
  show_nested:
    description:
      - Also validate nested stacks and return their parameters in RV(nested). Needs RPC API 1.18.
    type: bool
    default: false
  ignore_errors:
    description:
      - Engine error codes to ignore (the engine's C(ignorable_errors), RPC API 1.24), such as V(99001)
        (a resource type whose service is not available). An unknown code fails the task.
      - Not applied by the O(strict) preview.
    type: list
    elements: str
  strict:
    description:
      - Also run the engine's stack preview (C(preview_stack)), which makes every check a create makes
        (property types, required parameters, references) and creates nothing.
      - RV(preview_resources) then lists the resources a create would make.
    type: bool
    default: false
notes:
  - Problems found while reading the template fail before anything is sent to the engine, naming the file,
    and for YAML the line and column - invalid YAML or JSON, a document that is not a mapping, no template
    version key, a template or file larger than the engine's 512 KiB limit.
'''

EXAMPLES = r'''
- name: Validate a template with its environment (connection from HEAT_RPC_* environment variables)
  heat_rpc.engine.heat_template_validate:
    template: templates/web.yaml
    environment:
      - templates/env-prod.yaml
    parameters:
      image: fedora-41
  register: checked

- name: Show which parameters still need a value
  ansible.builtin.debug:
    msg: "{{ checked.missing_parameters }}"

- name: Fail unless a create of this template with these parameters would be accepted
  heat_rpc.engine.heat_template_validate:
    template_body:
      heat_template_version: 2018-08-31
      parameters:
        length: {type: number, constraints: [{range: {min: 4}}]}
      resources:
        secret: {type: OS::Heat::RandomString, properties: {length: {get_param: length}}}
    parameters:
      length: 16
    strict: true
'''

RETURN = r'''
valid:
  description: Always V(true) for a task that did not fail (an invalid template fails the task).
  returned: success
  type: bool
  sample: true
strict:
  description: Whether the stack preview was run as well (O(strict)).
  returned: success
  type: bool
description:
  description: The template's description (the engine says C(No description) when there is none).
  returned: success
  type: str
  sample: Web tier
parameters:
  description:
    - The template's parameters by name, as the engine sees them after applying the environments.
  returned: success
  type: dict
  sample: {"length": {"type": "number", "default": 8, "hidden": false, "required": false, "label": "length",
           "description": "", "constraints": {"min_value": 4}}}
  contains:
    type:
      description: V(string), V(number), V(comma_delimited_list), V(json) or V(boolean).
      type: str
    default:
      description: The default (from the template or a C(parameter_defaults) entry); absent when there is none.
      type: raw
    value:
      description: The value given in O(parameters) or an environment; C(******) for hidden parameters.
      type: raw
    hidden:
      description: Whether the parameter is hidden (C(hidden) in HOT, C(NoEcho) in CFN).
      type: bool
    required:
      description: Whether the parameter has no default.
      type: bool
    label:
      description: The parameter's label.
      type: str
    description:
      description: The parameter's description.
      type: str
    tags:
      description: The parameter's tags, when it has some.
      type: list
      elements: str
    constraints:
      description:
        - The parameter's constraints, with keys C(min_length), C(max_length), C(min_value), C(max_value),
          C(allowed_values), C(allowed_pattern), C(custom_constraint), C(step), C(offset) and C(description)
          (the constraints' descriptions joined).
      type: dict
parameter_groups:
  description: The template's parameter groups, each with C(label), C(description) and C(parameters).
  returned: success
  type: list
  elements: dict
missing_parameters:
  description: Names of parameters that have neither a default nor a value; a create would refuse them.
  returned: success
  type: list
  elements: str
nested:
  description:
    - The nested stacks by resource name, each with C(type), C(description), C(parameters),
      C(parameter_groups) and, deeper down, C(nested).
  returned: when O(show_nested=true) and the template has nested stacks
  type: dict
environment:
  description: The environment the engine validated with (hidden parameter values masked).
  returned: success
  type: dict
preview_resources:
  description:
    - The resources a create would make, with C(name), C(type), C(stack_name) and C(parent_resource).
    - The resources of a nested stack are listed with C(parent_resource) set to the resource in the parent
      template (which itself is not listed).
  returned: when O(strict=true)
  type: list
  elements: dict
raw:
  description: The engine's answer as it came (keys C(Description), C(Parameters), C(ParameterGroups),
    C(NestedParameters), C(Environment)), with hidden parameter values masked.
  returned: success
  type: dict
'''

# First: the collection's code imported after this is compiled once and kept, not compiled again in every task.
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.code_cache import cache_compiled_code
cache_compiled_code()

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.templates import template_argument_spec
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_template_validate import TemplateValidateRunner

ARGUMENT_SPEC = dict(
    template_argument_spec(),
    parameters=dict(type='dict', default={}),
    show_nested=dict(type='bool', default=False),
    ignore_errors=dict(type='list', elements='str'),
    strict=dict(type='bool', default=False),
)


def main():
    HeatRpcModule(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=[('template', 'template_body', 'template_url')],
        required_one_of=[('template', 'template_body', 'template_url')],
    ).run(TemplateValidateRunner)


if __name__ == '__main__':
    main()

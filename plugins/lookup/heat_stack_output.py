# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
name: heat_stack_output
short_description: Values of a Heat stack's outputs, straight from heat-engine
version_added: 0.1.0
description:
  - Returns the value of each output key given as a term, for the stack O(stack), read from heat-engine over
    its RPC API (no heat-api, no Keystone).
  - Each term is one C(show_output) call, which resolves that output only; the stack is not shown in full and
    its other outputs are not resolved.
  - An output the stack does not have, or one the engine cannot resolve, fails the lookup with a message
    naming it.
  - The connection options are those of the modules, with the same E(HEAT_RPC_*) environment variables when
    they are not given to the lookup.
author:
  - heat_rpc.engine developers (@heat-rpc)
extends_documentation_fragment:
  - heat_rpc.engine.connection
options:
  _terms:
    description: Output keys of the stack.
    type: list
    elements: str
    required: true
  stack:
    description: Name or id of the stack.
    type: str
    required: true
'''

EXAMPLES = r'''
- name: The URL the stack outputs (connection from HEAT_RPC_* environment variables)
  ansible.builtin.debug:
    msg: "{{ lookup('heat_rpc.engine.heat_stack_output', 'url', stack='web-tier') }}"

- name: Two outputs as a list, connection options given to the lookup
  ansible.builtin.set_fact:
    endpoints: "{{ query('heat_rpc.engine.heat_stack_output', 'url', 'admin_url', stack='web-tier',
                   transport_url=broker_url, project_id=project, username='demo', password=heat_password) }}"
'''

RETURN = r'''
_raw:
  description: The value of each output key, in the order of the terms (a value may be any type the output has).
  type: list
  elements: raw
'''

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import output_values
from ansible_collections.heat_rpc.engine.plugins.plugin_utils.engine import engine_client


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        stack = self.get_option('stack')
        keys = [str(term) for term in terms]
        if not keys:
            raise AnsibleError('heat_stack_output: give at least one output key')
        with engine_client(kwargs, 'heat_stack_output') as client:
            return output_values(client, stack, keys)

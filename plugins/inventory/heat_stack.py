# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
name: heat_stack
short_description: Hosts and groups from a Heat stack's outputs and resources, straight from heat-engine
version_added: 0.1.0
description:
  - Builds an inventory from one Heat stack, read from heat-engine over its RPC API (no heat-api, no Keystone).
  - Hosts and groups come from a stack output (O(hosts_output)) and/or from the stack's resources of given types
    (O(resources)), with the attributes you choose as host variables.
  - Every host gets C(heat_stack) (C(name), C(id), C(status)); a host made from a resource also gets
    C(heat_resource) (C(name), C(type), C(physical_id), C(status), C(status_reason), C(stack_name), C(stack_id))
    and C(heat_attributes) (the chosen attributes by name). Use O(compose), O(groups) and O(keyed_groups)
    on them, for example O(compose) C(ansible_host) from C(heat_attributes.first_address).
  - The inventory source is a YAML file whose name ends in C(heat_stack.yml) or C(heat_stack.yaml).
  - The connection options are those of the modules, with the same E(HEAT_RPC_*) environment variables when
    they are not set in the file.
author:
  - heat_rpc.engine developers (@heat-rpc)
extends_documentation_fragment:
  - heat_rpc.engine.connection
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; makes the file an inventory source of it.
    type: str
    required: true
    choices: [heat_rpc.engine.heat_stack]
  stack:
    description: Name or id of the stack.
    type: str
    required: true
  hosts_output:
    description:
      - Key of a stack output that lists hosts, in this shape - a mapping of group name to either a mapping of
        host name to the host's variables (a mapping, or null), or a list of host names; null is an empty group.
      - A host in several groups gets the variables of all of them merged.
      - The output is read with one C(show_output) call; the other outputs are not resolved.
    type: str
  resources:
    description:
      - Make a host of each resource of the stack of the given type.
    type: list
    elements: dict
    default: []
    suboptions:
      type:
        description: The resource type, matched exactly, for example V(OS::Nova::Server).
        type: str
        required: true
      attributes:
        description: Attributes of the resource to put into the host's C(heat_attributes) variable.
        type: list
        elements: str
        default: []
      group:
        description: Put these hosts into this group.
        type: str
      hostname_attribute:
        description: Name each host after this attribute of its resource (for example V(name)) instead of the
          resource name.
        type: str
      nested_depth:
        description: Also look for resources of the type in nested stacks down to this depth.
        type: int
        default: 0
notes:
  - Inventory caching (O(cache)) keeps what was read from the engine, so the engine is not asked again until
    O(cache_timeout) passes.
'''

EXAMPLES = r'''
# web.heat_stack.yml: hosts from the stack output "inventory", whose value is for example
#   {"web": {"web-0": {"ansible_host": "192.0.2.10"}, "web-1": {"ansible_host": "192.0.2.11"}},
#    "db": ["db-0"]}
plugin: heat_rpc.engine.heat_stack
stack: web-tier
hosts_output: inventory
keyed_groups:
  - key: heat_stack.status
    prefix: stack

# servers.heat_stack.yml: a host per Nova server of the stack and its nested stacks, cached for an hour
plugin: heat_rpc.engine.heat_stack
stack: web-tier
transport_url: "rabbit://heat:secret@broker.example.com:5672/heat"
project_id: 8a3f0f6e2a5b4b8e9d7c6b5a4f3e2d1c
resources:
  - type: OS::Nova::Server
    attributes: [first_address, name]
    hostname_attribute: name
    group: servers
    nested_depth: 2
compose:
  ansible_host: heat_attributes.first_address
groups:
  broken: heat_resource.status is not match('.*_COMPLETE')
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: /tmp/heat_inventory
cache_timeout: 3600
'''

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.inventory import (
    build_inventory, check_resource_rules, fetch_source,
)
from ansible_collections.heat_rpc.engine.plugins.plugin_utils.engine import engine_client


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'heat_rpc.engine.heat_stack'

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(('heat_stack.yml', 'heat_stack.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache=cache)
        given = self._read_config_data(path)
        stack = self.get_option('stack')
        hosts_output = self.get_option('hosts_output')
        rules = self.get_option('resources') or []
        try:
            check_resource_rules(rules)
        except errors.HeatRpcError as exc:
            raise AnsibleParserError('%s: %s' % (path, exc))
        if not hosts_output and not rules:
            raise AnsibleParserError('%s: set hosts_output or resources (or both); there is nothing to make hosts of' % path)

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        data = None
        if use_cache:
            try:
                data = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if data is None:
            with engine_client(given, "stack '%s'" % stack, AnsibleParserError) as client:
                data = fetch_source(client, stack, hosts_output, rules)
        if update_cache:
            self._cache[cache_key] = data
        self.populate(data, hosts_output, rules)

    def populate(self, data, hosts_output, rules):
        try:
            groups, hostvars = build_inventory(data, hosts_output, rules)
        except errors.HeatRpcError as exc:
            raise AnsibleParserError("stack '%s': %s" % (self.get_option('stack'), exc))
        strict = self.get_option('strict')
        # add_group may change a name that is not a valid group name: use the one it gives back.
        names = dict((group, self.inventory.add_group(group)) for group in groups)
        for host, variables in hostvars.items():
            self.inventory.add_host(host)
            for key, value in variables.items():
                self.inventory.set_variable(host, key, value)
        for group, hosts in groups.items():
            for host in hosts:
                self.inventory.add_child(names[group], host)
        for host, variables in hostvars.items():
            self._set_composite_vars(self.get_option('compose'), variables, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), variables, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, host, strict=strict)

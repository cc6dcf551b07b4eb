#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: heat_stack_info
short_description: List Heat stacks, show one with its outputs and details, or find which stack holds a resource
version_added: 0.1.0
description:
  - Lists the stacks of the request context's project (or of every project, O(all_projects)), with filters, tags, sorting and paging done for
    you, or counts them; or shows one stack by name or id with its outputs and, on request, its resources,
    events, template, environment, files and snapshots; or, given a physical resource id (a server, port or
    volume UUID, any resource's C(physical_resource_id)), finds the stack that holds that resource, its top
    stack and the resource's path from there (O(physical_resource_id)). Talks to heat-engine over its RPC API
    (no heat-api, no Keystone).
  - Listing asks the engine for one page of O(page_size) stacks per call (never one call per stack), so
    projects with tens of thousands of stacks can be listed.
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
      - Name or id of one stack to show, with its outputs.
      - A value that looks like a UUID is looked up as a stack id first, then as a name.
      - A stack that is not found (or is deleted) gives an empty RV(stacks) list, not a failure, unless
        O(fail_if_missing=true).
      - When neither this nor O(physical_resource_id) is set, the stacks of the project are listed (without
        outputs).
      - Mutually exclusive with O(physical_resource_id).
    type: str
    aliases: [stack, id]
  physical_resource_id:
    description:
      - Find which stack holds the resource whose physical id is this (a Nova server's, a Neutron port's or a
        Cinder volume's UUID, or any resource's C(physical_resource_id) as RV(stacks[].resources) shows it),
        and return it in RV(owner) - the resource, the stack that holds it (perhaps a nested stack), the top
        stack, and the resource's path from the top stack, such as V(group/0/server).
      - heat-engine's C(find_physical_resource) names only the stack that holds the resource directly; the
        module walks up from there through the nested stacks' parents to the top stack (two engine calls per
        level).
      - A physical id that no resource has (or one of a deleted stack) gives an empty RV(owner), not a failure,
        unless O(fail_if_missing=true). The engine looks among the stacks of the request context's project
        (O(project_id); every project's with O(is_admin=true)); a physical id held by resources of more than
        one stack fails with C(conflict).
      - Mutually exclusive with O(name); the listing options and O(include), O(resource_options) and
        O(event_options) do not apply. The stacks come without outputs.
    type: str
    aliases: [physical_id]
    version_added: 0.3.0
  resolve_outputs:
    description:
      - With O(name), resolve the values of the stack's outputs.
      - Set to V(false) to skip output resolution on big stacks; needs engine RPC API 1.20.
        Add V(outputs) to O(include) to still get the output keys and descriptions.
    type: bool
    default: true
  include:
    description:
      - With O(name), more about the stack, each as a key of the stack in RV(stacks).
      - V(resources) lists its resources (see O(resource_options)); V(events) its events (see O(event_options));
        V(template) the stored template; V(environment) the stored environment (hidden parameters masked,
        needs RPC API 1.28); V(files) the stored files (RPC API 1.32); V(snapshots) its snapshots.
      - V(outputs) with O(resolve_outputs=false) gives RV(stacks[].output_list) with keys and descriptions but
        no values (RPC API 1.19); with O(resolve_outputs=true) outputs are there anyway.
      - V(failures) gives RV(stacks[].failures), the failures report that C(openstack stack failures list --long)
        shows - every failed resource down through all nested stacks with its reason and, for a failed software
        deployment resource, the deployment's C(deploy_stdout), C(deploy_stderr) and C(deploy_status_code).
        A failed stack does not fail the task.
    type: list
    elements: str
    choices: [resources, events, template, environment, files, snapshots, outputs, failures]
    default: []
  resource_options:
    description: How resources are listed with O(include=[resources]).
    type: dict
    suboptions:
      nested_depth:
        description: How many levels of nested stacks to list resources of (V(0) is the stack's own resources).
        type: int
        default: 0
      detail:
        description: Add each resource's description, metadata and attributes (RPC API 1.12).
        type: bool
        default: false
      filters:
        description:
          - Engine filters on resources, keyed C(name), C(status), C(action), C(type) or C(physical_resource_id).
          - C(status) may be C(ACTION_STATUS) like V(CREATE_FAILED); C(type) matches a part of the type name.
            Needs RPC API 1.25.
        type: dict
  event_options:
    description: How events are listed with O(include=[events]).
    type: dict
    suboptions:
      limit:
        description: At most this many events. Not set means every event (fetched in pages of O(page_size)).
        type: int
      nested_depth:
        description: Also list events of nested stacks down to this depth (RPC API 1.31).
        type: int
        default: 0
      filters:
        description:
          - Exact-match filters on events; keys C(resource_name) (or C(name)), C(resource_action) (C(action)),
            C(resource_status) (C(status)), C(resource_type) (C(type)), C(physical_resource_id),
            C(resource_status_reason) (C(status_reason)). A list value matches any of its items.
        type: dict
      sort_dir:
        description: Order of events by time. V(desc) with O(event_options.limit) gives the newest events.
        type: str
        choices: [asc, desc]
        default: asc
  fail_if_missing:
    description:
      - With O(name), fail the task when the stack does not exist instead of returning an empty list.
      - With O(physical_resource_id), fail the task (C(not_found)) when no stack holds the resource instead of
        returning an empty RV(owner).
    type: bool
    default: false
  status:
    description:
      - List only stacks in one of these statuses, as C(ACTION_STATUS) (V(CREATE_COMPLETE), V(UPDATE_FAILED))
        or a bare status (V(COMPLETE), V(FAILED), V(IN_PROGRESS)).
      - As in heat-api, C(ACTION_STATUS) values are split into an action filter and a status filter, so
        V([CREATE_COMPLETE, UPDATE_FAILED]) also matches C(CREATE_FAILED) and C(UPDATE_COMPLETE).
    type: list
    elements: str
  action:
    description: List only stacks whose last action is one of these (V(CREATE), V(UPDATE), V(CHECK), ...).
    type: list
    elements: str
  filters:
    description:
      - More exact-match filters, merged with O(status) and O(action). Keys are the engine's stack fields
        C(name), C(id), C(action), C(status), C(status_reason), C(username), C(owner_id), C(parent_resource_name),
        C(timeout), C(disable_rollback), C(stack_user_project_id), or their API spellings (C(stack_name),
        C(stack_status), C(parent), C(stack_owner), ...). A list value matches any of its items.
    type: dict
    default: {}
  tags:
    description: List only stacks that have all of these tags.
    type: list
    elements: str
  tags_any:
    description: List only stacks that have at least one of these tags.
    type: list
    elements: str
  not_tags:
    description: Leave out stacks that have all of these tags.
    type: list
    elements: str
  not_tags_any:
    description: Leave out stacks that have at least one of these tags.
    type: list
    elements: str
  show_deleted:
    description: Also list deleted stacks the engine still keeps.
    type: bool
    default: false
  show_nested:
    description: Also list nested stacks.
    type: bool
    default: false
  show_hidden:
    description: Also list hidden stacks (those tagged with the engine's C(hidden_stack_tags)).
    type: bool
    default: false
  sort_keys:
    description: Sort the list by these fields. Not set means newest first.
    type: list
    elements: str
    choices: [name, status, creation_time, updated_time]
  sort_dir:
    description: Sort direction for O(sort_keys).
    type: str
    choices: [asc, desc]
  limit:
    description: Return at most this many stacks. Not set means all of them.
    type: int
  page_size:
    description:
      - How many stacks (or events) to ask the engine for in one call while paging.
    type: int
    default: 500
  count_only:
    description:
      - Only count the stacks that match (one C(count_stacks) call); RV(count) is set and RV(stacks) is empty.
    type: bool
    default: false
  all_projects:
    description:
      - List (or count) the stacks of every project, not only those of the request context's project
        (O(project_id)), as C(openstack stack list --all-projects) does. Each stack's project is in
        RV(stacks[].project_id).
      - Sent as C(tenant_safe=false) in C(list_stacks) and C(count_stacks); heat-engine then reads the stacks
        with its own admin context. heat-engine does B(not) check who asks - the admin-only policy
        C(stacks:global_index) is enforced by heat-api, which is not in the path - so anyone who can send to
        the engine's topic on the broker can list every project's stacks. Guard the broker credentials
        accordingly.
      - With the connection option O(is_admin=true) the engine does not scope listings to a project even
        without this option (its database query skips the project filter for admin contexts).
    type: bool
    default: false
  filter_project_id:
    description:
      - With O(all_projects=true), list only the stacks of these projects (ids; a list matches any), the
        engine's C(tenant) filter (C(openstack stack list --all-projects --filter tenant=ID)).
      - Not the connection option O(project_id), which says whose request this is. Without O(all_projects)
        the task fails, because the engine would only look among the stacks of O(project_id).
    type: list
    elements: str
notes:
  - Listing options (O(status), O(filters), O(tags), O(sort_keys), O(limit), O(count_only), ...) cannot be
    combined with O(name) or O(physical_resource_id); showing options (O(include), O(resource_options),
    O(event_options)) need O(name), and O(fail_if_missing) needs O(name) or O(physical_resource_id).
  - With O(name), the values that the stack's environment files give hidden parameters are masked in everything
    the task returns (one more C(get_files) call, and C(get_template) when the stack has files). A value given
    in C(parameters) when the stack was made is stored masked by the engine and cannot be known.
'''

EXAMPLES = r'''
- name: List every stack of the project
  heat_rpc.engine.heat_stack_info:
    transport_url: "rabbit://heat:{{ broker_password }}@broker.example.com:5672/heat"
    username: demo
    password: "{{ heat_password }}"
    project_id: 8a3f0f6e2a5b4b8e9d7c6b5a4f3e2d1c
  register: all_stacks

- name: Failed production stacks, oldest first (connection from HEAT_RPC_* environment variables)
  heat_rpc.engine.heat_stack_info:
    status: [FAILED]
    tags: [prod]
    sort_keys: [creation_time]
    sort_dir: asc
  register: failed

- name: The stacks of one project, seen from an operator's project (every project's stacks are readable)
  heat_rpc.engine.heat_stack_info:
    all_projects: true
    filter_project_id: [0c2d4e6f8a9b4c1d8e2f3a4b5c6d7e8f]
  register: tenant_stacks

- name: How many stacks are being created right now
  heat_rpc.engine.heat_stack_info:
    status: [CREATE_IN_PROGRESS]
    count_only: true
  register: creating

- name: Show one stack with its resources (two levels deep) and its last 20 events
  heat_rpc.engine.heat_stack_info:
    name: web-tier
    include: [resources, events, template]
    resource_options:
      nested_depth: 2
    event_options:
      limit: 20
      sort_dir: desc
    fail_if_missing: true
  register: web

- name: Why did the deployment fail? (failed resources in nested stacks, deploy_stdout and deploy_stderr)
  heat_rpc.engine.heat_stack_info:
    name: web-tier
    include: [failures]
  register: report

- name: Show where each failure started
  ansible.builtin.debug:
    msg: "{{ item.path }}: {{ item.status_reason }}; stderr: {{ (item.deployment or {}).deploy_stderr | default('-') }}"
  loop: "{{ report.stacks[0].failures | selectattr('root_cause') }}"

- name: Print the stack's status and an output
  ansible.builtin.debug:
    msg: "{{ web.stacks[0].status }} {{ web.stacks[0].outputs.url }}"

- name: Which stack owns this server?
  heat_rpc.engine.heat_stack_info:
    physical_resource_id: 3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f
  register: found

- name: Say where it is (nothing holds it when found.owner is empty)
  ansible.builtin.debug:
    msg: >-
      {{ found.owner.path }} in stack {{ found.owner.root_stack.name }}
      (directly in {{ found.owner.stack.name }}), {{ found.owner.resource.status }}
  when: found.owner
'''

RETURN = r'''
count:
  description: The number of matching stacks.
  returned: when O(count_only=true)
  type: int
  sample: 42
owner:
  description:
    - Which stack holds the resource of O(physical_resource_id); empty (V({})) when none does.
  returned: when O(physical_resource_id) is set
  type: dict
  contains:
    path:
      description:
        - The resource's path from the top stack, C(/) between levels - the names of the resources holding the
          nested stacks, then the resource's own name - as O(heat_rpc.engine.heat_stack_hook#module:resources) and
          RV(heat_rpc.engine.heat_stack#module:resource_changes) write them. Just the resource's name for a resource
          of a top stack.
      type: str
      sample: group/0/server
    resource:
      description:
        - The resource, with the keys of RV(stacks[].resources) and its C(description), C(metadata) and
          C(attributes).
      type: dict
      sample: {"name": "server", "type": "OS::Nova::Server", "status": "CREATE_COMPLETE",
               "physical_id": "3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "parent_resource": "0"}
    stack:
      description:
        - The stack that holds the resource directly (a nested stack, or the top stack itself), with the keys of
          RV(stacks) shown with O(name) but without outputs; its C(parent) is the id of the stack above (null for a
          top stack).
      type: dict
    root_stack:
      description:
        - The top stack (the one without a parent) above RV(owner.stack); the same as RV(owner.stack) for a
          resource of a top stack. The keys of RV(stacks) shown with O(name), without outputs.
      type: dict
stacks:
  description:
    - The stacks found. With O(name), a list of at most one stack, with outputs and parameters.
    - Empty with O(physical_resource_id) (see RV(owner)).
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
    project_id:
      description: The project the stack belongs to.
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
      description:
        - The outputs as a list with their descriptions and errors.
        - With O(resolve_outputs=false) and V(outputs) in O(include), only C(key) and C(description).
      type: list
      elements: dict
      returned: when O(name) is set and O(resolve_outputs=true), or V(outputs) is in O(include)
      sample: [{"key": "url", "value": "http://192.0.2.10/", "description": "Entry point", "error": null}]
    resources:
      description:
        - The stack's resources (and nested stacks' down to O(resource_options.nested_depth)).
        - Each has C(name), C(type), C(action), C(status) (C(ACTION_STATUS)), C(status_reason), C(physical_id),
          C(stack_name), C(stack_id), C(parent_resource), C(nested_stack_id), C(required_by), C(creation_time),
          C(updated_time), and with O(resource_options.detail) C(description), C(metadata), C(attributes).
      type: list
      elements: dict
      returned: when V(resources) is in O(include)
      sample: [{"name": "server", "type": "OS::Heat::Value", "status": "CREATE_COMPLETE", "physical_id": "abc"}]
    events:
      description:
        - The stack's events, each with C(id), C(time), C(resource_name), C(resource_type), C(action),
          C(status) (C(ACTION_STATUS)), C(status_reason), C(physical_id), C(stack_name), C(stack_id).
      type: list
      elements: dict
      returned: when V(events) is in O(include)
    template:
      description: The stack's stored template.
      type: dict
      returned: when V(template) is in O(include)
    environment:
      description: The stack's stored environment; hidden parameters show as C(******).
      type: dict
      returned: when V(environment) is in O(include)
    files:
      description:
        - The stack's stored files (nested templates, get_file contents, environment files) by name.
        - A value an environment file gives a hidden parameter shows as C(********), here and wherever else
          the engine quotes it (status reasons, events, output errors).
      type: dict
      returned: when V(files) is in O(include)
    failures:
      description:
        - The failures report (as C(openstack stack failures list --long)) - the failed resources of the stack and of
          all its nested stacks, empty when nothing failed.
        - Each has the keys of RV(stacks[].resources) plus C(path) (resource names from the top stack down, joined with
          C(.)), C(root_cause) (true when no resource of its own nested stack failed - where the failure started) and
          C(deployment).
        - C(deployment) is null except for a failed C(OS::Heat::SoftwareDeployment) or C(OS::Heat::StructuredDeployment)
          resource whose deployment is C(FAILED) - then the deployment's C(id), C(server_id), C(config_id), C(action),
          C(status), C(status_reason), C(updated_time) and its C(deploy_stdout), C(deploy_stderr) and
          C(deploy_status_code) output values.
      type: list
      elements: dict
      returned: when V(failures) is in O(include)
      sample:
        - name: config
          type: OS::Heat::SoftwareDeployment
          status: CREATE_FAILED
          status_reason: "Error: resources.config: Deployment to server failed: deploy_status_code : Deployment exited 2"
          path: app.config
          root_cause: true
          deployment:
            id: 0c1e2f4a-9b8d-4c3e-8f7a-6b5d4c3e2f1a
            status: FAILED
            deploy_stdout: "installing..."
            deploy_stderr: "E: package not found"
            deploy_status_code: 2
    snapshots:
      description: The stack's snapshots with C(id), C(name), C(action), C(status), C(status_reason),
        C(creation_time) and C(data).
      type: list
      elements: dict
      returned: when V(snapshots) is in O(include)
'''

# First: the collection's code imported after this is compiled once and kept, not compiled again in every task.
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.code_cache import cache_compiled_code
cache_compiled_code()

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack_info import INCLUDE_CHOICES, StackInfoRunner

ARGUMENT_SPEC = dict(
    name=dict(type='str', aliases=['stack', 'id']),
    physical_resource_id=dict(type='str', aliases=['physical_id']),
    resolve_outputs=dict(type='bool', default=True),
    include=dict(type='list', elements='str', choices=list(INCLUDE_CHOICES), default=[]),
    resource_options=dict(type='dict', options=dict(
        nested_depth=dict(type='int', default=0),
        detail=dict(type='bool', default=False),
        filters=dict(type='dict'),
    )),
    event_options=dict(type='dict', options=dict(
        limit=dict(type='int'),
        nested_depth=dict(type='int', default=0),
        filters=dict(type='dict'),
        sort_dir=dict(type='str', choices=['asc', 'desc'], default='asc'),
    )),
    fail_if_missing=dict(type='bool', default=False),
    status=dict(type='list', elements='str'),
    action=dict(type='list', elements='str'),
    filters=dict(type='dict', default={}),
    tags=dict(type='list', elements='str'),
    tags_any=dict(type='list', elements='str'),
    not_tags=dict(type='list', elements='str'),
    not_tags_any=dict(type='list', elements='str'),
    show_deleted=dict(type='bool', default=False),
    show_nested=dict(type='bool', default=False),
    show_hidden=dict(type='bool', default=False),
    sort_keys=dict(type='list', elements='str', choices=['name', 'status', 'creation_time', 'updated_time']),
    sort_dir=dict(type='str', choices=['asc', 'desc']),
    limit=dict(type='int'),
    page_size=dict(type='int', default=500),
    count_only=dict(type='bool', default=False),
    all_projects=dict(type='bool', default=False),
    filter_project_id=dict(type='list', elements='str'),
)


def main():
    HeatRpcModule(argument_spec=ARGUMENT_SPEC).run(StackInfoRunner)


if __name__ == '__main__':
    main()

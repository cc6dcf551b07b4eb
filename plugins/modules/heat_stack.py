#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: heat_stack
short_description: Create, update, suspend, adopt or delete a Heat stack, idempotently, straight through heat-engine
version_added: 0.1.0
description:
  - Manages one Heat stack by calling heat-engine over its RPC API (no heat-api, no Keystone).
  - O(state=present) compares the stack the engine has stored (template, files, environment, timeout,
    rollback, tags) with the one asked for. When they are equal no write is sent (only reads) and the task reports
    RV(ignore:changed=false); when they differ the engine's update preview tells which resources are added,
    updated, replaced or deleted (RV(resource_changes)), then the update runs.
  - The comparison does not depend on where the files were read from. File keys, the C(file://) keys of
    stacks created by version 0.1.0, and the registry entry the engine adds for each template-file resource
    type do not count; the template's shape, the contents of every file it reaches (nested templates
    followed) and the merged environment do. A file renamed with unchanged content is the same stack.
  - O(state=present) and O(state=suspended) need RPC API 1.32 (C(get_files)) to compare; under a lower
    O(api_version_cap) they fail before anything is sent, naming that version. O(state=absent) works down to
    1.0.
  - Success is judged on action and status together; C(ROLLBACK_COMPLETE) after a failed create or update is
    a failure. A failed task returns the failed resources with their reasons and the events of the action.
  - In check mode no write is sent. A create is previewed (C(preview_stack)), so invalid templates and
    parameters fail in check mode as they would for real; an update is previewed (C(preview_update_stack)).
  - Templates, nested templates, C(get_file) files and environment files are read on the host the module
    runs on (use C(delegate_to) to choose it), relative to the file that refers to them, as the heat CLI
    does.
author:
  - heat_rpc.engine developers (@heat-rpc)
extends_documentation_fragment:
  - heat_rpc.engine.connection
  - heat_rpc.engine.connection.persistent
  - heat_rpc.engine.template
attributes:
  check_mode:
    support: full
    description: Previews instead of writing; RV(ignore:changed) predicts the real run.
  diff_mode:
    support: full
    description:
      - Before and after of template, files, environment and settings; hidden parameters masked.
      - A unified diff of each file whose content changed (C(prepared)), values given for hidden parameters
        masked.
options:
  name:
    description:
      - Name of the stack, or the id of an existing stack.
      - A value that looks like a UUID is looked up as a stack id first, then as a name. A deleted stack
        (C(DELETE_COMPLETE)), which the engine still finds by id, counts as absent.
    type: str
    required: true
    aliases: [stack]
  state:
    description:
      - V(present) creates the stack or updates it to match. A C(*_FAILED) stack, and a stack whose create
        was rolled back, is updated even when its definition already matches, so that it is repaired; it
        is never recreated. A suspended stack is resumed first.
      - V(suspended) suspends the stack (creating it first when a template is given and it does not exist).
        The template of an existing suspended stack is not compared.
      - V(absent) deletes the stack and waits until it is gone.
      - V(adopted) creates the stack from O(adopt_data) with the resources it names (the same physical
        resources, their data such as a C(OS::Heat::RandomString) value kept), and waits for C(ADOPT_COMPLETE).
        The template, files and environment are those of the data; O(parameters) override its parameters, and
        O(timeout), O(rollback) and O(tags) apply (tags default to the data's). The template options,
        O(environment), O(parameter_defaults), O(existing), O(clear_parameters), O(converge), O(breakpoints) and
        O(until_hook) are refused.
      - With V(adopted), a stack that already exists under O(name) and holds every resource of the data with
        the same physical id (the adoption done before, updated since or not) is left alone,
        RV(ignore:changed=false). Any other stack of that name, or one in a C(*_FAILED) or
        C(ROLLBACK_COMPLETE) state, fails the task as a conflict naming the differing resources or the state;
        nothing is adopted twice. This holds for a stack another run makes under O(name) at the same moment
        too; a name that a just-deleted stack still holds is waited for, as for a create.
    type: str
    choices: [present, absent, suspended, adopted]
    default: present
  adopt_data:
    description:
      - With O(state=adopted), the abandon or export data of a stack - RV(heat_rpc.engine.heat_stack_action#module:data)
        of M(heat_rpc.engine.heat_stack_action) with O(heat_rpc.engine.heat_stack_action#module:action=abandon) or
        V(export), or what C(openstack stack abandon) writes - as a dict or as its JSON or YAML text (for
        example C(lookup('file', 'web.json'))).
      - Checked before anything is sent. It must be a mapping with a C(template) mapping and a C(resources) mapping
        in which each resource has a C(resource_id); C(environment) and C(files), when present, must be
        mappings. Errors name O(adopt_data) and the key.
      - The engine must allow adopting (C(enable_stack_adopt) in heat.conf); otherwise the task fails with
        C(not_supported) and nothing is created.
      - The data holds the resources' data (a C(OS::Heat::RandomString) value, for instance) in clear text;
        it is not masked in the task's arguments at C(-vvv).
    type: raw
  parameters:
    description:
      - Stack parameters, applied over the environments. Any name works, including V(timeout), V(files)
        or V(tags), because these are stack parameters, not module options.
      - The engine never returns the values of hidden parameters, so a change of a hidden value alone is not
        detected; change another setting or use O(converge) to push it.
    type: dict
    default: {}
  timeout:
    description:
      - Engine-side timeout of a create or update, in minutes. Not set means the engine's default on create
        and the stack's current value on update.
    type: int
  rollback:
    description:
      - Whether the engine rolls back a failed create or update. Not set means the engine's default (no
        rollback) on create and the stack's current setting on update.
    type: bool
  tags:
    description:
      - Stack tags. Not set keeps the stack's current tags.
    type: list
    elements: str
  existing:
    description:
      - Update with the engine's PATCH semantics. Parameters not given keep their stored values, and the
        stored template is used when no template is given.
      - The stack must exist; if it does not, the task fails with "not found".
    type: bool
    default: false
  clear_parameters:
    description:
      - With O(existing=true), stored parameters to drop so that they go back to their defaults.
    type: list
    elements: str
    default: []
  converge:
    description:
      - Update even when the definition matches, and have the engine check the real resources
        (its C(converge) flag). Always reports RV(ignore:changed=true).
    type: bool
    default: false
  wait:
    description:
      - Wait for the action to finish and judge its outcome. With V(false) the task returns once the engine
        has accepted the request.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the action (and for an action already in progress to end first). The engine
        carries on after this; the next run waits for it instead of starting a second action. An action
        whose heat-engine died (heat-engine never resumes it) ends the wait sooner, with C(error.kind)
        V(engine_dead) naming the ways out (see the README).
    type: int
    default: 1800
  breakpoints:
    description:
      - Breakpoints (hooks) to set, without writing them into an environment. Each is a resource pattern as
        M(heat_rpc.engine.heat_stack_hook) takes them - a top-level resource by name, a resource of a nested
        stack by its path (V(group/0), V(group/*)), shell-style wildcards at each level. They become the
        C(hooks) of the environment's C(resource_registry) C(resources) section, added to any given there.
      - Hooks are run-time control, not part of the stack, so the comparison that decides whether to update
        leaves out every hook (from here and from O(environment)) - adding breakpoints to a stack that matches
        does not update it, and a stack updated with breakpoints matches without them afterwards. When an update
        is sent, the breakpoints go with it (they apply to that update); an update sent without them removes the
        hooks the engine had stored.
      - A resource paused on a hook waits until M(heat_rpc.engine.heat_stack_hook) clears it (or the action's
        O(timeout) ends it). See O(until_hook).
    type: dict
    suboptions:
      pre_create:
        description: Resources that pause before they are created.
        type: list
        elements: str
        default: []
      pre_update:
        description: Resources that pause before they are updated (or replaced).
        type: list
        elements: str
        default: []
  until_hook:
    description:
      - With O(wait=true), end the wait of a create or update as soon as the stack pauses on a hook (anywhere,
        nested stacks included), returning the paused resources in RV(hooks), the stack still C(IN_PROGRESS).
        An action that ends without pausing is waited for and judged as usual, so a failure before any hook is
        reached still fails the task.
      - A stack with an action in progress (a run before this one returned at a hook, say) is followed until it
        pauses - then its hooks are returned, with RV(ignore:changed=false), and nothing is sent - or until the
        action ends, after which the task goes on as usual. Running the play again therefore picks up where it
        stopped. Clear hooks with M(heat_rpc.engine.heat_stack_hook).
    type: bool
    default: false
  protect:
    version_added: 0.3.0
    description:
      - Resources this task must never destroy, as patterns in the syntax of
        M(heat_rpc.engine.heat_stack_hook) (V(db), V(servers/*), V(group/0/leaf); each level a shell-style
        pattern, nested stacks included).
      - Before an update is sent, the engine's preview (down through nested stacks) is checked, and if it would
        B(replace) or B(delete) a matching resource (or one inside a nested stack it replaces or deletes), the
        task fails with C(error.kind) C(protected_resource), returns each such resource in RV(protected), and
        sends nothing. Check mode fails the same way, so a CI gate catches it. Updates in place are allowed.
      - When the preview cannot be made (a C(FAILED) stack, an engine or O(api_version_cap) that previews
        only the top stack) the update is refused too, since protection never guesses.
      - O(state=absent) is refused the same way while the stack holds a matching resource whose
        C(deletion_policy) is not V(Retain). To delete such a stack on purpose, run the task without the
        pattern (or give the resource the C(deletion_policy) V(Retain) first).
    type: list
    elements: str
    default: []
  snapshot_before:
    version_added: 0.3.0
    description:
      - When the engine's preview of an update shows a resource replaced or deleted (anywhere, nested stacks
        included), take a snapshot of the stack first (named C(<stack>-before-update-<UTC time>)), wait for
        it, and return it in RV(snapshot); no snapshot when the update changes resources in place only. A
        snapshot that fails stops the task before the update is sent, with the snapshot's reason.
      - M(heat_rpc.engine.heat_snapshot) O(heat_rpc.engine.heat_snapshot#module:state=restored) undoes the
        update with it. The snapshot's template and parameters come back, and so do the values that come from
        them. A resource the update replaced is created anew, with a new physical id, and a generated value
        (an C(OS::Heat::RandomString)'s, say) is generated anew.
      - heat-engine deletes a stack's snapshots with the stack, so a snapshot cannot guard a delete, and with
        O(state=absent) this option is refused before anything is sent (use O(protect) and check mode's
        RV(blast_radius)). Needs O(wait=true).
    type: bool
    default: false
  approved_plan:
    version_added: 0.3.0
    description:
      - The RV(plan) a check-mode run of this task returned, approved for applying. The plan is made again
        just before the first write and the task goes on only if it is the same; otherwise it fails with
        C(error.kind) C(plan_changed), saying what moved (the stack changed since, what the task asks for
        changed, or the engine's preview differs), and sends nothing.
      - A plan covers the stored stack as found (id, state, updated time, template, files, environment,
        settings), everything the task asks for (hidden parameter values included) and the engine's preview.
        Its id is keyed with the connection's credentials (broker password, RPC password, application
        credential secret), so it changes when a secret changes, yet no one without those credentials can
        test a guess of a secret against it.
      - With O(state=present) and O(state=absent) only. In check mode, given, it is compared the same way.
    type: str
  max_events:
    version_added: 0.3.0
    description:
      - With O(wait=true), the task returns the events of the action it ran (RV(events)), on success as on
        failure; at most this many, the newest. V(0) returns none on success.
    type: int
    default: 100
  allow_uuid_name:
    description:
      - A O(name) that looks like a UUID is looked up as a stack id first, then as a name. When no stack has
        it, creating (or adopting, O(state=adopted)) a stack named like an id is refused unless this is V(true),
        because such a name is usually a mistyped id or the id of another project's stack.
    type: bool
    default: false
notes:
  - The engine's template size limit (512 KiB) is enforced for the template and each file before anything is sent.
  - If the engine does not answer a create in time the outcome is unknown; the module then looks the stack up
    by name and carries on with it when it exists, and never sends a second create.
  - Two runs updating one stack at the same time never both report success with different definitions. The run
    whose template or parameters are no longer stored when its update ends fails.
  - Two runs creating the same new stack at the same moment can both pass heat-engine's name check. Each run
    then checks for a twin; the run whose stack is the newer one deletes its own copy (with a warning and
    RV(twin_deleted)) and converges the other, so one stack remains.
  - O(state=absent) does not wait for a create or update in progress. It cancels it (the stack ends FAILED),
    then deletes the stack, with a warning and RV(cancelled). This also frees a stack left in progress by a
    heat-engine that stopped, which heat-engine never resumes.
'''

EXAMPLES = r'''
- name: Create or update a stack from a template file with an environment
  heat_rpc.engine.heat_stack:
    name: web-tier
    template: templates/web.yaml
    environment:
      - templates/env-prod.yaml
      - parameter_defaults:
          flavor: m1.small
    parameters:
      image: fedora-41
      timeout: 30          # a stack parameter called "timeout" is fine: it lives in "parameters"
    timeout: 20            # the engine-side timeout of the action, in minutes
    rollback: true
    tags: [web, prod]
  register: web

- name: Use an output of the stack
  ansible.builtin.debug:
    msg: "{{ web.stack.outputs.url }}"

- name: From a role's files/, on a control-plane host that has none of them (they travel with the task)
  heat_rpc.engine.heat_stack:
    name: web-tier
    template: web.yaml     # roles/<role>/files/web.yaml, with its nested templates and get_file files
  delegate_to: "{{ groups['controllers'][0] }}"

- name: A template written as Jinja, rendered with the play's variables first
  heat_rpc.engine.heat_stack:
    name: ports
    template: ports.yaml.j2   # roles/<role>/templates/ports.yaml.j2 loops over a play variable
    render: template

- name: Change one parameter, keep every other stored value (PATCH update)
  heat_rpc.engine.heat_stack:
    name: web-tier
    existing: true
    parameters:
      image: fedora-42

- name: Inline template, previewed in check mode
  heat_rpc.engine.heat_stack:
    name: demo
    template_body:
      heat_template_version: "2018-08-31"
      resources:
        password:
          type: OS::Heat::RandomString
          properties: {length: 16}
      outputs:
        password: {value: {get_attr: [password, value]}}
  check_mode: true

- name: Take a stack out of Heat without touching its resources
  heat_rpc.engine.heat_stack_action:
    stack: legacy-app
    action: abandon
  register: abandoned

- name: Adopt those resources into a new stack (a second run reports changed=false)
  heat_rpc.engine.heat_stack:
    name: legacy-app
    state: adopted
    adopt_data: "{{ abandoned.data }}"

- name: Update, pausing before each member of a resource group; return at the first pause
  heat_rpc.engine.heat_stack:
    name: web-tier
    template: templates/web.yaml
    breakpoints:
      pre_update: ["servers/*"]
    until_hook: true
  register: update

- name: Suspend it, then delete it
  heat_rpc.engine.heat_stack:
    name: demo
    state: "{{ item }}"
  loop: [suspended, absent]
'''

RETURN = r'''
stack:
  description: The stack after the task (null once deleted). In check mode of a create, only its name.
  returned: always
  type: dict
  contains:
    id:
      description: Stack id.
      type: str
    name:
      description: Stack name.
      type: str
    identity:
      description: The engine's identity of the stack.
      type: dict
    action:
      description: Last action, such as CREATE or UPDATE.
      type: str
      sample: UPDATE
    status:
      description: Action and status together.
      type: str
      sample: UPDATE_COMPLETE
    status_reason:
      description: The engine's reason for the status.
      type: str
    description:
      description: Template description.
      type: str
    creation_time:
      description: ISO 8601 creation time.
      type: str
    updated_time:
      description: ISO 8601 time of the last update.
      type: str
    deletion_time:
      description: ISO 8601 deletion time.
      type: str
    tags:
      description: Stack tags.
      type: list
      elements: str
    parent:
      description: Parent stack id of a nested stack.
      type: str
    owner:
      description: User that owns the stack.
      type: str
    project_id:
      description: The project the stack belongs to.
      type: str
    parameters:
      description: Parameters; hidden ones show as C(******).
      type: dict
    timeout_mins:
      description: Engine-side timeout in minutes.
      type: int
    disable_rollback:
      description: Whether rollback is disabled.
      type: bool
    outputs:
      description: Output values by key.
      type: dict
      sample: {"url": "http://192.0.2.10/"}
    output_list:
      description: Outputs with descriptions and errors.
      type: list
      elements: dict
resource_changes:
  description:
    - What the update changed (or, in check mode, would change), from the engine's update preview, as
      resource names by kind. For a create or an adopt, every resource is C(added) in check mode and null
      for real.
    - Resources of nested stacks are included, named by their path (V(group/0/server)).
  returned: when the stack is created, adopted or updated
  type: dict
  contains:
    added:
      description: Resources added.
      type: list
      elements: str
    updated:
      description: Resources updated in place.
      type: list
      elements: str
    replaced:
      description: Resources replaced.
      type: list
      elements: str
    deleted:
      description: Resources deleted.
      type: list
      elements: str
    unchanged:
      description: Resources left as they are.
      type: list
      elements: str
differences:
  description:
    - What differed between the stored and the desired stack (V(template), V(files), V(parameters),
      V(parameter_defaults), V(resource_registry), V(event_sinks), V(timeout), V(rollback), V(tags)); empty
      when nothing did.
  returned: when the stack existed
  type: list
  elements: str
  sample: [parameters]
twin_deleted:
  description: The id of this run's own stack, deleted because another run created a twin at the same moment.
  returned: when it happened
  type: str
cancelled:
  description: The state of the action in progress that O(state=absent) cancelled before deleting.
  returned: when it happened
  type: str
  sample: CREATE_IN_PROGRESS
resumed:
  description: True when a suspended stack was resumed for O(state=present).
  returned: when it happened
  type: bool
failed_resources:
  description: Resources in a C(*_FAILED) state (down to nested stacks), with their reasons.
  returned: on failure
  type: list
  elements: dict
  sample: [{"name": "server", "type": "OS::Nova::Server", "status": "CREATE_FAILED", "status_reason": "..."}]
events:
  description:
    - The events of the action the task ran, oldest first, in the shape of M(heat_rpc.engine.heat_stack_info)'s
      events.
    - On success they reach down through nested stacks, each with C(path) (the resource's path, V(group/0/leaf);
      a stack's own event has its stack's path, V('') for this stack), the newest O(max_events) of them. On
      failure, the events of this stack's failed action.
  returned: when the task ran a create, update, resume, suspend or adopt and waited for it, or on failure
  type: list
  elements: dict
  sample: [{"time": "2026-12-04T12:00:01Z", "resource_name": "leaf", "path": "group/0/leaf",
            "resource_type": "OS::Heat::RandomString", "action": "CREATE", "status": "CREATE_COMPLETE",
            "status_reason": "state changed", "physical_id": "...", "stack_name": "web-group-0-x", "stack_id": "..."}]
hooks:
  description:
    - With O(until_hook=true), the hooks the stack paused on (as M(heat_rpc.engine.heat_stack_hook) returns
      them); empty when the action ended without pausing, or when nothing was sent.
  returned: when O(until_hook=true)
  type: list
  elements: dict
  sample: [{"resource": "0", "path": "group/0", "hook": "pre-update", "action": "UPDATE", "stack_name": "web-group-x"}]
plan:
  description:
    - The id of what the task would do (or did), to approve and pass back as O(approved_plan). Opaque.
  returned: in check mode with O(state=present) or O(state=absent)
  type: str
  sample: hp1-3f0c9a1e2b4d5f60-9a8b7c6d5e4f3a2b-0011223344556677
plan_summary:
  description: The plan in one sentence, for whoever approves it.
  returned: in check mode with O(state=present) or O(state=absent)
  type: str
  sample: "update stack web (parameters differ): updated app; replaced db"
snapshot:
  description:
    - The snapshot O(snapshot_before) took before the update, as M(heat_rpc.engine.heat_snapshot) returns it
      (C(id), C(name), C(status), ...). In check mode, C(id) is null and C(name) the one it would have.
  returned: when O(snapshot_before=true) and the update replaces or deletes a resource
  type: dict
  sample: {"id": "0e5f...", "name": "web-before-update-20261204T130000Z", "status": "SNAPSHOT_COMPLETE"}
protected:
  description:
    - The protected resources (O(protect)) the update or delete would have destroyed; nothing was sent.
    - Each has C(path), C(type), C(physical_id) (null for a resource not created yet) and C(change)
      (V(replace) or V(delete)).
  returned: when O(protect) refused the task
  type: list
  elements: dict
  sample: [{"path": "db", "type": "OS::Cinder::Volume", "physical_id": "5b4f...", "change": "replace"}]
blast_radius:
  description:
    - Every resource a delete of the stack removes, down through nested stacks, by path, with C(type),
      C(physical_id), C(deletion_policy) (V(Delete), V(Retain) or V(Snapshot)) and C(kept) (true when the
      policy keeps the resource, or a snapshot of it).
  returned: in check mode with O(state=absent) on a stack that exists, and when O(protect) refused a delete
  type: list
  elements: dict
  sample: [{"path": "group/0/volume", "type": "OS::Cinder::Volume", "physical_id": "5b4f...",
            "deletion_policy": "Retain", "kept": true}]
preview_error:
  description: Why the update preview failed (the update was still attempted; it happens for FAILED stacks).
  returned: when the preview failed outside check mode
  type: str
'''

# First: the collection's code imported after this is compiled once and kept, not compiled again in every task.
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.code_cache import cache_compiled_code
cache_compiled_code()

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.module import HeatRpcModule
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack import StackRunner
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.templates import template_argument_spec

ARGUMENT_SPEC = dict(
    template_argument_spec(),
    name=dict(type='str', required=True, aliases=['stack']),
    state=dict(type='str', default='present', choices=['present', 'absent', 'suspended', 'adopted']),
    adopt_data=dict(type='raw'),
    parameters=dict(type='dict', default={}),
    timeout=dict(type='int'),
    rollback=dict(type='bool'),
    tags=dict(type='list', elements='str'),
    existing=dict(type='bool', default=False),
    clear_parameters=dict(type='list', elements='str', default=[]),
    converge=dict(type='bool', default=False),
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='int', default=1800),
    allow_uuid_name=dict(type='bool', default=False),
    breakpoints=dict(type='dict', options=dict(
        pre_create=dict(type='list', elements='str', default=[]),
        pre_update=dict(type='list', elements='str', default=[]),
    )),
    until_hook=dict(type='bool', default=False),
    protect=dict(type='list', elements='str', default=[]),
    max_events=dict(type='int', default=100),
    snapshot_before=dict(type='bool', default=False),
    approved_plan=dict(type='str'),
)


def main():
    HeatRpcModule(argument_spec=ARGUMENT_SPEC,
                  mutually_exclusive=[('template', 'template_body', 'template_url')],
                  required_if=[('state', 'adopted', ['adopt_data'])]).run(StackRunner)


if __name__ == '__main__':
    main()

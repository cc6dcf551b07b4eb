# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The stack planner: what heat_stack asks for, what the engine has, and what follows from the two.

Nothing here talks to the engine. The desired stack is loaded once (one template, one files map,
one environment as sent plus the environment the engine will store); the stored stack is what the
engine answered. From those two the planner decides what differs, whether an update is due, what the
update sends, what ``--diff`` shows and whether another run overtook this one. The runner
(``_runners/heat_stack.py``) only reads, asks the planner, writes, waits and shapes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import json

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.definitions import COMPARED_SECTIONS, Definition
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.hooks import with_breakpoints
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import HIDDEN_MASK, flatten_preview, mask_hidden
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import is_deleted, resource_path
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.templates import load_stack_inputs

CHANGE_KINDS = ('added', 'updated', 'replaced', 'deleted', 'unchanged')
# Differences in the stack's settings: an update that another run overtook may differ in these alone.
SETTING_DIFFERENCES = ('timeout', 'rollback', 'tags')


def stack_settings(params):
    """The stack settings given (create/update args): timeout, rollback, tags."""
    args = {}
    if params.get('timeout') is not None:
        args['timeout_mins'] = params['timeout']
    if params.get('rollback') is not None:
        args['disable_rollback'] = not params['rollback']
    if params.get('tags') is not None:
        args['tags'] = list(params['tags'])
    return args


def json_copy(value):
    """``value`` as the engine will store it (JSON), so that JSON is compared with JSON."""
    return json.loads(json.dumps(value)) if value is not None else None


class DesiredStack:
    """What the playbook asks for, loaded and checked once before any RPC.

    ``inputs`` (templates.StackInputs) is the one definition: ``template`` and ``files`` are compared
    and sent as they are; ``environment`` is the environment the engine will store (compared, shown),
    while ``inputs.sent()`` is what is sent to make it.
    """

    def __init__(self, name, inputs, settings):
        self.name = name
        self.inputs = inputs
        self.settings = settings

    @classmethod
    def from_params(cls, params, loader):
        inputs = load_stack_inputs(loader, params, require_template=False)
        if params.get('breakpoints'):
            # Sent with the environment (either form), never compared: see definitions.Definition.
            inputs.environment = with_breakpoints(inputs.environment, params['breakpoints'])
            inputs.merged = with_breakpoints(inputs.merged, params['breakpoints'])
        inputs.template = json_copy(inputs.template)
        inputs.merged = json_copy(inputs.merged)
        return cls(params['name'], inputs, stack_settings(params))

    @property
    def template(self):
        return self.inputs.template

    @property
    def files(self):
        return self.inputs.files

    @property
    def environment(self):
        return self.inputs.merged

    @property
    def hidden(self):
        return self.inputs.hidden

    @property
    def secrets(self):
        return self.inputs.secrets


class StoredStack:
    """What the engine has for a stack: the raw stack plus its template, files and environment."""

    def __init__(self, raw, template, files, environment):
        self.raw = raw
        self.template = template
        self.files = files
        self.environment = environment

    @property
    def identity(self):
        return self.raw['stack_identity']

    @property
    def settings(self):
        raw = self.raw
        return {'timeout_mins': raw.get('timeout_mins'), 'disable_rollback': raw.get('disable_rollback'),
                'tags': raw.get('tags') or []}


# -- what differs ------------------------------------------------------------------------------------------

def differences(desired, stored):
    """Names of what differs between the desired and the stored stack (empty: nothing to do).

    Compared in the location-independent form of definitions.Definition: keys of ``files``, where
    the files were read from and the engine's registry self-mappings do not count; contents do.
    Hidden parameters are stored masked by the engine, so a change of a hidden value alone cannot be
    seen; such parameters are compared for presence only.
    """
    changed = []
    wanted = Definition(desired.template, desired.environment, desired.files)
    have = Definition(stored.template, stored.environment, stored.files)
    if desired.template is not None and wanted.template != have.template:
        changed.append('template')
    if wanted.file_digests != have.file_digests:
        changed.append('files')
    for name in desired.hidden:
        if name in wanted.environment['parameters'] and have.environment['parameters'].get(name) == HIDDEN_MASK:
            wanted.environment['parameters'][name] = HIDDEN_MASK
    for section in COMPARED_SECTIONS:
        if wanted.environment[section] != have.environment[section]:
            changed.append(section)
    return changed + setting_differences(desired.settings, stored.raw)


def setting_differences(settings, raw):
    """The given stack settings that differ from the stack's own."""
    changed = []
    if 'timeout_mins' in settings and settings['timeout_mins'] != raw.get('timeout_mins'):
        changed.append('timeout')
    if 'disable_rollback' in settings and settings['disable_rollback'] != raw.get('disable_rollback'):
        changed.append('rollback')
    if 'tags' in settings and settings['tags'] != (raw.get('tags') or []):
        changed.append('tags')
    return changed


def patch_differences(desired, stored, clear_parameters):
    """With existing: true, only what is given is compared: parameters over the stored ones, cleared ones."""
    changed = []
    have = (stored.environment or {}).get('parameters') or {}
    for key, value in desired.environment['parameters'].items():
        if key in desired.hidden or have.get(key) == HIDDEN_MASK:
            continue
        if have.get(key) != value:
            changed.append('parameters')
            break
    if any(name in have for name in clear_parameters or []):
        changed.append('clear_parameters')
    if desired.template is not None and desired.template != stored.template:
        changed.append('template')
    return changed + setting_differences(desired.settings, stored.raw)


def overtaken(desired, stored):
    """What of this run's definition is not stored after its update: another run updated the stack meanwhile."""
    return [name for name in differences(desired, stored) if name not in SETTING_DIFFERENCES]


def cancellable(raw):
    """A create or update in progress: state=absent cancels it rather than wait for it."""
    return (raw is not None and raw.get('stack_status') == 'IN_PROGRESS'
            and raw.get('stack_action') in ('CREATE', 'UPDATE'))


def needs_repair(raw):
    """A stack that must be updated even when its definition already matches.

    Any *_FAILED stack, and one whose create was rolled back (ROLLBACK_COMPLETE, never updated: its
    resources are gone).
    """
    if raw.get('stack_status') == 'FAILED':
        return True
    return (raw.get('stack_action'), raw.get('stack_status')) == ('ROLLBACK', 'COMPLETE') and not raw.get('updated_time')


def surviving_twin(listed, name):
    """Of the live stacks named ``name`` in ``listed``, the one that stays when a create made twins; None without twins.

    heat-engine's name check is not atomic: two runs creating one name at once can both succeed. Every
    run applies this one rule (the oldest stack, then the lowest id, stays), so exactly one deletes its own.
    """
    twins = [raw for raw in listed if raw.get('stack_name') == name and not is_deleted(raw)]
    if len(twins) < 2:
        return None
    return min(twins, key=lambda raw: (raw.get('creation_time') or '', raw['stack_identity']['stack_id']))


def update_started(before, now):
    """Whether the stack read ``now`` shows an update that was not there ``before`` (an update whose answer was lost)."""
    return now is not None and (now.get('updated_time') != before.get('updated_time')
                                or now.get('stack_status') == 'IN_PROGRESS')


# -- the plan for an existing stack ------------------------------------------------------------------------

class StackPlan:
    """What heat_stack does to an existing stack: decided once from the desired and the stored stack.

    ``differences`` names what differs; ``update`` says whether an update is sent (differences, a
    stack to repair, or converge); ``template`` and ``args`` are what the update sends (with the
    environment and files of ``desired.sent``).
    """

    def __init__(self, desired, stored, existing=False, clear_parameters=None, converge=False):
        self.desired = desired
        self.stored = stored
        if existing:
            self.differences = patch_differences(desired, stored, clear_parameters)
        else:
            self.differences = differences(desired, stored)
        self.update = bool(self.differences) or needs_repair(stored.raw) or bool(converge)
        self.template = update_template(desired, stored, existing)
        self.args = update_args(desired, stored, existing, clear_parameters, converge)

    def diff(self):
        return stack_diff(self.desired, self.stored)


def update_template(desired, stored, existing):
    """The template an update sends: the desired one; else none with existing (the engine keeps its own), else the stored one."""
    if desired.template is not None:
        return desired.template
    return None if existing else stored.template


def update_args(desired, stored, existing, clear_parameters, converge):
    """The args an update sends: the settings given, the stack's tags kept, and how the update is made."""
    args = dict(desired.settings)
    # A full update clears tags that are not sent: keep the stack's own unless tags were given.
    args.setdefault('tags', list(stored.raw.get('tags') or []))
    if existing:
        args['existing'] = True
        if clear_parameters:
            args['clear_parameters'] = list(clear_parameters)
    if converge:
        args['converge'] = True
    return args


def preview_args(args):
    """An update's args asking the engine's preview to go down through nested stacks."""
    return dict(args, show_nested=True)


# -- what the engine's previews say ------------------------------------------------------------------------

def summarise_changes(preview):
    """preview_update_stack's answer -> {kind: [resource paths]}; a nested stack's resources as parent/name."""
    entries = [entry for kind in CHANGE_KINDS for entry in preview.get(kind, [])]
    parents = dict(((item.get('nested_stack_id') or {}).get('stack_id'), item) for item in entries
                   if (item.get('nested_stack_id') or {}).get('stack_id'))
    return dict((kind, sorted(set(resource_path(entry, parents) for entry in preview.get(kind, []))))
                for kind in CHANGE_KINDS)


def created_changes(preview):
    """preview_stack's answer (a create or adopt) -> {kind: [resource names]}: every resource ``added``."""
    changes = dict((kind, []) for kind in CHANGE_KINDS)
    changes['added'] = sorted(item.get('resource_name') for item in flatten_preview(preview.get('resources')))
    return changes


# -- what --diff shows -------------------------------------------------------------------------------------

def normalise_environment(environment, files=None):
    """The compared sections of an environment, without the engine's self-mappings (for display)."""
    return Definition(None, environment, files).environment


def described(desired):
    """The desired stack as --diff shows it (hidden values masked)."""
    environment = normalise_environment(desired.environment)
    environment['parameters'] = mask_hidden(environment['parameters'], desired.hidden)
    return {'template': desired.template, 'files': sorted(desired.files), 'environment': environment,
            'settings': desired.settings}


def stack_diff(desired, stored):
    """--diff of an update: before and after, and a unified diff of the files that changed."""
    before_env = normalise_environment(stored.environment)
    before_env['parameters'] = mask_hidden(before_env['parameters'], desired.hidden)
    before = {'template': stored.template, 'files': sorted(stored.files or {}), 'environment': before_env,
              'settings': stored.settings}
    after = described(desired)
    if desired.template is None:
        after['template'] = stored.template
    after['settings'] = dict(before['settings'], **desired.settings)
    diff = {'before': before, 'after': after}
    changed_files = files_diff(stored.files or {}, desired.files, desired.secrets)
    if changed_files:
        diff['prepared'] = changed_files
    return diff


def matching_key(key, keys):
    """The key among ``keys`` for the same file as ``key``: equal, or an absolute URL ending with it."""
    if key in keys:
        return key
    tail = '/' + '/'.join(part for part in key.split('/') if part not in ('..', '.'))
    candidates = [other for other in keys if other.endswith(tail)]
    return candidates[0] if len(candidates) == 1 else None


def files_diff(before, after, secrets):
    """A unified diff of each file whose content changed, was added or removed; secrets masked."""
    def masked(text):
        for secret in secrets:
            text = text.replace(secret, HIDDEN_MASK)
        return text.splitlines(True)

    chunks = []
    matched = set()
    for key in sorted(after):
        old_key = matching_key(key, before)
        matched.add(old_key)
        old_text = before.get(old_key, '') if old_key else ''
        if old_text != after[key]:
            chunks.extend(difflib.unified_diff(masked(old_text), masked(after[key]),
                                               'before: %s' % (old_key or '(none)'), 'after: %s' % key))
    for key in sorted(set(before) - matched):
        chunks.extend(difflib.unified_diff(masked(before[key]), [], 'before: %s' % key, 'after: (none)'))
    return ''.join(chunk if chunk.endswith('\n') else chunk + '\n' for chunk in chunks)

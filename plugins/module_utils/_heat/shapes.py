# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One shaper per thing the modules return: the engine's dicts in the form every module uses.

Each field has one spelling in every module: ``status`` of a stack, resource, event or snapshot is
``ACTION_STATUS`` with ``action`` beside it, a resource's physical id is ``physical_id``, an id taken
from an identity dict is a plain string. Software deployments keep the engine's own ``action`` and
``status`` (``COMPLETE``), because heat_software_deployment takes that status as an option.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

HIDDEN_MASK = '******'


def combined_status(action, status):
    """``ACTION_STATUS`` (CREATE_COMPLETE); either part alone when the other is missing."""
    return '%s_%s' % (action, status) if action and status else (action or status or '')


def stack_state(raw):
    """``ACTION_STATUS`` of a raw stack dict."""
    return combined_status(raw.get('stack_action'), raw.get('stack_status'))


def stack_id_of(identity):
    """The stack id of a stack identity (None for none)."""
    return (identity or {}).get('stack_id')


def shape_outputs(raw_outputs):
    """Engine output list -> (dict of key -> value, list of {key, value, description, error})."""
    values = {}
    listing = []
    for output in raw_outputs or []:
        key = output.get('output_key')
        values[key] = output.get('output_value')
        listing.append({
            'key': key,
            'value': output.get('output_value'),
            'description': output.get('description'),
            'error': output.get('output_error'),
        })
    return values, listing


def shape_stack(raw):
    """A stack, as show_stack or list_stacks gives it."""
    identity = raw.get('stack_identity') or {}
    shaped = {
        'id': identity.get('stack_id'),
        'name': raw.get('stack_name'),
        'identity': identity,
        'action': raw.get('stack_action') or '',
        'status': stack_state(raw),
        'status_reason': raw.get('stack_status_reason'),
        'description': raw.get('description'),
        'creation_time': raw.get('creation_time'),
        'updated_time': raw.get('updated_time'),
        'deletion_time': raw.get('deletion_time'),
        'tags': raw.get('tags') or [],
        'parent': raw.get('parent'),
        'owner': raw.get('stack_owner'),
        'project_id': identity.get('tenant'),
    }
    if 'parameters' in raw:
        # The engine already shows hidden parameters as '******'.
        shaped['parameters'] = raw.get('parameters') or {}
        shaped['timeout_mins'] = raw.get('timeout_mins')
        shaped['disable_rollback'] = raw.get('disable_rollback')
    if 'outputs' in raw:
        shaped['outputs'], shaped['output_list'] = shape_outputs(raw.get('outputs'))
    return shaped


def _resource_state(raw):
    """What resources and their events share: state, physical id, the stack they are in."""
    return {
        'action': raw.get('resource_action'),
        'status': combined_status(raw.get('resource_action'), raw.get('resource_status')),
        'status_reason': raw.get('resource_status_reason'),
        'physical_id': raw.get('physical_resource_id') or None,
        'stack_name': raw.get('stack_name'),
        'stack_id': stack_id_of(raw.get('stack_identity')),
    }


def shape_resource(raw):
    """A resource, as list_stack_resources or describe_stack_resource gives it."""
    shaped = _resource_state(raw)
    shaped.update({
        'name': raw.get('resource_name'),
        'type': raw.get('resource_type'),
        'parent_resource': raw.get('parent_resource'),
        'nested_stack_id': stack_id_of(raw.get('nested_stack_id')),
        'required_by': raw.get('required_by') or [],
        'creation_time': raw.get('creation_time'),
        'updated_time': raw.get('updated_time'),
    })
    for key in ('description', 'metadata', 'attributes', 'properties'):
        if key in raw:
            shaped[key] = raw[key]
    return shaped


def shape_owner(raw_resource, raw_stack, raw_root, path):
    """Which stack holds a physical resource: the resource, the stack that holds it, the top stack, the path.

    ``path`` is the resource's path from the top stack (``group/0/server``), as heat_stack_hook's patterns
    and heat_stack's resource_changes write it; ``raw_stack`` is ``raw_root`` for a resource of a top stack.
    """
    return {
        'path': path,
        'resource': shape_resource(raw_resource),
        'stack': shape_stack(raw_stack),
        'root_stack': shape_stack(raw_root),
    }


def event_id(raw):
    path = (raw.get('event_identity') or {}).get('path') or ''
    return path.rstrip('/').rsplit('/', 1)[-1] or None


def shape_event(raw):
    """An event, as list_events gives it."""
    shaped = _resource_state(raw)
    shaped.update({
        'id': event_id(raw),
        'time': raw.get('event_time'),
        'resource_name': raw.get('resource_name'),
        'resource_type': raw.get('resource_type'),
    })
    return shaped


def shape_hook(raw_event, path, action, hook):
    """A hook a resource is paused on, from the event that recorded the pause."""
    return {
        'resource': raw_event.get('resource_name'),
        'path': path,
        'hook': hook,
        'action': action,
        'resource_type': raw_event.get('resource_type'),
        'stack_name': raw_event.get('stack_name'),
        'stack_id': stack_id_of(raw_event.get('stack_identity')),
        'stack_identity': raw_event.get('stack_identity') or {},
        'time': raw_event.get('event_time'),
    }


def shape_snapshot(raw, include_data=True):
    """A snapshot, as show_snapshot or stack_list_snapshots gives it; {} for none."""
    if not raw:
        return {}
    shaped = {
        'id': raw.get('id'),
        'name': raw.get('name'),
        'action': raw.get('action'),
        'status': combined_status(raw.get('action'), raw.get('status')),
        'status_reason': raw.get('status_reason'),
        'creation_time': raw.get('creation_time'),
    }
    if include_data:
        shaped['data'] = raw.get('data')
    return shaped


CONFIG_FIELDS = ('id', 'name', 'group', 'creation_time', 'config', 'inputs', 'outputs', 'options', 'project')


def shape_config(raw):
    """A software config: the fields of CONFIG_FIELDS that ``raw`` has, in that order; {} for none.

    A listing has id, name, group and creation_time (and project for an admin); a config shown in full adds
    config, inputs, outputs and options (in heat-engine's normal form); a predicted one has no id.
    """
    if not raw:
        return {}
    return dict((key, raw[key]) for key in CONFIG_FIELDS if key in raw)


def shape_deployment(raw):
    """A software deployment (the engine's dict, with every key present); None for none."""
    if raw is None:
        return None
    return {
        'id': raw.get('id'),
        'server_id': raw.get('server_id'),
        'config_id': raw.get('config_id'),
        'input_values': raw.get('input_values') or {},
        'output_values': raw.get('output_values') or {},
        'action': raw.get('action'),
        'status': raw.get('status'),
        'status_reason': raw.get('status_reason'),
        'creation_time': raw.get('creation_time'),
        'updated_time': raw.get('updated_time'),
    }


def mask_hidden(parameters, hidden):
    """``parameters`` with the values of the ``hidden`` ones replaced by the engine's mask."""
    return dict((key, HIDDEN_MASK if key in hidden else value) for key, value in (parameters or {}).items())


def flatten_preview(resources):
    """preview_stack's resources as one list: it nests a nested stack's resources in a list of their own."""
    flat = []
    for item in resources or []:
        if isinstance(item, list):
            flat.extend(flatten_preview(item))
        elif isinstance(item, dict):
            flat.append(item)
    return flat


def shape_preview_resource(raw):
    """A resource of preview_stack (a resource that would be created)."""
    return {'name': raw.get('resource_name'), 'type': raw.get('resource_type'),
            'stack_name': raw.get('stack_name'), 'parent_resource': raw.get('parent_resource')}

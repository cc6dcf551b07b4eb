# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_stack state=adopted: the abandon/export data checked, what is sent, and whether an existing stack is the adoption.

The engine takes ``adopt_stack_data`` in create_stack's args (as JSON text; it parses it itself). The
template, files and environment come from the data, as heat-api takes them; ``parameters`` given to the
task win over the data's parameters, as the engine does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import stack_state
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.documents import (
    TemplateError, hidden_parameters, parse_document, secret_values,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.templates import StackInputs

# heat_stack options that define a stack some other way: with state=adopted the data is the definition. An adopt
# creates no resource, so no create or update hook can pause it: breakpoints and until_hook do not apply.
NOT_WITH_ADOPT = ('template', 'template_body', 'template_url', 'template_base_dir', 'environment',
                  'parameter_defaults', 'existing', 'clear_parameters', 'converge', 'breakpoints', 'until_hook')


def refuse_other_definitions(params):
    """state=adopted takes its template, files and environment from adopt_data only."""
    used = [name for name in NOT_WITH_ADOPT if params.get(name) not in (None, False, [], {})]
    if used:
        raise errors.ConfigurationError(
            'state=adopted takes the template, files and environment from adopt_data; remove %s' % ', '.join(used))


def load_adopt_data(value):
    """``adopt_data`` (a dict, or its JSON or YAML text) checked as the engine needs it; errors name the option."""
    if value is None or value == '' or value == {}:
        raise errors.ConfigurationError('state=adopted needs adopt_data: the data that heat_stack_action '
                                        'action=abandon or action=export returns')
    if isinstance(value, str):
        try:
            value = parse_document(value, 'text', what='adopt_data')
        except TemplateError as exc:
            raise errors.ConfigurationError(str(exc))
    if not isinstance(value, dict):
        raise errors.ConfigurationError('adopt_data must be a mapping (the data of heat_stack_action '
                                        'action=abandon or export), not %s' % type(value).__name__)
    # The engine stores JSON: work on a JSON copy, so what is compared and sent is what it will see.
    data = json.loads(json.dumps(value))
    for key in ('template', 'resources'):
        if not isinstance(data.get(key), dict):
            raise errors.ConfigurationError('adopt_data.%s must be a mapping, not %s' % (
                key, 'missing' if data.get(key) is None else type(data[key]).__name__))
    for key in ('environment', 'files'):
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise errors.ConfigurationError('adopt_data.%s must be a mapping, not %s' % (key, type(data[key]).__name__))
    for name, resource in sorted(data['resources'].items()):
        if not isinstance(resource, dict):
            raise errors.ConfigurationError('adopt_data.resources.%s must be a mapping, not %s'
                                            % (name, type(resource).__name__))
        # The engine's adopt of a resource fails without one ("Resource ID was not provided").
        if not resource.get('resource_id'):
            raise errors.ConfigurationError('adopt_data.resources.%s has no resource_id: there is nothing to adopt '
                                            'for it (was it created before the stack was abandoned?)' % name)
    return data


def adoption_inputs(data, parameters):
    """The StackInputs of an adoption: the data's template, files and environment, ``parameters`` over its own."""
    template = data['template']
    files = dict(data.get('files') or {})
    environment = copy.deepcopy(data.get('environment') or {})
    environment['parameters'] = dict(environment.get('parameters') or {}, **copy.deepcopy(parameters or {}))
    hidden = hidden_parameters(template, files)
    return StackInputs(template, files, environment, None, environment, hidden=hidden,
                       secrets=secret_values(hidden, environment))


def adoption_args(data, settings):
    """create_stack's args: the task's settings (tags default to the data's) and the data as JSON text."""
    args = dict(settings)
    if 'tags' not in args and data.get('tags'):
        args['tags'] = list(data['tags'])
    args['adopt_stack_data'] = json.dumps(data)
    return args


def adoption_conflict(raw, resources, data):
    """None when the existing stack ``raw`` is the adoption of ``data`` (nothing to do), else why it is not.

    It is when each resource of the data is there under its name with the same physical id (whatever
    the stack did since: an update keeps them), and the stack is not FAILED or rolled back.
    """
    held = dict((item.get('resource_name'), item.get('physical_resource_id')) for item in resources or [])
    differing = ['%s (%s here, %s in adopt_data)' % (name, held.get(name) or 'missing', entry['resource_id'])
                 for name, entry in sorted(data['resources'].items()) if held.get(name) != entry['resource_id']]
    if differing:
        return 'it does not hold the resources of adopt_data: %s' % ', '.join(differing)
    if raw.get('stack_status') == 'FAILED' or stack_state(raw) == 'ROLLBACK_COMPLETE':
        return 'it holds the resources of adopt_data but is %s' % stack_state(raw)
    return None

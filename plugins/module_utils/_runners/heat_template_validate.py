# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_template_validate: the engine's answer to validate_template made strict and readable.

heat-engine's validate_template answers some invalid templates with a normal
result that holds ``{"Error": ...}``, and accepts values preview_stack
refuses (a string for an integer property, a missing required parameter, a
get_param of an unknown parameter). ``TemplateValidator`` turns the embedded
error into a ValidationFailedError and, in strict mode, also previews the
stack so that "valid" means "would create".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.base import Runner, sent_inputs
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import (
    HIDDEN_MASK, flatten_preview, mask_hidden, shape_preview_resource,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.templates import (
    ansible_template_loader, check_template_options, load_stack_inputs,
)

# The stack name the strict preview uses (previews create nothing).
PREVIEW_STACK_NAME = 'heat-rpc-validate'

# The engine's parameter keys (heat.rpc.api VALIDATE_PARAM_KEYS) -> snake_case.
PARAMETER_KEYS = {
    'Type': 'type',
    'Default': 'default',
    'Value': 'value',
    'Description': 'description',
    'Label': 'label',
    'Tags': 'tags',
}
CONSTRAINT_KEYS = {
    'MinLength': 'min_length',
    'MaxLength': 'max_length',
    'MinValue': 'min_value',
    'MaxValue': 'max_value',
    'AllowedValues': 'allowed_values',
    'AllowedPattern': 'allowed_pattern',
    'CustomConstraint': 'custom_constraint',
    'Step': 'step',
    'Offset': 'offset',
    'ConstraintDescription': 'description',
}
# The engine's type names -> the HOT spelling used in templates.
PARAMETER_TYPES = {
    'String': 'string',
    'Number': 'number',
    'CommaDelimitedList': 'comma_delimited_list',
    'Json': 'json',
    'Boolean': 'boolean',
}


def is_hidden(schema):
    return isinstance(schema, dict) and str(schema.get('NoEcho')).lower() == 'true'


def hidden_names(level):
    """Names of the hidden parameters of a level of the engine's answer and of its nested stacks."""
    names = set(name for name, schema in (level.get('Parameters') or {}).items() if is_hidden(schema))
    for nested in (level.get('NestedParameters') or {}).values():
        if isinstance(nested, dict):
            names |= hidden_names(nested)
    return names


def mask_raw(raw):
    """The engine's answer with the values given for hidden parameters masked (nested stacks too)."""
    masked = copy.deepcopy(raw)
    _mask_level(masked)
    environment = masked.get('Environment')
    hidden = hidden_names(masked)
    if isinstance(environment, dict):
        for section in ('parameters', 'parameter_defaults'):
            if isinstance(environment.get(section), dict):
                environment[section] = mask_hidden(environment[section], hidden)
    return masked


def _mask_level(level):
    for schema in (level.get('Parameters') or {}).values():
        if is_hidden(schema) and 'Value' in schema:
            schema['Value'] = HIDDEN_MASK
    for nested in (level.get('NestedParameters') or {}).values():
        if isinstance(nested, dict):
            _mask_level(nested)


def shape_parameter(schema):
    shaped = {'hidden': is_hidden(schema), 'constraints': {}}
    for key, value in schema.items():
        if key in PARAMETER_KEYS:
            shaped[PARAMETER_KEYS[key]] = value
        elif key in CONSTRAINT_KEYS:
            shaped['constraints'][CONSTRAINT_KEYS[key]] = value
    shaped['type'] = PARAMETER_TYPES.get(shaped.get('type'), shaped.get('type'))
    shaped['required'] = 'default' not in shaped
    return shaped


def shape_groups(groups):
    return [{'label': group.get('label'), 'description': group.get('description'),
             'parameters': group.get('parameters') or []} for group in groups or []]


def shape_level(level):
    """Parameters, groups and nested stacks of one level of the (masked) engine answer."""
    shaped = {
        'description': level.get('Description'),
        'parameters': dict((name, shape_parameter(schema))
                           for name, schema in (level.get('Parameters') or {}).items()),
        'parameter_groups': shape_groups(level.get('ParameterGroups')),
    }
    nested = level.get('NestedParameters')
    if nested:
        shaped['nested'] = dict((name, dict(shape_level(item), type=item.get('Type')))
                                for name, item in nested.items())
    return shaped


def missing_parameters(parameters):
    """Parameters with neither a default nor a given value (preview and create would refuse them)."""
    return sorted(name for name, schema in parameters.items() if 'default' not in schema and 'value' not in schema)


class TemplateValidator:
    """Runs validate_template (and, strict, preview_stack) and shapes the outcome."""

    def __init__(self, client):
        self.client = client

    def validate(self, inputs, show_nested=False, ignore_errors=None):
        environment, files, environment_files = sent_inputs(self.client, inputs, 'validate_template')
        raw = self.client.validate_template(None, inputs.template, params=environment, files=files,
                                            show_nested=show_nested, environment_files=environment_files,
                                            ignorable_errors=ignore_errors or None)
        if not isinstance(raw, dict):
            # heat answers a bad ignorable_errors code with the repr of a webob HTTPBadRequest.
            hint = ''
            if ignore_errors:
                hint = '; ignore_errors has a code this engine does not know (%s)' % ', '.join(ignore_errors)
            raise errors.ValidationFailedError('heat-engine refused the validation request: %s%s' % (raw, hint),
                                               method='validate_template')
        if 'Error' in raw:
            raise errors.ValidationFailedError('the template is invalid: %s' % raw['Error'],
                                               method='validate_template', remote_name='StackValidationFailed')
        return raw

    def preview(self, inputs):
        """preview_stack: every check create_stack makes, creating nothing. Raises on any problem."""
        environment, files, environment_files = sent_inputs(self.client, inputs, 'preview_stack')
        return self.client.preview_stack(None, PREVIEW_STACK_NAME, inputs.template, environment, files, {},
                                         environment_files=environment_files)

    def run(self, inputs, show_nested=False, ignore_errors=None, strict=False):
        raw = self.validate(inputs, show_nested=show_nested, ignore_errors=ignore_errors)
        masked = mask_raw(raw)
        result = shape_level(masked)
        result['missing_parameters'] = missing_parameters(result['parameters'])
        result['environment'] = masked.get('Environment')
        result['raw'] = masked
        result['valid'] = True
        result['strict'] = bool(strict)
        if strict:
            preview = self.preview(inputs)
            result['preview_resources'] = [shape_preview_resource(raw) for raw in flatten_preview(preview.get('resources'))]
        return result


def check_options(params):
    """Refuse a template_body that is neither a dict nor text, and error codes that are not numbers."""
    check_template_options(params)
    bad = [code for code in params['ignore_errors'] or [] if not code.isdigit()]
    if bad:
        raise errors.ConfigurationError('ignore_errors must hold numeric engine error codes such as 99001, not %s'
                                        % ', '.join(bad))


class TemplateValidateRunner(Runner):
    """Reads the template and its environments, then has the engine validate (and, strict, preview) them."""

    def perform(self):
        params = self.params
        check_options(params)
        inputs = load_stack_inputs(ansible_template_loader(), params)
        # Engine messages can quote a hidden value (a failed conversion, say): mask it everywhere.
        self.module.add_secrets(inputs.secrets)
        result = TemplateValidator(self.client).run(inputs, show_nested=params['show_nested'],
                                                    ignore_errors=params['ignore_errors'], strict=params['strict'])
        result['changed'] = False
        return result

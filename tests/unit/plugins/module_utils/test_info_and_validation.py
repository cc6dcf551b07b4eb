# -*- coding: utf-8 -*-
"""Validation result shaping, without an engine."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.validate_runner import (
    flatten_preview, mask_raw, missing_parameters, shape_level,
)


RAW = {
    'Description': 'd',
    'Parameters': {
        'pw': {'Type': 'String', 'NoEcho': 'true', 'Value': 'secret', 'Label': 'pw', 'Description': ''},
        'n': {'Type': 'Number', 'NoEcho': 'false', 'Default': 3, 'MinValue': 1, 'AllowedValues': [1, 3],
              'ConstraintDescription': 'small', 'Label': 'n', 'Description': 'a number'},
        'l': {'Type': 'CommaDelimitedList', 'NoEcho': 'false', 'Label': 'l', 'Description': ''},
    },
    'ParameterGroups': [{'label': 'g', 'parameters': ['n']}],
    'NestedParameters': {'child': {'Type': 'c.yaml', 'Description': 'c', 'Parameters': {
        'deep': {'Type': 'String', 'NoEcho': 'true', 'Value': 'deep-secret', 'Label': 'deep', 'Description': ''}}}},
    'Environment': {'parameters': {'pw': 'secret'}, 'parameter_defaults': {'deep': 'deep-secret', 'n': 3}},
}


def test_validation_answer_is_masked_and_shaped():
    masked = mask_raw(RAW)
    assert 'secret' not in repr(masked).replace('******', '')
    assert RAW['Parameters']['pw']['Value'] == 'secret'  # the engine's answer itself is left alone
    assert masked['Environment'] == {'parameters': {'pw': '******'}, 'parameter_defaults': {'deep': '******', 'n': 3}}
    shaped = shape_level(masked)
    assert shaped['parameters']['n'] == {
        'type': 'number', 'default': 3, 'hidden': False, 'required': False, 'label': 'n', 'description': 'a number',
        'constraints': {'min_value': 1, 'allowed_values': [1, 3], 'description': 'small'}}
    assert shaped['parameters']['pw']['hidden'] is True and shaped['parameters']['pw']['value'] == '******'
    assert shaped['parameter_groups'] == [{'label': 'g', 'description': None, 'parameters': ['n']}]
    assert shaped['nested']['child']['type'] == 'c.yaml'
    assert shaped['nested']['child']['parameters']['deep']['value'] == '******'
    assert missing_parameters(shaped['parameters']) == ['l']


def test_preview_resources_are_flattened():
    preview = [[{'resource_name': 'inner', 'resource_type': 'T', 'stack_name': 's-child', 'parent_resource': 'child'}],
               {'resource_name': 'top', 'resource_type': 'U', 'stack_name': 's'}]
    assert flatten_preview(preview) == [
        {'name': 'inner', 'type': 'T', 'stack_name': 's-child', 'parent_resource': 'child'},
        {'name': 'top', 'type': 'U', 'stack_name': 's', 'parent_resource': None}]

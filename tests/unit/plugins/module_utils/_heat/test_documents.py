# -*- coding: utf-8 -*-
"""One document: JSON before YAML, the alias bound, and the parameters a template declares hidden."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.documents import (
    TemplateError, hidden_parameters, parameter_types, parse_document, secret_values,
)

from yaml_samples import alias_bomb


def test_json_is_read_first():
    assert parse_document('{"heat_template_version": "2018-08-31"}', 'x') == {'heat_template_version': '2018-08-31'}


@pytest.mark.parametrize('levels,refused', [(3, False), (5, False), (6, True), (9, True)])
def test_yaml_aliases_that_expand_past_the_bound_are_refused_in_bounded_time(levels, refused):
    text = alias_bomb(levels)
    if refused:
        with pytest.raises(TemplateError) as caught:
            parse_document(text, 'bomb.yaml')
        assert 'bomb.yaml uses YAML aliases that expand to more than 200000 nodes' in str(caught.value)
        assert caught.value.kind == 'template_error'
    else:
        document = parse_document(text, 'bomb.yaml')
        assert len(document['a%d' % (levels - 1)]) == 10


def test_shared_anchors_that_stay_small_are_read_as_written():
    text = 'heat_template_version: 2018-08-31\nbase: &base {a: 1, b: [1, 2]}\nx: *base\ny: *base\n'
    document = parse_document(text, 't')
    assert document['x'] == document['y'] == {'a': 1, 'b': [1, 2]}


CHILD_WITH_HIDDEN = 'heat_template_version: 2018-08-31\nparameters:\n  inner: {type: string, hidden: true}\n'


@pytest.mark.parametrize('template,files,expected', [
    ({'parameters': {'p': {'type': 'string', 'hidden': True}, 'q': {'type': 'string'}}}, None, ['p']),
    ({'parameters': {'p': {'type': 'string', 'hidden': False}}}, None, []),
    ({'parameters': {'p': {'type': 'string', 'hidden': 'yes'}}}, None, []),
    ({'Parameters': {'p': {'Type': 'String', 'NoEcho': 'true'}}}, None, ['p']),
    ({'Parameters': {'p': {'Type': 'String', 'NoEcho': True}}}, None, ['p']),
    ({'Parameters': {'p': {'Type': 'String', 'NoEcho': 'false'}}}, None, []),
    ({'parameters': {'p': 'not a schema'}}, None, []),
    ({}, {'child.yaml': CHILD_WITH_HIDDEN}, ['inner']),
    ({}, {'env.yaml': 'parameters:\n  inner: x\n'}, []),
    ({}, {'script.sh': '#!/bin/sh\n'}, []),
])
def test_hidden_parameters_of_the_template_and_the_templates_among_files(template, files, expected):
    assert hidden_parameters(template, files) == expected


@pytest.mark.parametrize('environment,expected', [
    ({'parameters': {'p': 's3cret', 'q': 'shown'}}, ['s3cret']),
    ({'parameter_defaults': {'p': 's3cret'}}, ['s3cret']),
    ({'parameters': {'p': 'one'}, 'parameter_defaults': {'p': 'two'}}, ['one', 'two']),
    ({'parameters': {'p': {'k': 1}}}, ['{"k": 1}']),
    ({'parameters': {'p': 42}}, ['42']),
    ({'parameters': {'p': ''}}, []),
    ({'parameters': {'p': None}}, []),
    ({'resource_registry': {'p': 'x'}}, []),
])
def test_secret_values_are_the_text_of_every_value_given_a_hidden_parameter(environment, expected):
    assert secret_values(['p'], environment) == expected


def test_the_root_template_declares_a_parameter_type_over_a_nested_one():
    files = {'child.yaml': 'heat_template_version: 2018-08-31\nparameters:\n  p: {type: json}\n  c: {type: number}\n'}
    template = {'heat_template_version': '2018-08-31', 'parameters': {'p': {'type': 'comma_delimited_list'}, 'n': {}}}
    assert parameter_types(template, files) == {'p': 'comma_delimited_list', 'c': 'number', 'n': 'string'}

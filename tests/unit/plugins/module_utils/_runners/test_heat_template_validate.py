# -*- coding: utf-8 -*-
"""TemplateValidateRunner decisions (heat_template_validate), run on a scripted client, and the answer's shaping."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import (
    HIDDEN_MASK, flatten_preview, shape_preview_resource,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_template_validate import (
    PREVIEW_STACK_NAME, TemplateValidateRunner, mask_raw, missing_parameters, shape_level,
)
from ansible_collections.heat_rpc.engine.plugins.modules.heat_template_validate import ARGUMENT_SPEC

from runner_doubles import FakeModule, ScriptedClient, params_for, run_runner

TEMPLATE = {'heat_template_version': '2021-04-16',
            'parameters': {'size': {'type': 'number', 'default': 1}},
            'resources': {'r': {'type': 'OS::Heat::None'}}}
ANSWER = {'Description': 'No description', 'Parameters': {
    'size': {'Type': 'Number', 'NoEcho': 'false', 'Default': 1, 'Label': 'size', 'Description': ''}}}


def run(answers=None, **given):
    given.setdefault('template_body', TEMPLATE)
    answers = dict({'validate_template': ANSWER}, **(answers or {}))
    return run_runner(TemplateValidateRunner, ARGUMENT_SPEC, answers, **given)


# -- option checks: refused before anything is sent ----------------------------------------------------------

@pytest.mark.parametrize('given,message', [
    (dict(template_body=['heat_template_version', 'x']), 'template_body must be a dict or a YAML/JSON string, not list'),
    (dict(template_body=42), 'template_body must be a dict or a YAML/JSON string, not int'),
    (dict(ignore_errors=['abc']), 'ignore_errors must hold numeric engine error codes such as 99001, not abc'),
    (dict(ignore_errors=['99001', 'E1', '-3']),
     'ignore_errors must hold numeric engine error codes such as 99001, not E1, -3'),
    (dict(template_body=json.dumps(TEMPLATE)), None),
    (dict(template_body=TEMPLATE, ignore_errors=['99001', '2']), None),
    (dict(ignore_errors=[]), None),
])
def test_option_checks(given, message):
    result, client = run(**given)
    if message is None:
        assert isinstance(result, dict) and result['valid'] is True, result
        assert client.methods() == ['validate_template']
    else:
        assert isinstance(result, errors.ConfigurationError) and str(result) == message
        assert client.calls == []


def test_a_template_file_is_read_before_anything_is_sent(tmp_path):
    path = tmp_path / 'main.yaml'
    path.write_text(json.dumps(TEMPLATE))
    result, client = run(template_body=None, template=str(path))
    assert result['valid'] is True
    assert client.calls[0][1][0] == TEMPLATE
    missing, client = run(template_body=None, template=str(tmp_path / 'none.yaml'))
    assert isinstance(missing, errors.ValidationFailedError) and missing.kind == 'template_error'
    assert client.calls == []


# -- the engine's answer --------------------------------------------------------------------------------------

PREVIEW = {'resources': [{'resource_name': 'r', 'resource_type': 'OS::Heat::None', 'stack_name': PREVIEW_STACK_NAME},
                         [{'resource_name': 'inner', 'resource_type': 'T', 'stack_name': 'child',
                           'parent_resource': 'nested'}]]}


@pytest.mark.parametrize('answer,strict,preview,methods,outcome', [
    (ANSWER, False, PREVIEW, ['validate_template'], None),
    # Strict: valid means preview_stack (what create checks) accepts it too.
    (ANSWER, True, PREVIEW, ['validate_template', 'preview_stack'], ['r', 'inner']),
    (ANSWER, True, errors.ValidationFailedError('Property error: resources.r.properties.value: wrong'),
     ['validate_template', 'preview_stack'], 'Property error: resources.r.properties.value: wrong'),
    # An invalid template comes back as a normal answer holding Error: that is a failure, and nothing follows.
    ({'Error': 'Unknown resource Type : OS::No::Such'}, False, PREVIEW, ['validate_template'],
     'the template is invalid: Unknown resource Type : OS::No::Such'),
    ({'Error': 'Unknown resource Type : OS::No::Such'}, True, PREVIEW, ['validate_template'],
     'the template is invalid: Unknown resource Type : OS::No::Such'),
    # heat answers a bad ignorable_errors code with the text of an HTTP error.
    ('<HTTPBadRequest at 0x1 400 Bad Request>', False, PREVIEW, ['validate_template'],
     'heat-engine refused the validation request: <HTTPBadRequest at 0x1 400 Bad Request>'),
])
def test_the_engine_answer_decides_the_outcome(answer, strict, preview, methods, outcome):
    result, client = run({'validate_template': answer, 'preview_stack': preview}, strict=strict)
    assert client.methods() == methods
    if isinstance(outcome, str):
        assert isinstance(result, errors.ValidationFailedError) and str(result) == outcome
        return
    assert result['valid'] is True and result['strict'] is strict and result['changed'] is False
    if outcome is None:
        assert 'preview_resources' not in result
    else:
        assert [item['name'] for item in result['preview_resources']] == outcome
        assert result['preview_resources'][1] == {'name': 'inner', 'type': 'T', 'stack_name': 'child',
                                                  'parent_resource': 'nested'}


def test_an_embedded_error_is_a_stack_validation_failure():
    result, _client = run({'validate_template': {'Error': 'bad'}})
    expected = ('validation_failed', 'StackValidationFailed', 'validate_template')
    assert (result.kind, result.remote_name, result.method) == expected


@pytest.mark.parametrize('ignore_errors,hint', [
    (None, ''),
    (['99001'], '; ignore_errors has a code this engine does not know (99001)'),
])
def test_a_refused_request_names_ignore_errors_when_given(ignore_errors, hint):
    result, _client = run({'validate_template': 'refused'}, ignore_errors=ignore_errors)
    assert str(result) == 'heat-engine refused the validation request: refused' + hint


@pytest.mark.parametrize('given,sent,environment', [
    (dict(), dict(show_nested=False, ignorable_errors=None, environment_files=None),
     {'parameters': {}, 'parameter_defaults': {}}),
    (dict(show_nested=True, ignore_errors=['99001'], parameters={'size': 3}, parameter_defaults={'x': 'y'}),
     dict(show_nested=True, ignorable_errors=['99001']), {'parameters': {'size': 3}, 'parameter_defaults': {'x': 'y'}}),
    (dict(environment=[{'parameters': {'size': 2}}]), dict(environment_files=['ansible:environment[0]']),
     {'parameters': {}}),
])
def test_options_become_validate_template_arguments(given, sent, environment):
    _result, client = run(**given)
    kwargs = client.kwargs_of('validate_template')[0]
    assert dict((key, kwargs[key]) for key in sent) == sent
    assert dict((key, kwargs['params'][key]) for key in environment) == environment


def test_the_strict_preview_sends_what_validate_sent_under_its_own_name():
    _result, client = run({'preview_stack': PREVIEW}, strict=True, parameters={'size': 3})
    args = client.calls[1][1]
    assert args[0] == PREVIEW_STACK_NAME and args[1] == TEMPLATE
    assert args[2]['parameters'] == {'size': 3} and args[4] == {}


# -- hidden parameters never come back ------------------------------------------------------------------------

def hidden(value):
    return {'Type': 'String', 'NoEcho': 'true', 'Value': value, 'Label': 'pw', 'Description': ''}


@pytest.mark.parametrize('answer,masked_paths', [
    ({'Parameters': {'pw': hidden('s3cret')}}, [('Parameters', 'pw', 'Value')]),
    ({'Parameters': {'pw': hidden('s3cret')}, 'Environment': {'parameters': {'pw': 's3cret'}}},
     [('Parameters', 'pw', 'Value'), ('Environment', 'parameters', 'pw')]),
    ({'Parameters': {'pw': dict(hidden('s3cret'), NoEcho=True)},
      'Environment': {'parameter_defaults': {'pw': 's3cret'}}},
     [('Parameters', 'pw', 'Value'), ('Environment', 'parameter_defaults', 'pw')]),
    # A hidden parameter of a nested stack is masked there and in the root's environment.
    ({'Parameters': {}, 'NestedParameters': {'child': {'Parameters': {'deep': hidden('s3cret')}}},
      'Environment': {'parameter_defaults': {'deep': 's3cret'}}},
     [('NestedParameters', 'child', 'Parameters', 'deep', 'Value'), ('Environment', 'parameter_defaults', 'deep')]),
])
def test_hidden_values_are_masked_wherever_they_appear(answer, masked_paths):
    result, _client = run({'validate_template': answer})
    assert 's3cret' not in repr(result)
    for path in masked_paths:
        node = result['raw']
        for key in path:
            node = node[key]
        assert node == HIDDEN_MASK, path


@pytest.mark.parametrize('no_echo', ['false', False, None])
def test_values_of_parameters_that_are_not_hidden_stay(no_echo):
    schema = {'Type': 'String', 'NoEcho': no_echo, 'Value': 'plain', 'Label': 'p', 'Description': ''}
    result, _client = run({'validate_template': {'Parameters': {'p': schema},
                                                 'Environment': {'parameters': {'p': 'plain'}}}})
    assert result['parameters']['p']['value'] == 'plain' and result['parameters']['p']['hidden'] is False
    assert result['environment'] == {'parameters': {'p': 'plain'}}


@pytest.mark.parametrize('schema,missing', [
    ({'Type': 'String'}, ['p']),
    ({'Type': 'String', 'Default': ''}, []),
    ({'Type': 'String', 'Value': 'given'}, []),
    ({'Type': 'String', 'Default': 'd', 'Value': 'given'}, []),
])
def test_missing_parameters_are_those_without_default_or_value(schema, missing):
    result, _client = run({'validate_template': {'Parameters': {'p': schema}}})
    assert result['missing_parameters'] == missing
    assert result['parameters']['p']['required'] is ('Default' not in schema)


# -- shaping on its own ---------------------------------------------------------------------------------------

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
    assert [shape_preview_resource(raw) for raw in flatten_preview(preview)] == [
        {'name': 'inner', 'type': 'T', 'stack_name': 's-child', 'parent_resource': 'child'},
        {'name': 'top', 'type': 'U', 'stack_name': 's', 'parent_resource': None}]
    # Deeper nesting, and an empty or missing list (the shared helper heat_stack's check mode uses too).
    assert [raw['resource_name'] for raw in flatten_preview([{'resource_name': 'a'}, [[{'resource_name': 'b'}]]])] == [
        'a', 'b']
    assert flatten_preview(None) == [] and flatten_preview([]) == []


@pytest.mark.parametrize('schema,given,secrets', [
    ({'type': 'number', 'hidden': True}, {'parameters': {'n': 'hush'}}, {'hush'}),
    ({'type': 'number', 'hidden': True}, {'environment': [{'parameter_defaults': {'n': 'from-env'}}]}, {'from-env'}),
    ({'type': 'number'}, {'parameters': {'n': 'shown'}}, set()),
])
def test_values_given_for_hidden_parameters_are_masked_in_everything_the_task_returns(schema, given, secrets):
    """The engine's messages may quote a value it could not use: the module masks every hidden one it was given."""
    template = dict(TEMPLATE, parameters={'n': schema})
    client = ScriptedClient({'validate_template': ANSWER})
    module = FakeModule(params_for(ARGUMENT_SPEC, template_body=template, **given), client)
    TemplateValidateRunner(module).run()
    assert module.secrets == secrets

# -*- coding: utf-8 -*-
"""EngineInfoRunner decisions (heat_engine_info), run on a scripted client: what is refused, asked and returned."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_engine_info import (
    EngineInfoRunner, missing_needs, template_version_name,
)
from ansible_collections.heat_rpc.engine.plugins.modules.heat_engine_info import ARGUMENT_SPEC

from runner_doubles import InTurn, run_runner


def run(answers=None, **given):
    return run_runner(EngineInfoRunner, ARGUMENT_SPEC, answers, **given)


@pytest.mark.parametrize('given,message', [
    (dict(gather=['template_functions']), 'template_functions needs template_version'),
    (dict(gather=['resource_schema']), 'resource_schema needs resource_type'),
    (dict(gather=['generated_template'], template_version='wallaby'), 'generated_template needs resource_type'),
    (dict(gather=['revision', 'template_functions', 'generated_template']),
     'template_functions needs template_version; generated_template needs resource_type'),
    (dict(gather=['template_functions'], template_version=''), 'template_functions needs template_version'),
    # The option a subject needs is there, or the subject needs none.
    (dict(gather=['template_functions'], template_version='wallaby'), None),
    (dict(gather=['resource_schema', 'generated_template'], resource_type='OS::Heat::Value'), None),
    (dict(gather=['resource_types', 'credentials', 'services', 'revision', 'template_versions']), None),
    (dict(gather=[]), None),
])
def test_subjects_that_need_an_option_are_refused_without_it(given, message):
    result, client = run({'list_template_functions': [], 'list_resource_types': []}, **given)
    if message is None:
        assert isinstance(result, dict) and result['changed'] is False, result
        assert len(client.calls) >= len(given['gather'])
    else:
        assert isinstance(result, errors.ConfigurationError) and str(result) == message
        assert client.calls == []


@pytest.mark.parametrize('gather,methods,keys', [
    (None, ['get_revision', 'list_services'], ['revision', 'services']),  # the default
    (['services', 'revision'], ['get_revision', 'list_services'], ['revision', 'services']),  # a stable order
    (['template_versions'], ['list_template_versions'], ['template_versions']),
    (['resource_types'], ['list_resource_types'], ['resource_types']),
    (['resource_schema'], ['resource_schema'], ['resource_schema']),
    (['generated_template'], ['generate_template'], ['generated_template']),
    (['template_functions'], ['list_template_functions'], ['template_functions']),
    (['credentials'], ['authenticated_to_backend'], ['credentials_accepted', 'credentials_explanation']),
    ([], [], []),
])
def test_each_subject_is_one_call_and_one_result_key(gather, methods, keys):
    given = dict(template_version='wallaby', resource_type='OS::Heat::Value')
    if gather is not None:
        given['gather'] = gather
    result, client = run({'authenticated_to_backend': True, 'list_template_functions': [],
                          'list_resource_types': []}, **given)
    assert client.methods() == methods
    assert list(result) == keys + ['changed']


@pytest.mark.parametrize('answer,accepted,explanation', [
    (True, True, 'the engine answered True'),
    (False, False, 'the engine answered False'),
    (errors.AuthError('token expired'), False, 'the engine refused the credentials: token expired'),
    (errors.EngineError("'Clients' has no attribute 'authenticated'", remote_name='AttributeError'), None,
     'heat-engine could not check the credentials: its authenticated_to_backend raised AttributeError: '),
    (errors.EngineError('boom', remote_name='KeyError'), errors.EngineError, 'boom'),
    (errors.EngineNotAnsweringError('silence'), errors.EngineNotAnsweringError, 'silence'),
])
def test_credentials_answer_true_false_or_cannot_say(answer, accepted, explanation):
    result, _client = run({'authenticated_to_backend': answer}, gather=['credentials'])
    if isinstance(accepted, type):
        assert isinstance(result, accepted) and str(result) == explanation
    else:
        assert result['credentials_accepted'] is accepted
        assert result['credentials_explanation'].startswith(explanation)


PLAIN = [{'functions': 'get_param', 'description': 'p'}, {'functions': 'if', 'description': 'i'}]
WITH_CONDITIONS = PLAIN + [{'functions': 'equals', 'description': 'e'}, {'functions': 'and', 'description': 'a'}]


@pytest.mark.parametrize('version,with_conditions,sent,conditions', [
    ('wallaby', False, [('heat_template_version.wallaby', False)], {'get_param': False, 'if': False}),
    ('2018-08-31', False, [('heat_template_version.2018-08-31', False)], {'get_param': False, 'if': False}),
    ('heat_template_version.2021-04-16', False, [('heat_template_version.2021-04-16', False)],
     {'get_param': False, 'if': False}),
    # The plain listing first, then the one with conditions: what only the second has is a condition function.
    ('wallaby', True, [('heat_template_version.wallaby', False), ('heat_template_version.wallaby', True)],
     {'and': True, 'equals': True, 'get_param': False, 'if': False}),
])
def test_template_functions_by_version_name_and_condition(version, with_conditions, sent, conditions):
    result, client = run({'list_template_functions': InTurn(PLAIN, WITH_CONDITIONS)}, gather=['template_functions'],
                         template_version=version, with_conditions=with_conditions)
    assert [(args[0], kwargs.get('with_condition', False))
            for method, args, kwargs in client.calls] == sent
    assert dict((item['name'], item['condition']) for item in result['template_functions']) == conditions
    assert [item['name'] for item in result['template_functions']] == sorted(conditions)


@pytest.mark.parametrize('filters,listing,sent,types', [
    (None, ['OS::B', 'OS::A'], dict(support_status=None, type_name=None, heat_version=None, with_description=False),
     [{'name': 'OS::A', 'description': None}, {'name': 'OS::B', 'description': None}]),
    ({'name': 'OS::Heat::.*', 'support_status': 'SUPPORTED', 'version': '5.0.0', 'with_description': True},
     [{'resource_type': 'OS::Heat::Value', 'description': 'v'}],
     dict(support_status='SUPPORTED', type_name='OS::Heat::.*', heat_version='5.0.0', with_description=True),
     [{'name': 'OS::Heat::Value', 'description': 'v'}]),
])
def test_resource_type_filters_and_listing(filters, listing, sent, types):
    given = dict(gather=['resource_types'])
    if filters is not None:
        given['resource_type_filters'] = filters
    result, client = run({'list_resource_types': listing}, **given)
    assert client.kwargs_of('list_resource_types') == [sent]
    assert result['resource_types'] == types


@pytest.mark.parametrize('given,method,sent', [
    (dict(gather=['resource_schema']), 'resource_schema', (('OS::Heat::Value',), {'with_description': False})),
    (dict(gather=['resource_schema'], with_description=True), 'resource_schema',
     (('OS::Heat::Value',), {'with_description': True})),
    (dict(gather=['generated_template']), 'generate_template', (('OS::Heat::Value',), {'template_type': 'cfn'})),
    (dict(gather=['generated_template'], template_type='hot'), 'generate_template',
     (('OS::Heat::Value',), {'template_type': 'hot'})),
])
def test_resource_type_subjects_send_their_options(given, method, sent):
    result, client = run({method: {'answer': method}}, resource_type='OS::Heat::Value', **given)
    assert [(args, kwargs) for name, args, kwargs in client.calls] == [sent]
    assert result[given['gather'][0]] == {'answer': method}


def test_engine_info_needs_and_version_names():
    assert missing_needs(['revision', 'generated_template'], {'resource_type': None}) == [
        'generated_template needs resource_type']
    assert missing_needs(['template_functions'], {'template_version': 'wallaby'}) == []
    assert template_version_name('2018-08-31') == 'heat_template_version.2018-08-31'
    assert template_version_name('AWSTemplateFormatVersion.2010-09-09') == 'AWSTemplateFormatVersion.2010-09-09'

# -*- coding: utf-8 -*-
"""heat_engine_info through ansible-playbook against the real engine."""

from conftest import engine_environment, run_playbook

VERSION = 'heat_template_version.2017-02-24'
CONDITION_FUNCTIONS = {'equals', 'not', 'and', 'or'}


def test_engine_info_gathers_what_the_engine_knows(tmp_path, heat_testbed, client):
    # heat 27 adds the condition functions to the plain listing once anybody asked with conditions
    # (an earlier test, or an earlier run against the same engine): look before the module asks.
    plain_before = set(f['functions'] for f in client.list_template_functions(None, VERSION))
    module = 'heat_rpc.engine.heat_engine_info'
    tasks = [
        {'name': 'default', module: {}},
        {'name': 'everything', module: {
            'gather': ['revision', 'services', 'template_versions', 'template_functions', 'resource_types',
                       'resource_schema', 'generated_template', 'credentials'],
            'template_version': 'ocata', 'with_conditions': True,
            'resource_type_filters': {'name': 'OS::Heat::Random.*', 'with_description': True},
            'resource_type': 'OS::Heat::RandomString', 'with_description': True, 'template_type': 'hot'}},
        {'name': 'plain functions', module: {'gather': ['template_functions'], 'template_version': '2018-08-31'}},
        {'name': 'old supported types', module: {'gather': ['resource_types'], 'resource_type_filters': {
            'support_status': 'SUPPORTED', 'version': '5.0.0'}}},
        {'name': 'all types', module: {'gather': ['resource_types']}},
        {'name': 'cfn template', module: {'gather': ['generated_template'], 'resource_type': 'OS::Heat::TestResource'}},
        # heat 27 cannot generate a template for a type with a property of type "any" (KeyError 'Any').
        {'name': 'engine bug', module: {'gather': ['generated_template'], 'resource_type': 'OS::Heat::Value'}},
        {'name': 'no version', module: {'gather': ['template_functions', 'resource_schema']}},
        {'name': 'unknown type', module: {'gather': ['resource_schema'], 'resource_type': 'OS::No::Such'}},
        {'name': 'unknown version', module: {'gather': ['template_functions'], 'template_version': '1999-01-01'}},
    ]
    run = run_playbook(tmp_path, tasks, env=engine_environment(heat_testbed), check=True)
    results = run.results
    assert run.stats['changed'] == 0

    default = results['default']
    assert sorted(k for k in default if k in ('revision', 'services', 'template_versions')) == ['revision', 'services']
    assert default['revision'] == 'unknown'  # heat's [revision] heat_revision default
    assert any(s['binary'] == 'heat-engine' and s['status'] == 'up' and s['topic'] == 'engine'
               for s in default['services'])

    every = results['everything']
    assert every['changed'] is False
    versions = dict((v['version'], v) for v in every['template_versions'])
    assert versions['heat_template_version.2021-04-16']['aliases'] == ['heat_template_version.wallaby']
    assert versions['AWSTemplateFormatVersion.2010-09-09']['type'] == 'cfn'
    functions = dict((f['name'], f) for f in every['template_functions'])
    assert CONDITION_FUNCTIONS <= set(functions)
    assert functions['get_attr']['condition'] is False and functions['get_attr']['description']
    expected_condition = not (CONDITION_FUNCTIONS & plain_before)
    assert all(functions[name]['condition'] is expected_condition for name in CONDITION_FUNCTIONS)
    assert [f['name'] for f in every['template_functions']] == sorted(functions)
    [random_type] = every['resource_types']
    assert random_type['name'] == 'OS::Heat::RandomString'
    assert random_type['description'].startswith('A resource which generates a random string.')
    schema = every['resource_schema']
    assert schema['resource_type'] == 'OS::Heat::RandomString'
    assert 'length' in schema['properties'] and 'value' in schema['attributes'] and schema['description']
    hot = every['generated_template']
    assert hot['heat_template_version'] == '2016-10-14'
    assert [r['type'] for r in hot['resources'].values()] == ['OS::Heat::RandomString']
    assert every['credentials_accepted'] is None
    assert every['credentials_explanation'] == (
        "heat-engine could not check the credentials: its authenticated_to_backend raised AttributeError: "
        "'OpenStackClients' object has no attribute 'authenticated' (a bug in this heat release, not an "
        "answer about the credentials)")

    plain = set(f['name'] for f in results['plain functions']['template_functions'])
    assert {'get_param', 'str_replace', 'list_concat'} <= plain
    old = set(t['name'] for t in results['old supported types']['resource_types'])
    every_type = set(t['name'] for t in results['all types']['resource_types'])
    # Exactly the types that got SUPPORTED in heat 5.0.0: None did, RandomString (2014.1) and Value (7.0.0) not.
    assert 'OS::Heat::None' in old and not old & {'OS::Heat::RandomString', 'OS::Heat::Value'}
    assert old < every_type and 'OS::Heat::Value' in every_type
    assert all(t['description'] is None for t in results['all types']['resource_types'])
    cfn = results['cfn template']['generated_template']
    assert cfn['HeatTemplateFormatVersion'] == '2012-12-12'
    assert [r['Type'] for r in cfn['Resources'].values()] == ['OS::Heat::TestResource']
    assert 'value' in cfn['Parameters']
    assert results['engine bug']['failed'] is True and 'Any' in results['engine bug']['msg']
    assert results['engine bug']['error'] == {'kind': 'validation_failed', 'remote_name': 'KeyError',
                                              'method': 'generate_template'}

    assert results['no version']['failed'] is True
    assert results['no version']['msg'] == ('template_functions needs template_version; '
                                            'resource_schema needs resource_type')
    assert results['unknown type']['msg'] == 'The Resource Type (OS::No::Such) could not be found.'
    assert results['unknown type']['error']['kind'] == 'not_found'
    assert results['unknown version']['msg'] == 'Template with version heat_template_version.1999-01-01 not found'

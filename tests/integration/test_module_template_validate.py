# -*- coding: utf-8 -*-
"""heat_template_validate through ansible-playbook against the real engine."""

import json

import yaml

from conftest import engine_environment, run_playbook

PARENT = '''
heat_template_version: 2018-08-31
description: validated parent
parameter_groups:
  - label: sizes
    description: how big
    parameters: [length]
parameters:
  length:
    type: number
    default: 8
    constraints:
      - range: {min: 4, max: 64}
        description: between 4 and 64
  secret:
    type: string
    hidden: true
    default: hush
  word:
    type: string
    label: The word
    constraints:
      - allowed_values: [one, two]
  needed:
    type: comma_delimited_list
resources:
  random:
    type: OS::Heat::RandomString
    properties:
      length: {get_param: length}
  child:
    type: child.yaml
    properties:
      greeting: {get_param: word}
  data:
    type: OS::Heat::Value
    properties:
      value: {get_file: data.txt}
'''

CHILD = '''
heat_template_version: 2018-08-31
description: the child
parameters:
  greeting:
    type: string
    description: what to say
resources:
  inner:
    type: OS::Heat::Value
    properties:
      value: {get_param: greeting}
'''

ENVIRONMENT = 'parameter_defaults:\n  length: 12\nparameters:\n  word: one\n'

HOT = {'heat_template_version': '2018-08-31'}

# The broker of these tasks does not exist: their failures must come before any RPC.
NO_BROKER = 'rabbit://guest:guest@127.0.0.1:1/'


def template_with(resources, parameters=None):
    return dict(HOT, resources=resources, parameters=parameters or {})


def write_files(tmp_path):
    files = tmp_path / 'templates'
    files.mkdir()
    (files / 'parent.yaml').write_text(PARENT)
    (files / 'child.yaml').write_text(CHILD)
    (files / 'data.txt').write_text('file content\n')
    (files / 'env.yaml').write_text(ENVIRONMENT)
    big = dict(HOT, description='x' * (512 * 1024), resources={})
    (files / 'big.yaml').write_text(yaml.safe_dump(big))
    return files


def test_validate_describes_parameters_nested_stacks_and_preview(tmp_path, heat_testbed):
    files = write_files(tmp_path)
    parent = str(files / 'parent.yaml')
    module = 'heat_rpc.engine.heat_template_validate'
    tasks = [
        {'name': 'full', module: {'template': parent, 'environment': [str(files / 'env.yaml'), {
            'parameters': {'word': 'two'}}], 'parameters': {'secret': 'Sup3r-hidden-value', 'needed': 'a,b'},
            'show_nested': True, 'strict': True}},
        {'name': 'no values', module: {'template': parent}},
        {'name': 'from url', module: {'template_url': 'file://' + parent, 'parameters': {'needed': 'x'}}},
        {'name': 'body with base dir', module: {'template_body': PARENT, 'template_base_dir': str(files),
                                                'parameters': {'needed': 'x', 'word': 'one'}, 'strict': True}},
        {'name': 'defaults option', module: {'template': parent, 'parameter_defaults': {'length': 30}}},
    ]
    run = run_playbook(tmp_path, tasks, env=engine_environment(heat_testbed))
    results = run.results
    assert run.stats['changed'] == 0 and run.stats.get('ignored', 0) == 0, run.output
    full = results['full']
    assert (full['valid'], full['strict'], full['changed']) == (True, True, False)
    assert full['description'] == 'validated parent'
    parameters = full['parameters']
    assert parameters['length'] == {
        'type': 'number', 'default': 12, 'hidden': False, 'required': False, 'label': 'length', 'description': '',
        'constraints': {'min_value': 4, 'max_value': 64, 'description': 'between 4 and 64'}}
    assert parameters['secret']['hidden'] is True and parameters['secret']['value'] == '******'
    assert parameters['word']['value'] == 'two' and parameters['word']['label'] == 'The word'
    assert parameters['word']['constraints'] == {'allowed_values': ['one', 'two']}
    assert parameters['word']['required'] is True
    assert parameters['needed']['type'] == 'comma_delimited_list'
    assert full['missing_parameters'] == []
    assert full['parameter_groups'] == [{'label': 'sizes', 'description': 'how big', 'parameters': ['length']}]
    child = full['nested']['child']
    assert child['description'] == 'the child' and child['type'].endswith('child.yaml')
    assert child['parameters']['greeting']['value'] == 'two'
    assert child['parameters']['greeting']['description'] == 'what to say'
    assert sorted((r['name'], r['type'], r['parent_resource']) for r in full['preview_resources']) == [
        ('data', 'OS::Heat::Value', None), ('inner', 'OS::Heat::Value', 'child'),
        ('random', 'OS::Heat::RandomString', None)]
    assert full['environment']['parameters']['secret'] == '******'
    assert full['environment']['parameter_defaults'] == {'length': 12}
    assert full['raw']['Parameters']['length']['MinValue'] == 4
    assert full['raw']['NestedParameters']['child']['Parameters']['greeting']['Type'] == 'String'
    assert 'Sup3r-hidden-value' not in json.dumps(results) and 'Sup3r-hidden-value' not in run.output

    no_values = results['no values']
    assert no_values['valid'] is True and no_values['strict'] is False and 'preview_resources' not in no_values
    assert no_values['missing_parameters'] == ['needed', 'word']
    assert no_values['parameters']['length']['default'] == 8
    assert 'nested' not in no_values
    assert results['from url']['missing_parameters'] == ['word']
    assert results['body with base dir']['valid'] is True
    assert len(results['body with base dir']['preview_resources']) == 3
    assert results['defaults option']['parameters']['length']['default'] == 30


def test_invalid_templates_fail_with_the_reason(tmp_path, heat_testbed):
    files = write_files(tmp_path)
    module = 'heat_rpc.engine.heat_template_validate'
    random_length = {'random': {'type': 'OS::Heat::RandomString', 'properties': {'length': 'abc'}}}
    constrained = {'n': {'type': 'number', 'constraints': [{'range': {'min': 4}, 'description': 'at least 4'}]}}
    unavailable = {'config': {'type': 'OS::Heat::SoftwareConfig', 'properties': {'config': 'echo'}}}
    tasks = [
        {'name': 'unknown type', module: {'template_body': template_with({'r': {'type': 'OS::No::Such'}})}},
        {'name': 'bad property', module: {'template_body': template_with(
            {'r': {'type': 'OS::Heat::RandomString', 'properties': {'lenth': 3}}})}},
        {'name': 'wrong value lenient', module: {'template_body': template_with(random_length)}},
        {'name': 'wrong value strict', module: {'template_body': template_with(random_length), 'strict': True}},
        {'name': 'missing parameter strict', module: {'template': str(files / 'parent.yaml'),
                                                      'parameters': {'word': 'one'}, 'strict': True}},
        {'name': 'constraint strict', module: {'template_body': template_with({}, constrained),
                                               'parameters': {'n': 2}, 'strict': True}},
        # The engine quotes the value it cannot convert; a hidden one must not show.
        {'name': 'hidden value strict', module: {
            'template_body': template_with({}, {'n': {'type': 'number', 'hidden': True}}),
            'parameters': {'n': 'hushhush-value'}, 'strict': True}},
        {'name': 'hidden value', module: {'template_body': template_with({}, {'n': {'type': 'number', 'hidden': True}}),
                                          'parameters': {'n': 'hushhush-value'}}},
        {'name': 'unknown parameter', module: {'template_body': template_with({}), 'parameters': {'nope': 1}}},
        {'name': 'unavailable type', module: {'template_body': template_with(unavailable)}},
        {'name': 'unavailable ignored', module: {'template_body': template_with(unavailable),
                                                 'ignore_errors': ['99001']}},
        {'name': 'unknown code', module: {'template_body': template_with(unavailable), 'ignore_errors': ['12345']}},
        # Problems found while reading: no engine is needed, and none is reachable for these.
        {'name': 'bad yaml', module: {'transport_url': NO_BROKER, 'template_body':
                                      'heat_template_version: 2018-08-31\nresources:\n  r: [unclosed\n'}},
        {'name': 'not a mapping', module: {'transport_url': NO_BROKER, 'template_body': '- one\n- two\n'}},
        {'name': 'no version', module: {'transport_url': NO_BROKER, 'template_body': {'resources': {}}}},
        {'name': 'too big', module: {'transport_url': NO_BROKER, 'template': str(files / 'big.yaml')}},
        {'name': 'missing nested file', module: {'transport_url': NO_BROKER, 'template_body': template_with(
            {'r': {'type': 'absent.yaml'}}), 'template_base_dir': str(files)}},
        {'name': 'code not numeric', module: {'transport_url': NO_BROKER, 'template_body': template_with({}),
                                              'ignore_errors': ['E99001']}},
        {'name': 'no template', module: {'transport_url': NO_BROKER}},
    ]
    run = run_playbook(tmp_path, tasks, env=engine_environment(heat_testbed))
    results = run.results
    assert run.stats['changed'] == 0

    def failure(name):
        result = results[name]
        assert result['failed'] is True, (name, result)
        return result['msg']

    assert failure('unknown type') == 'the template is invalid: The Resource Type (OS::No::Such) could not be found.'
    assert results['unknown type']['error']['kind'] == 'validation_failed'
    assert failure('bad property') == ('the template is invalid: Property error: resources.r.properties: '
                                       'Unknown Property lenth')
    assert results['wrong value lenient']['valid'] is True
    assert failure('wrong value strict') == ("Property error: resources.random.properties.length: "
                                             "Value 'abc' is not an integer")
    assert failure('missing parameter strict') == 'The Parameter (needed) was not provided.'
    assert failure('constraint strict') == "Parameter 'n' is invalid: at least 4"
    for name in ('hidden value strict', 'hidden value'):
        assert 'hushhush' not in json.dumps(results[name]), (name, results[name])
    assert failure('hidden value strict').startswith("Parameter 'n' is invalid: could not convert string to float")
    assert failure('unknown parameter') == 'The Parameter (nope) was not defined in template.'
    assert 'Service heat is not available for resource type OS::Heat::SoftwareConfig' in failure('unavailable type')
    assert results['unavailable ignored']['valid'] is True
    assert failure('unknown code').startswith('heat-engine refused the validation request: ')
    assert failure('unknown code').endswith("; ignore_errors has a code this engine does not know (12345)")

    assert failure('bad yaml').startswith('template template_body is not valid YAML (line 4, column 1): ')
    assert failure('not a mapping') == 'template template_body must be a mapping, not list'
    assert failure('no version') == ('template template_body has no version key (one of heat_template_version, '
                                     'HeatTemplateFormatVersion, AWSTemplateFormatVersion)')
    assert 'is larger than the engine accepts (524288 bytes)' in failure('too big')
    assert failure('missing nested file').startswith('cannot read %s: ' % (files / 'absent.yaml'))
    assert failure('code not numeric') == 'ignore_errors must hold numeric engine error codes such as 99001, not E99001'
    assert failure('no template') == 'one of the following is required: template, template_body, template_url'
    for name in ('bad yaml', 'not a mapping', 'no version', 'too big', 'missing nested file'):
        assert results[name]['error']['kind'] == 'template_error', name
    assert results['code not numeric']['error']['kind'] == 'configuration'

# -*- coding: utf-8 -*-
"""Template and environment loading: parsing, file resolution, limits and error messages."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import shutil

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat import templates
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.documents import MAX_TEMPLATE_BYTES, TemplateError
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.templates import (
    StackSources, TemplateLoader, check_template_options, display, empty_environment, load_stack_inputs,
    read_stack_sources, relative_key,
)
from yaml_samples import alias_bomb

PARENT = '''heat_template_version: 2018-08-31
resources:
  child:
    type: nested/child.yaml
  script:
    type: OS::Heat::Value
    properties:
      value: {get_file: scripts/run.sh}
'''
CHILD = '''heat_template_version: 2018-08-31
resources:
  grandchild: {type: grandchild.yaml}
outputs:
  data: {value: {get_file: ../scripts/data.txt}}
'''
GRANDCHILD = 'heat_template_version: 2018-08-31\nresources: {}\n'


@pytest.fixture
def tree(tmp_path):
    (tmp_path / 'nested').mkdir()
    (tmp_path / 'scripts').mkdir()
    (tmp_path / 'main.yaml').write_text(PARENT)
    (tmp_path / 'nested' / 'child.yaml').write_text(CHILD)
    (tmp_path / 'nested' / 'grandchild.yaml').write_text(GRANDCHILD)
    (tmp_path / 'scripts' / 'run.sh').write_text('#!/bin/sh\necho hi\n')
    (tmp_path / 'scripts' / 'data.txt').write_text('data')
    return tmp_path


def test_nested_templates_and_get_file_are_keyed_relative_to_the_root_template(tree):
    bundle = TemplateLoader().load(template=str(tree / 'main.yaml'))
    assert bundle.template['heat_template_version'] == '2018-08-31'  # a string, not a date
    assert bundle.template['resources']['child']['type'] == 'nested/child.yaml'
    assert bundle.template['resources']['script']['properties']['value'] == {'get_file': 'scripts/run.sh'}
    assert sorted(bundle.files) == ['nested/child.yaml', 'nested/grandchild.yaml', 'scripts/data.txt',
                                    'scripts/run.sh']
    assert bundle.files['scripts/run.sh'] == '#!/bin/sh\necho hi\n'
    assert bundle.files['nested/grandchild.yaml'] == GRANDCHILD  # no references: stored as written
    child = json.loads(bundle.files['nested/child.yaml'])  # its references were rewritten to their keys
    assert child['resources']['grandchild']['type'] == 'nested/grandchild.yaml'
    assert child['outputs']['data']['value'] == {'get_file': 'scripts/data.txt'}


def test_the_same_tree_elsewhere_gives_the_same_bundle(tree, tmp_path_factory):
    moved = tmp_path_factory.mktemp('elsewhere') / 'checkout'
    shutil.copytree(str(tree), str(moved))
    here = TemplateLoader().load(template=str(tree / 'main.yaml'))
    there = TemplateLoader().load(template=str(moved / 'main.yaml'))
    assert (here.template, here.files) == (there.template, there.files)


def test_files_outside_the_root_directory_get_parent_keys(tree):
    (tree / 'nested' / 'root.yaml').write_text('heat_template_version: 2018-08-31\nresources:\n'
                                               '  s: {type: OS::Heat::Value, properties: {value: {get_file: '
                                               '../scripts/run.sh}}}\n')
    bundle = TemplateLoader().load(template=str(tree / 'nested' / 'root.yaml'))
    assert list(bundle.files) == ['../scripts/run.sh']


@pytest.mark.parametrize('url,base,key', [
    ('file:///a/b/c.yaml', 'file:///a/', 'b/c.yaml'),
    ('file:///a/c.yaml', 'file:///a/b/', '../c.yaml'),
    ('http://h/t/c.yaml', 'http://h/t/', 'c.yaml'),
    ('http://other/t/c.yaml', 'http://h/t/', 'http://other/t/c.yaml'),
    ('http://h/t/c.yaml?x=1', 'http://h/t/', 'http://h/t/c.yaml?x=1'),
    ('file:///a/c.yaml', None, 'file:///a/c.yaml'),
])
def test_relative_key(url, base, key):
    assert relative_key(url, base) == key


def test_loading_twice_gives_identical_bundles(tree):
    first = TemplateLoader().load(template=str(tree / 'main.yaml'))
    second = TemplateLoader().load(template=str(tree / 'main.yaml'))
    assert (first.template, first.files) == (second.template, second.files)


def test_template_body_dict_and_text_with_base_dir(tree):
    body = {'heat_template_version': '2018-08-31', 'resources': {'c': {'type': 'nested/child.yaml'}}}
    bundle = TemplateLoader().load(template_body=body, base_dir=str(tree))
    assert len(bundle.files) == 3
    assert body['resources']['c']['type'] == 'nested/child.yaml'  # the caller's dict is not changed
    with pytest.raises(TemplateError) as caught:
        TemplateLoader().load(template_body=PARENT)
    assert 'relative path' in str(caught.value) and 'template_base_dir' in str(caught.value)


@pytest.mark.parametrize('text,message', [
    ('heat_template_version: 2018-08-31\nresources: [a\n', 'template_body is not valid YAML (line 3, column 1)'),
    ('- a\n- b\n', 'template_body must be a mapping, not list'),
    ('', 'template_body must be a mapping, not empty'),
    ('resources: {}\n', 'template_body has no version key'),
    ('{"heat_template_version": "2018-08-31", "resources": {"a": 1}', 'template_body is not valid YAML'),
])
def test_bad_templates_are_refused_with_position(text, message):
    with pytest.raises(TemplateError) as caught:
        TemplateLoader().load(template_body=text)
    assert message in str(caught.value)


def test_size_limits_name_the_file(tree):
    big = tree / 'big.yaml'
    big.write_text('heat_template_version: 2018-08-31\ndescription: "%s"\n' % ('x' * MAX_TEMPLATE_BYTES))
    with pytest.raises(TemplateError) as caught:
        TemplateLoader().load(template=str(big))
    assert str(big) in str(caught.value) and 'larger than the engine accepts' in str(caught.value)
    (tree / 'scripts' / 'run.sh').write_text('y' * (MAX_TEMPLATE_BYTES + 1))
    with pytest.raises(TemplateError) as caught:
        TemplateLoader().load(template=str(tree / 'main.yaml'))
    assert 'run.sh is larger' in str(caught.value)


def test_missing_files_name_the_path(tree):
    (tree / 'scripts' / 'run.sh').unlink()
    with pytest.raises(TemplateError) as caught:
        TemplateLoader().load(template=str(tree / 'main.yaml'))
    assert 'cannot read %s' % (tree / 'scripts' / 'run.sh') in str(caught.value)
    with pytest.raises(TemplateError) as caught:
        TemplateLoader().load(template=str(tree / 'nope.yaml'))
    assert 'No such file' in str(caught.value)


def test_environments_become_layers_the_engine_merges_in_order(tree):
    env_file = tree / 'env.yaml'
    env_file.write_text('parameters:\n  a: from-file\n  b: from-file\nresource_registry:\n'
                        '  My::Child: nested/child.yaml\n  resources:\n    r1: {hooks: pre-create}\n')
    template = {'heat_template_version': '2018-08-31',
                'parameters': {'a': {'type': 'string'}, 'b': {'type': 'string'}}}
    params = {'template_body': template, 'template_base_dir': str(tree), 'parameter_defaults': {},
              'environment': [str(env_file), {'parameters': {'b': 'from-dict'},
                                              'resource_registry': {'resources': {'r2': {'hooks': 'pre-update'}}}}],
              'parameters': {}}
    inputs = load_stack_inputs(TemplateLoader(), params)
    assert inputs.environment_files == ['env.yaml', 'ansible:environment[1]']
    assert json.loads(inputs.files['env.yaml'])['resource_registry']['My::Child'] == 'nested/child.yaml'
    assert 'nested/grandchild.yaml' in inputs.files
    assert inputs.merged['parameters'] == {'a': 'from-file', 'b': 'from-dict'}
    # The engine merges registries one level deep: the later 'resources' replaces the earlier one.
    assert inputs.merged['resource_registry'] == {'My::Child': 'nested/child.yaml',
                                                  'resources': {'r2': {'hooks': 'pre-update'}}}
    assert inputs.environment == empty_environment()


def test_task_parameters_win_and_stay_out_of_files(tree):
    (tree / 'env.yaml').write_text('parameters:\n  a: from-file\n  b: from-file\n')
    template = {'heat_template_version': '2018-08-31',
                'parameters': {'a': {'type': 'string'}, 'b': {'type': 'string', 'hidden': True}}}
    params = {'template_body': template, 'template_base_dir': str(tree), 'environment': [str(tree / 'env.yaml')],
              'parameters': {'b': 'the-secret'}, 'parameter_defaults': {}}
    inputs = load_stack_inputs(TemplateLoader(), params)
    assert inputs.merged['parameters'] == {'a': 'from-file', 'b': 'the-secret'}
    assert inputs.environment['parameters'] == {'b': 'the-secret'}
    assert 'the-secret' not in json.dumps(inputs.files)
    assert json.loads(inputs.files['env.yaml'])['parameters'] == {'a': 'from-file'}


def test_without_environments_nothing_is_layered(tree):
    params = {'template_body': {'heat_template_version': '2018-08-31'}, 'environment': [],
              'parameters': {'x': 1}, 'parameter_defaults': {'y': 2}}
    inputs = load_stack_inputs(TemplateLoader(), params)
    assert inputs.environment_files is None and inputs.files == {}
    assert inputs.environment['parameters'] == {'x': 1} and inputs.merged['parameter_defaults'] == {'y': 2}


@pytest.mark.parametrize('environment,message', [
    ({'parameters': ['a', 'b']}, 'environment[0]: parameters must be a mapping, not list'),
    ({'resource_registry': 'x'}, 'environment[0]: resource_registry must be a mapping, not str'),
    ({'event_sinks': {}}, 'environment[0]: event_sinks must be a list, not dict'),
])
def test_environment_sections_of_the_wrong_type_are_refused(environment, message):
    with pytest.raises(TemplateError) as caught:
        TemplateLoader().load_environments([environment])
    assert message in str(caught.value)


@pytest.mark.parametrize('value,refused', [(['a'], True), ({'a': 1}, True), ('text', False), (3, False)])
def test_a_list_or_mapping_for_a_string_parameter_is_refused(value, refused):
    template = {'heat_template_version': '2018-08-31', 'parameters': {'p': {'type': 'string'}}}
    params = {'template_body': template, 'environment': [], 'parameters': {'p': value}, 'parameter_defaults': {}}
    if refused:
        with pytest.raises(TemplateError) as caught:
            load_stack_inputs(TemplateLoader(), params)
        assert 'parameters.p: the template declares it a string' in str(caught.value)
    else:
        assert load_stack_inputs(TemplateLoader(), params).merged['parameters'] == {'p': value}


def test_environment_with_unknown_section_is_refused(tree):
    with pytest.raises(TemplateError) as caught:
        TemplateLoader().load_environments([{'paramters': {}}])
    assert "environment[0] has unknown sections: paramters" in str(caught.value)


def test_an_alias_bomb_in_an_environment_file_names_the_file(tmp_path):
    bomb = alias_bomb(9).replace('heat_template_version: 2018-08-31\n', '')
    env = tmp_path / 'env.yaml'
    env.write_text('parameter_defaults:\n' + ''.join('  ' + line + '\n' for line in bomb.splitlines()))
    with pytest.raises(TemplateError) as caught:
        TemplateLoader().load_environments([str(env)])
    assert 'environment %s uses YAML aliases' % env in str(caught.value)


# -- read once, handed over as data (template_bundle) ------------------------------------------------------------

def stack_params(tree, **extra):
    (tree / 'env.yaml').write_text('parameters:\n  a: from-file\nresource_registry:\n  My::Child: nested/child.yaml\n')
    params = {'template': str(tree / 'main.yaml'), 'template_body': None, 'template_url': None,
              'template_base_dir': None, 'environment': [str(tree / 'env.yaml'), {'parameter_defaults': {'z': 1}}],
              'parameters': {}, 'parameter_defaults': {}}
    params.update(extra)
    return params


def inputs_view(inputs):
    return (inputs.template, inputs.files, inputs.environment, inputs.environment_files, inputs.merged)


def test_sources_handed_over_as_text_give_the_same_inputs_as_reading_them_there(tree):
    params = stack_params(tree)
    read_here = load_stack_inputs(TemplateLoader(), params)
    text = read_stack_sources(TemplateLoader(), params).as_text()
    # The paths no longer need to exist where the bundle is used.
    shutil.rmtree(str(tree))
    handed_over = load_stack_inputs(TemplateLoader(), dict(params, template_bundle=text))
    assert inputs_view(handed_over) == inputs_view(read_here)
    assert read_here.environment_files == ['env.yaml', 'ansible:environment[1]']


def test_a_bundle_without_a_template_is_refused_where_one_is_required(tree):
    text = read_stack_sources(TemplateLoader(), stack_params(tree, template=None), require_template=False).as_text()
    assert load_stack_inputs(TemplateLoader(), dict(stack_params(tree), template_bundle=text),
                             require_template=False).template is None
    with pytest.raises(TemplateError, match='one of template, template_body or template_url is required'):
        load_stack_inputs(TemplateLoader(), dict(stack_params(tree), template_bundle=text))


@pytest.mark.parametrize('bundle,problem', [
    ('{not json', 'template_bundle is not JSON'),
    ('[]', 'template_bundle must be a mapping, not list'),
    ({'template': {}, 'extra': 1}, 'template_bundle has unknown keys: extra'),
    ({'template': 'text'}, 'template_bundle.template must be a mapping, not str'),
    ({'template': {}, 'files': {'a': 1}}, 'template_bundle.files must map each key to the text of a file'),
    ({'template': {}, 'environment': [{'key': 'k'}]}, 'template_bundle.environment must be a list of'),
    ({'template': {}, 'environment': {'key': 'k'}}, 'template_bundle.environment must be a list of'),
])
def test_a_bundle_not_made_by_the_action_is_refused_naming_the_part(bundle, problem):
    with pytest.raises(errors.ConfigurationError) as caught:
        StackSources.from_data(bundle)
    assert str(caught.value).startswith(problem)
    assert 'action plugin' in str(caught.value)


def test_sources_over_the_bundle_bound_are_refused_naming_the_total(monkeypatch):
    monkeypatch.setattr(templates, 'MAX_BUNDLE_BYTES', 100)
    StackSources({'heat_template_version': '2018-08-31'}, {'a.sh': 'x' * 40}, [])
    with pytest.raises(TemplateError) as caught:
        StackSources({'heat_template_version': '2018-08-31'}, {'a.sh': 'x' * 40, 'b.sh': 'y' * 40}, [])
    assert 'its 2 files and its 0 environments come to' in str(caught.value)
    assert 'more than the 100 one request may carry' in str(caught.value)


def test_the_renderer_sees_templates_and_environments_but_never_get_file_files(tree):
    seen = []

    def render(text, url, what):
        seen.append((what, display(url)[len(str(tree)) + 1:]))
        return text.replace('from-file', 'rendered')

    params = stack_params(tree)
    inputs = load_stack_inputs(TemplateLoader(render=render), params)
    assert sorted(seen) == [('environment', 'env.yaml'), ('nested template', 'nested/child.yaml'),
                            ('nested template', 'nested/grandchild.yaml'), ('template', 'main.yaml')]
    assert inputs.merged['parameters'] == {'a': 'rendered'}
    assert inputs.files['scripts/run.sh'] == '#!/bin/sh\necho hi\n'


@pytest.mark.parametrize('params,problem', [
    ({'render': 'template'}, 'render=template needs the files read on the controller'),
    ({'render': 'all', 'template_bundle': None}, 'render=all needs the files read on the controller'),
    ({'template_body': ['a']}, 'template_body must be a dict or a YAML/JSON string, not list'),
])
def test_template_options_that_cannot_work_are_refused(params, problem):
    with pytest.raises(errors.ConfigurationError, match=problem):
        check_template_options(params)


@pytest.mark.parametrize('params', [{'render': 'none'}, {}, {'render': 'all', 'template_bundle': '{}'}])
def test_template_options_that_work_pass(params):
    check_template_options(params)


@pytest.mark.parametrize('path', ['/srv/heat/main.yaml', '/srv/with space/ü.yaml', '/a/%41/b#c?d.yaml', '/x/../y/'])
def test_file_urls_are_made_and_read_as_urllib_request_does_on_posix(path):
    # templates.py does not import urllib.request (it loads http.client, email and ssl) for these two.
    from urllib.request import pathname2url, url2pathname
    assert templates.pathname2url(path) == pathname2url(path)
    assert templates.url2pathname(pathname2url(path)) == url2pathname(pathname2url(path)) == path

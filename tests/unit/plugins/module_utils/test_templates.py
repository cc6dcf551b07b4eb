# -*- coding: utf-8 -*-
"""Template and environment loading: parsing, file resolution, limits and error messages."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils.templates import (
    MAX_TEMPLATE_BYTES, TemplateError, TemplateLoader, empty_environment, parse_document, path_to_url,
)

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


def test_nested_templates_and_get_file_are_resolved_relative_to_each_template(tree):
    bundle = TemplateLoader().load(template=str(tree / 'main.yaml'))
    child_url = path_to_url(str(tree / 'nested' / 'child.yaml'))
    grandchild_url = path_to_url(str(tree / 'nested' / 'grandchild.yaml'))
    script_url = path_to_url(str(tree / 'scripts' / 'run.sh'))
    data_url = path_to_url(str(tree / 'scripts' / 'data.txt'))
    assert bundle.template['heat_template_version'] == '2018-08-31'  # a string, not a date
    assert bundle.template['resources']['child']['type'] == child_url
    assert bundle.template['resources']['script']['properties']['value'] == {'get_file': script_url}
    assert sorted(bundle.files) == sorted([child_url, grandchild_url, script_url, data_url])
    assert bundle.files[script_url] == '#!/bin/sh\necho hi\n'
    assert bundle.files[grandchild_url] == GRANDCHILD  # no references: stored as written
    child = json.loads(bundle.files[child_url])  # its references were rewritten to absolute URLs
    assert child['resources']['grandchild']['type'] == grandchild_url
    assert child['outputs']['data']['value'] == {'get_file': data_url}


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


def test_json_is_read_first():
    assert parse_document('{"heat_template_version": "2018-08-31"}', 'x') == {'heat_template_version': '2018-08-31'}


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


def test_environments_merge_in_order_and_resolve_registry_files(tree):
    env_file = tree / 'env.yaml'
    env_file.write_text('parameters:\n  a: from-file\n  b: from-file\nresource_registry:\n'
                        '  My::Child: nested/child.yaml\n  resources:\n    r1: {hooks: pre-create}\n')
    env, files = TemplateLoader().load_environments([
        str(env_file),
        {'parameters': {'b': 'from-dict'}, 'resource_registry': {'resources': {'r2': {'hooks': 'pre-update'}}}},
    ])
    assert env['parameters'] == {'a': 'from-file', 'b': 'from-dict'}
    assert env['resource_registry']['My::Child'] == path_to_url(str(tree / 'nested' / 'child.yaml'))
    assert env['resource_registry']['resources'] == {'r1': {'hooks': 'pre-create'}, 'r2': {'hooks': 'pre-update'}}
    assert path_to_url(str(tree / 'nested' / 'grandchild.yaml')) in files
    assert set(env) == set(empty_environment())


def test_environment_with_unknown_section_is_refused(tree):
    with pytest.raises(TemplateError) as caught:
        TemplateLoader().load_environments([{'paramters': {}}])
    assert "environment[0] has unknown sections: paramters" in str(caught.value)

# -*- coding: utf-8 -*-
"""Files read on the controller: which paths are looked up, what the module is handed, when nothing is read,
Jinja rendering and its errors, and failures reported as the module reports its own.

The action plugins run with a real Task, Templar and DataLoader; only the module execution (the target) is
replaced, so what the module would get can be looked at.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

import pytest

from ansible.parsing.dataloader import DataLoader
from ansible.playbook.task import Task
from ansible.template import Templar

from ansible_collections.heat_rpc.engine.plugins.action import heat_software_config, heat_stack, heat_template_validate
from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.documents import TemplateError
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.templates import StackSources, TemplateLoader, read_stack_sources
from ansible_collections.heat_rpc.engine.plugins.plugin_utils import controller_files

MAIN = 'heat_template_version: 2018-08-31\nresources:\n  c: {type: lib/child.yaml}\n'
CHILD = 'heat_template_version: 2018-08-31\nresources:\n  v: {type: OS::Heat::Value, properties: {value: {get_file: t.txt}}}\n'


@pytest.fixture
def role(tmp_path):
    """A role's files/ with a nested template and a get_file file, and its templates/ with a Jinja template."""
    files = tmp_path / 'role' / 'files'
    (files / 'lib').mkdir(parents=True)
    (files / 'main.yaml').write_text(MAIN)
    (files / 'lib' / 'child.yaml').write_text(CHILD)
    (files / 'lib' / 't.txt').write_text('{{ not rendered }}')
    (files / 'env.yaml').write_text('parameter_defaults: {a: 1}\n')
    templates = tmp_path / 'role' / 'templates'
    (templates / 'lib').mkdir(parents=True)
    (templates / 'main.yaml.j2').write_text(
        'heat_template_version: 2018-08-31\nresources:\n{% for n in names %}  {{ n }}: {type: lib/child.yaml}\n'
        '{% endfor %}')
    (templates / 'lib' / 'child.yaml').write_text(CHILD.replace('v:', '{{ leaf }}:'))
    (templates / 'lib' / 't.txt').write_text('{{ kept }}')
    (templates / 'env.yaml').write_text('parameter_defaults: {a: {{ a }}}\n')
    return tmp_path / 'role'


class Searched:
    """_find_needle as Ansible's actions have it: role files/ (or templates/), else an error naming the places."""

    def __init__(self, role):
        self.role = role
        self.asked = []

    def __call__(self, where, needle):
        self.asked.append((where, needle))
        found = needle if needle.startswith('/') else str(self.role / where / needle)
        try:
            open(found).close()
        except IsADirectoryError:
            pass
        except OSError:
            raise controller_files.AnsibleError("Could not find or access '%s'\nSearched in:\n\t%s" % (needle, found))
        return found


def action(plugin, role, args, variables=None):
    """The action plugin as the task executor makes it; returns (action, what the module was run with)."""
    task = Task()
    task.args = args
    loader = DataLoader()
    instance = plugin.ActionModule(task, connection=None, play_context=None, loader=loader,
                                   templar=Templar(loader=loader, variables=variables or {}), shared_loader_obj=None)
    instance._find_needle = Searched(role)
    return instance


def module_args(plugin, role, args, variables=None):
    return action(plugin, role, args, variables).module_args(dict(args), variables or {})


def bundle_of(args):
    return json.loads(args['template_bundle'])


# -- what is read, and from where -------------------------------------------------------------------------------

def test_the_template_tree_is_read_from_the_role_and_handed_over_keyed_as_the_module_keys_it(role):
    args = {'name': 's', 'template': 'main.yaml', 'environment': ['env.yaml', {'parameters': {'p': 1}}]}
    handed = module_args(heat_stack, role, args)
    module_side = read_stack_sources(TemplateLoader(), {'template': str(role / 'files' / 'main.yaml'), 'environment': [
        str(role / 'files' / 'env.yaml'), {'parameters': {'p': 1}}]}, require_template=False)
    assert bundle_of(handed) == module_side.as_data()
    assert sorted(bundle_of(handed)['files']) == ['lib/child.yaml', 'lib/t.txt']
    # The options the user gave go on as they were: the module checks them as before and reads nothing.
    assert dict((key, value) for key, value in handed.items() if key != 'template_bundle') == args


@pytest.mark.parametrize('args,looked_up', [
    ({'template': 'main.yaml'}, [('files', 'main.yaml')]),
    ({'template_url': 'main.yaml'}, [('files', 'main.yaml')]),
    ({'template_body': MAIN, 'template_base_dir': '.'}, [('files', '.')]),
    ({'template': 'main.yaml', 'environment': ['env.yaml', {'parameters': {}}, 'file:///nowhere/e.yaml']},
     [('files', 'main.yaml'), ('files', 'env.yaml')]),
    ({'template': 'main.yaml', 'environment': 'env.yaml'}, [('files', 'main.yaml'), ('files', 'env.yaml')]),
    ({'template': 'main.yaml.j2', 'render': 'template'}, [('templates', 'main.yaml.j2')]),
    ({'template': 'main.yaml.j2', 'render': 'all', 'environment': ['env.yaml']},
     [('templates', 'main.yaml.j2'), ('templates', 'env.yaml')]),
])
def test_each_local_path_is_looked_up_once_urls_never(role, args, looked_up, monkeypatch):
    plugin = action(heat_stack, role, args, {'names': ['x'], 'leaf': 'v', 'a': 1})
    monkeypatch.setattr(controller_files, 'read_stack_sources', lambda loader, params, require_template: StackSources(
        None, {}, []))
    plugin.module_args(dict(args), {})
    assert plugin._find_needle.asked == looked_up


@pytest.mark.parametrize('plugin,args', [
    (heat_stack, {'template': 'missing.yaml', 'remote_src': True}),
    (heat_stack, {'template': 'missing.yaml', 'remote_src': 'yes'}),
    (heat_stack, {'template': 'missing.yaml', 'state': 'absent'}),
    (heat_stack, {'template': 'missing.yaml', 'state': 'adopted', 'adopt_data': {}}),
    (heat_stack, {'template': 'missing.yaml', 'template_url': 'http://x/y.yaml'}),
    (heat_template_validate, {'template': 'missing.yaml', 'remote_src': True}),
    (heat_software_config, {'config_file': 'missing.sh', 'remote_src': True}),
    (heat_software_config, {'config_file': 'missing.sh', 'config': 'both: the module names the conflict'}),
    (heat_software_config, {'config': 'text only'}),
])
def test_nothing_is_read_where_the_module_reads_or_needs_nothing(role, plugin, args):
    assert module_args(plugin, role, args) == args


@pytest.mark.parametrize('plugin,args', [
    (heat_stack, {'template': 'main.yaml'}),
    (heat_stack, {'template': 'main.yaml', 'state': 'present', 'remote_src': False}),
    (heat_stack, {'template': 'main.yaml', 'state': 'suspended'}),
    (heat_template_validate, {'template': 'main.yaml'}),
])
def test_the_files_are_read_here_for_every_state_that_sends_a_template(role, plugin, args):
    assert bundle_of(module_args(plugin, role, args))['template']['resources'] == {'c': {'type': 'lib/child.yaml'}}


def test_a_config_file_is_read_here_and_handed_over_as_config(role):
    handed = module_args(heat_software_config, role, {'name': 'c', 'config_file': 'lib/t.txt'})
    assert handed == {'name': 'c', 'config': '{{ not rendered }}'}


# -- errors: named, and nothing is run ---------------------------------------------------------------------------

@pytest.mark.parametrize('plugin,args,message,kind', [
    (heat_stack, {'template': 'nope.yaml'}, "template: Could not find or access 'nope.yaml' Searched in: ",
     'template_error'),
    (heat_stack, {'template': 'main.yaml', 'environment': ['env.yaml', 'gone.yaml']},
     "environment[1]: Could not find or access 'gone.yaml'", 'template_error'),
    (heat_stack, {'template': 'main.yaml', 'remote_src': 'maybe'}, 'remote_src: ', 'configuration'),
    (heat_stack, {'template': 'main.yaml', 'render': 'some'}, 'render must be one of none, template, all, not some',
     'configuration'),
    (heat_stack, {'template_body': ['a']}, 'template_body must be a dict or a YAML/JSON string, not list',
     'configuration'),
    (heat_software_config, {'config_file': 'nope.sh'}, "config_file: Could not find or access 'nope.sh'",
     'configuration'),
])
def test_a_failure_on_the_controller_is_typed_and_runs_nothing(role, plugin, args, message, kind, monkeypatch):
    instance = action(plugin, role, args)
    ran = []
    monkeypatch.setattr(controller_files.ActionBase, 'run', lambda self, tmp=None, task_vars=None: {})
    monkeypatch.setattr(instance, '_execute_module', lambda **kwargs: ran.append(kwargs) or {})
    result = instance.run(task_vars={})
    assert ran == []
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'].startswith(message)
    assert result['error']['kind'] == kind


def test_a_file_missing_under_the_root_template_names_it(role):
    (role / 'files' / 'lib' / 't.txt').unlink()
    with pytest.raises(TemplateError, match='cannot read %s' % (role / 'files' / 'lib' / 't.txt')):
        module_args(heat_stack, role, {'template': 'main.yaml'})


def test_the_module_runs_with_the_bundle_and_its_result_is_the_task_result(role, monkeypatch):
    instance = action(heat_stack, role, {'name': 's', 'template': 'main.yaml'})
    ran = []
    monkeypatch.setattr(controller_files.ActionBase, 'run', lambda self, tmp=None, task_vars=None: {'skipped': False})
    monkeypatch.setattr(instance, '_execute_module', lambda **kwargs: ran.append(kwargs) or {'changed': True})
    monkeypatch.setattr(instance, '_remove_tmp_path', lambda path: None)
    instance._connection = type('Connection', (), {'has_native_async': False, '_shell': type('Shell', (), {
        'tmpdir': None})()})()
    assert instance.run(task_vars={'v': 1}) == {'skipped': False, 'changed': True}
    assert [sorted(call) for call in ran] == [['module_args', 'task_vars', 'wrap_async']]
    assert 'template_bundle' in ran[0]['module_args'] and ran[0]['task_vars'] == {'v': 1}


# -- rendering --------------------------------------------------------------------------------------------------

VARIABLES = {'names': ['x', 'y'], 'leaf': 'w', 'a': 7, 'kept': 'never'}


@pytest.mark.parametrize('render,leaf,default', [('template', 'v', None), ('all', 'w', 7)])
def test_render_renders_what_it_names_and_never_get_file_files(role, render, leaf, default):
    (role / 'templates' / 'lib' / 'child.yaml').write_text(CHILD.replace('v:', '{{ leaf }}:') if render == 'all'
                                                           else CHILD)
    args = {'template': 'main.yaml.j2', 'render': render, 'environment': ['env.yaml'] if render == 'all' else []}
    bundle = bundle_of(module_args(heat_stack, role, args, VARIABLES))
    assert sorted(bundle['template']['resources']) == ['x', 'y']
    assert sorted(json.loads(bundle['files']['lib/child.yaml'])['resources']) == [leaf]
    assert bundle['files']['lib/t.txt'] == '{{ kept }}'
    if default is not None:
        assert bundle['environment'][0]['document'] == {'parameter_defaults': {'a': default}}


def test_without_render_jinja_is_left_as_written(role):
    (role / 'files' / 'plain.yaml').write_text("heat_template_version: 2018-08-31\ndescription: '{{ a }}'\n")
    bundle = bundle_of(module_args(heat_stack, role, {'template': 'plain.yaml'}, VARIABLES))
    assert bundle['template']['description'] == '{{ a }}'


@pytest.mark.parametrize('text,message', [
    ('heat_template_version: 2018-08-31\n\nresources: {{ 1 + }}\n', 'with Jinja (line 3): '),
    ('heat_template_version: 2018-08-31\nresources: {{ nowhere.x }}\n', "'nowhere' is undefined"),
])
def test_a_render_error_names_the_file_and_the_line_jinja_gives(role, text, message):
    (role / 'templates' / 'broken.yaml').write_text(text)
    with pytest.raises(TemplateError) as caught:
        module_args(heat_stack, role, {'template': 'broken.yaml', 'render': 'template'}, VARIABLES)
    assert str(caught.value).startswith('cannot render template %s' % (role / 'templates' / 'broken.yaml'))
    assert message in str(caught.value)


def test_a_rendered_template_that_is_not_yaml_names_the_file(role):
    (role / 'templates' / 'loop.yaml').write_text('heat_template_version: 2018-08-31\nresources: [{{ a }}\n')
    with pytest.raises(TemplateError, match='template %s is not valid YAML' % (role / 'templates' / 'loop.yaml')):
        module_args(heat_stack, role, {'template': 'loop.yaml', 'render': 'template'}, VARIABLES)


@pytest.mark.parametrize('given,found', [('~/x.yaml', 'HOME/x.yaml'), ('$SOMEWHERE/x.yaml', '/srv/x.yaml'),
                                         ('x.yaml', 'x.yaml')])
def test_paths_are_expanded_as_the_module_expands_them(given, found, monkeypatch):
    monkeypatch.setenv('HOME', '/home/someone')
    monkeypatch.setenv('SOMEWHERE', '/srv')
    asked = []
    controller_files.resolved_stack_paths({'template': given}, lambda option, path: asked.append(path) or path)
    assert asked == [found.replace('HOME', '/home/someone')]


def test_an_environment_that_is_not_a_list_names_the_option():
    with pytest.raises(errors.ConfigurationError, match='^environment: '):
        controller_files.resolved_stack_paths({'environment': {'parameters': {}}}, lambda option, path: path)


@pytest.mark.parametrize('content,problem', [(b'\xff\xfe', 'is not UTF-8 text'), (b'a: [1\n', 'is not valid YAML')])
def test_a_nested_file_that_cannot_be_used_is_named(role, content, problem):
    (role / 'files' / 'lib' / 'child.yaml').write_bytes(content)
    with pytest.raises(TemplateError) as caught:
        module_args(heat_stack, role, {'template': 'main.yaml'})
    assert str(role / 'files' / 'lib' / 'child.yaml') in str(caught.value) and problem in str(caught.value)


class TaggedStr(str):
    """What ansible-core 2.19 hands an action for a string argument: a str subclass."""


class TaggedList(list):
    pass


class TaggedDict(dict):
    pass


def test_task_arguments_reach_the_loader_as_plain_python(role):
    text = TaggedStr('heat_template_version: 2018-08-31\nresources: {}\n')
    given = TaggedDict(template_body=text, environment=TaggedList([TaggedDict(parameters=TaggedDict(p=TaggedStr('v')))]))
    made = controller_files.plain(given)
    assert made == {'template_body': str(text), 'environment': [{'parameters': {'p': 'v'}}]}
    # Exact types, not subclasses.
    assert [type(part).__name__ for part in (made, made['template_body'], made['environment'],
                                             made['environment'][0]['parameters']['p'])] == ['dict', 'str', 'list', 'str']
    instance = action(heat_stack, role, given)
    ran = []
    instance._execute_module = lambda **kwargs: ran.append(kwargs) or {}
    instance._remove_tmp_path = lambda path: None
    instance._connection = type('Connection', (), {'has_native_async': False, '_shell': type('Shell', (), {
        'tmpdir': None})()})()
    original_run = controller_files.ActionBase.run
    controller_files.ActionBase.run = lambda self, tmp=None, task_vars=None: {}
    try:
        instance.run(task_vars={})
    finally:
        controller_files.ActionBase.run = original_run
    assert bundle_of(ran[0]['module_args'])['template'] == {'heat_template_version': '2018-08-31', 'resources': {}}

# -*- coding: utf-8 -*-
"""Templates travel from the controller: a role's files/ and templates/, Jinja, and stacks made before 0.2.0.

Each test lays out a role as users keep one (templates in files/, a nested template and a get_file file
beside it), runs ansible-playbook from a directory that is neither the playbook's nor the role's, and
checks what the real engine holds.
"""

import json
import os
import subprocess
import sys

import pytest
import yaml

from conftest import RunningPlaybook, unique_name, with_session_helper_dir

pytestmark = [pytest.mark.engine, pytest.mark.playbook]

MAIN = {'heat_template_version': '2018-08-31',
        'parameters': {'word': {'type': 'string', 'default': 'one'}},
        'resources': {'child': {'type': 'lib/child.yaml', 'properties': {'word': {'get_param': 'word'}}}},
        'outputs': {'out': {'value': {'get_attr': ['child', 'out']}}}}
CHILD = {'heat_template_version': '2018-08-31',
         'parameters': {'word': {'type': 'string'}},
         'resources': {'v': {'type': 'OS::Heat::Value', 'properties': {
             'value': {'list_join': [' ', [{'get_param': 'word'}, {'get_file': 'data/text.txt'}]]}}}},
         'outputs': {'out': {'value': {'get_attr': ['v', 'value']}}}}
# Rendered with the play's variables: one resource per name, and a description the engine keeps.
GROUP_J2 = '''heat_template_version: 2018-08-31
description: {{ purpose | to_json }}
resources:
{% for name in names %}
  {{ name }}:
    type: OS::Heat::Value
    properties: {value: {{ (name ~ '-' ~ suffix) | to_json }}}
{% endfor %}
'''


def write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content))


@pytest.fixture
def project(tmp_path):
    """playbooks/roles/web with files/ (stack.yaml, lib/child.yaml, lib/data/text.txt) and templates/group.yaml.j2."""
    role = tmp_path / 'project' / 'playbooks' / 'roles' / 'web'
    write(role / 'files' / 'stack.yaml', MAIN)
    write(role / 'files' / 'lib' / 'child.yaml', CHILD)
    write(role / 'files' / 'lib' / 'data' / 'text.txt', 'from the role')
    write(role / 'templates' / 'group.yaml.j2', GROUP_J2)
    return tmp_path / 'project'


def run_role(tmp_path, project, tasks, env, play_vars=None, extra_vars=None, check=False, diff=False, verbosity=0,
             output=None, target=None):
    """ansible-playbook playbooks/site.yml (roles: [web], the role's tasks being ``tasks``), from another directory.

    Each task is registered and may fail; the role's last task writes the results by task name. With
    ``target`` (the unprivileged_target fixture) the role's tasks run as that user, with its python.
    """
    run_dir = tmp_path / ('run-%s' % unique_name('r'))
    run_dir.mkdir(parents=True)
    results_file = run_dir / 'results.json'
    role_tasks = [dict(task, register='task_%d' % index, ignore_errors=True) for index, task in enumerate(tasks)]
    collected = ', '.join('%s: task_%d' % (json.dumps(task['name']), index) for index, task in enumerate(tasks))
    role_tasks.append({'name': 'collect results', 'ansible.builtin.copy': {
        'content': '{{ {%s} | to_json }}' % collected, 'dest': str(results_file)}, 'check_mode': False, 'diff': False,
        'become': False})
    write(project / 'playbooks' / 'roles' / 'web' / 'tasks' / 'main.yml', role_tasks)
    play = {'hosts': 'localhost', 'gather_facts': False, 'vars': play_vars or {}, 'roles': ['web']}
    play.update(target.play_keywords() if target else {})
    write(project / 'playbooks' / 'site.yml', [play])
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
               str(project / 'playbooks' / 'site.yml'), '-i', 'localhost,', '-c', 'local',
               '-e', 'ansible_python_interpreter=%s' % (target.python if target else sys.executable)]
    if extra_vars:
        command += ['-e', json.dumps(extra_vars)]
    command += ['-' + 'v' * verbosity] if verbosity else []
    command += ['--check'] if check else []
    command += ['--diff'] if diff else []
    run_env = dict((key, value) for key, value in os.environ.items() if not key.startswith('HEAT_RPC_'))
    run_env.update(env, ANSIBLE_NOCOLOR='1', ANSIBLE_LOCAL_TEMP=str(run_dir / 'ansible-tmp'),
                   ANSIBLE_RETRY_FILES_ENABLED='0')
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir(exist_ok=True)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=with_session_helper_dir(run_env), cwd=str(elsewhere))
    run = RunningPlaybook(process, run_dir, results_file).finish(300)
    assert run.results, run.output[-3000:]
    if output is not None:
        output.append(run.output)
    return run.results


def stack_task(task_name, **options):
    return {'name': task_name, 'heat_rpc.engine.heat_stack': dict(options)}


def test_a_role_keeps_its_templates_in_files_and_names_them_relative(
        tmp_path, project, env, client, service, stack_name):
    apply = [stack_task('stack', name=stack_name, template='stack.yaml')]
    created = run_role(tmp_path, project, apply, env)['stack']
    assert created['changed'] is True and not created.get('failed'), created.get('msg')
    assert created['stack']['outputs'] == {'out': 'one from the role'}
    identity = service.identify(stack_name)
    assert sorted(client.get_files(None, identity)) == ['lib/child.yaml', 'lib/data/text.txt']

    again = run_role(tmp_path, project, apply, env)['stack']
    assert (again['changed'], again['differences'], bool(again.get('failed'))) == (False, [], False), again.get('msg')

    write(project / 'playbooks' / 'roles' / 'web' / 'files' / 'lib' / 'data' / 'text.txt', 'changed in the role')
    checked = run_role(tmp_path, project, apply, env, check=True, diff=True)['stack']
    assert (checked['changed'], checked['differences']) == (True, ['files'])
    assert '+changed in the role' in checked['diff']['prepared']
    changed = run_role(tmp_path, project, apply, env)['stack']
    assert changed['changed'] is True and changed['stack']['outputs'] == {'out': 'one changed in the role'}


def test_a_file_not_found_names_every_directory_searched_and_sends_nothing(
        tmp_path, project, env, service, stack_name):
    results = run_role(tmp_path, project, [
        stack_task('missing template', name=stack_name, template='nowhere.yaml'),
        stack_task('missing environment', name=stack_name, template='stack.yaml', environment=['env/none.yaml'])], env)
    missing = results['missing template']
    assert missing['failed'] is True and missing['error']['kind'] == 'template_error'
    searched = project / 'playbooks'
    assert missing['msg'].startswith("template: Could not find or access 'nowhere.yaml'")
    for place in ('roles/web/files/nowhere.yaml', 'nowhere.yaml'):
        assert str(searched / place) in missing['msg'], missing['msg']
    assert results['missing environment']['msg'].startswith("environment[0]: Could not find or access 'env/none.yaml'")
    assert service.identify(stack_name) is None


def test_a_jinja_template_renders_with_the_play_variables_and_updates_when_they_change(
        tmp_path, project, env, client, service, stack_name):
    apply = [stack_task('stack', name=stack_name, template='group.yaml.j2', render='template')]
    play_vars = {'names': ['a', 'b', 'c'], 'suffix': 'x', 'purpose': 'rendered: on purpose'}
    created = run_role(tmp_path, project, apply, env, play_vars=play_vars)['stack']
    assert created['changed'] is True and not created.get('failed'), created.get('msg')
    identity = service.identify(stack_name)
    assert sorted(resource['resource_name'] for resource in client.list_stack_resources(None, identity)) == [
        'a', 'b', 'c']
    # What the engine keeps is the rendered text.
    assert client.get_template(None, identity)['description'] == 'rendered: on purpose'

    again = run_role(tmp_path, project, apply, env, play_vars=play_vars)['stack']
    assert (again['changed'], again['differences']) == (False, []), again.get('msg')

    more = dict(play_vars, names=['a', 'b', 'c', 'd'])
    checked = run_role(tmp_path, project, apply, env, play_vars=more, check=True, diff=True)['stack']
    assert checked['changed'] is True and checked['resource_changes']['added'] == ['d']
    # --diff shows the rendered template.
    assert sorted(checked['diff']['after']['template']['resources']) == ['a', 'b', 'c', 'd']
    assert checked['diff']['after']['template']['resources']['d']['properties'] == {'value': 'd-x'}
    updated = run_role(tmp_path, project, apply, env, play_vars=more)['stack']
    assert updated['changed'] is True and updated['stack']['status'] == 'UPDATE_COMPLETE', updated.get('msg')
    assert sorted(resource['resource_name'] for resource in client.list_stack_resources(None, identity)) == [
        'a', 'b', 'c', 'd']


def test_a_render_error_names_the_file_and_line_and_sends_nothing(tmp_path, project, env, service, stack_name):
    write(project / 'playbooks' / 'roles' / 'web' / 'templates' / 'broken.yaml.j2',
          'heat_template_version: 2018-08-31\nresources:\n  a: {{ 1 + }}\n')
    failed = run_role(tmp_path, project, [stack_task('stack', name=stack_name, template='broken.yaml.j2',
                                                     render='template')], env)['stack']
    assert failed['failed'] is True and failed['error']['kind'] == 'template_error'
    assert failed['msg'].startswith('cannot render template %s with Jinja (line 3): ' % (
        project / 'playbooks' / 'roles' / 'web' / 'templates' / 'broken.yaml.j2'))
    assert service.identify(stack_name) is None


def test_a_stack_made_from_files_read_on_the_target_re_applies_unchanged_from_the_controller(
        tmp_path, project, env, stack_name):
    """What 0.1.0 made (files read where the module runs) is the same definition read on the controller."""
    role_files = project / 'playbooks' / 'roles' / 'web' / 'files'
    on_target = [stack_task('stack', name=stack_name, template=str(role_files / 'stack.yaml'), remote_src=True,
                            environment=[{'parameters': {'word': 'two'}}])]
    created = run_role(tmp_path, project, on_target, env)['stack']
    assert created['changed'] is True and created['stack']['outputs'] == {'out': 'two from the role'}
    from_controller = [stack_task('stack', name=stack_name, template='stack.yaml',
                                  environment=[{'parameters': {'word': 'two'}}])]
    again = run_role(tmp_path, project, from_controller, env)['stack']
    assert (again['changed'], again['differences'], bool(again.get('failed'))) == (False, [], False), again.get('msg')
    back = run_role(tmp_path, project, on_target, env)['stack']
    assert (back['changed'], back['differences']) == (False, [])


def test_validate_and_software_config_read_from_the_role_too(tmp_path, project, env, client):
    write(project / 'playbooks' / 'roles' / 'web' / 'files' / 'install.sh', '#!/bin/sh\necho {{ kept }}\n')
    config_name = unique_name('cfg')
    results = run_role(tmp_path, project, [
        {'name': 'validate', 'heat_rpc.engine.heat_template_validate': {'template': 'stack.yaml'}},
        {'name': 'config', 'heat_rpc.engine.heat_software_config': {'name': config_name, 'config_file': 'install.sh'}},
        {'name': 'config again', 'heat_rpc.engine.heat_software_config': {
            'name': config_name, 'config_file': 'install.sh'}},
    ], env)
    try:
        assert not results['validate'].get('failed'), results['validate'].get('msg')
        assert sorted(results['validate']['parameters']) == ['word']
        config = results['config']
        assert config['changed'] is True and config['config']['config'] == '#!/bin/sh\necho {{ kept }}\n'
        assert results['config again']['changed'] is False
    finally:
        for result in (results['config'], results['config again']):
            if (result.get('config') or {}).get('id'):
                client.delete_software_config(None, result['config']['id'])
                break


def test_what_travels_is_never_shown_at_vvv(tmp_path, project, env, stack_name):
    """The files go to the module as template_bundle, which -vvv shows as a secret is shown: not at all."""
    marker = unique_name('only-in-a-file')
    write(project / 'playbooks' / 'roles' / 'web' / 'files' / 'lib' / 'data' / 'text.txt', marker)
    write(project / 'playbooks' / 'roles' / 'web' / 'files' / 'quiet.yaml', {
        'heat_template_version': '2018-08-31',
        'resources': {'child': {'type': 'lib/child.yaml', 'properties': {'word': 'w'}}}})
    output = []
    created = run_role(tmp_path, project, [stack_task('stack', name=stack_name, template='quiet.yaml')], env,
                       verbosity=3, output=output)['stack']
    assert created['changed'] is True, created.get('msg')
    assert 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' in output[0]
    assert marker not in output[0] and marker not in json.dumps(created)


def test_async_tasks_run_through_the_action_as_with_any_module(tmp_path, project, env, service, stack_name):
    results = run_role(tmp_path, project, [
        dict(stack_task('stack', name=stack_name, template='stack.yaml'), **{'async': 120, 'poll': 1}),
        dict(stack_task('again', name=stack_name, template='stack.yaml'), **{'async': 120, 'poll': 1})], env)
    assert results['stack']['changed'] is True and not results['stack'].get('failed'), results['stack'].get('msg')
    assert results['stack']['stack']['outputs'] == {'out': 'one from the role'}
    assert (results['again']['changed'], results['again']['differences']) == (False, [])
    assert service.identify(stack_name) is not None


def test_a_module_run_as_a_user_who_cannot_read_the_playbook_gets_every_file_with_the_task(
        tmp_path, project, env, client, service, stack_name, unprivileged_target):
    """The home topology: the module runs where the broker is (here another local user, through su, with a
    python of its own) and cannot read the project; nested templates and get_file travel with the task."""
    apply = [stack_task('stack', name=stack_name, template='stack.yaml')]
    on_target = [stack_task('read on the target', name=stack_name, remote_src=True, template=str(
        project / 'playbooks' / 'roles' / 'web' / 'files' / 'stack.yaml'))]
    refused = run_role(tmp_path, project, on_target, env, target=unprivileged_target)['read on the target']
    # The proof that the target cannot read the project: reading there fails.
    assert refused['failed'] is True and 'Permission denied' in refused['msg'], refused.get('msg')
    assert service.identify(stack_name) is None

    created = run_role(tmp_path, project, apply, env, target=unprivileged_target)['stack']
    assert created['changed'] is True and not created.get('failed'), created.get('msg')
    assert created['stack']['outputs'] == {'out': 'one from the role'}
    again = run_role(tmp_path, project, apply, env, target=unprivileged_target)['stack']
    assert (again['changed'], again['differences'], bool(again.get('failed'))) == (False, [], False), again.get('msg')

    write(project / 'playbooks' / 'roles' / 'web' / 'files' / 'lib' / 'data' / 'text.txt', 'second text')
    changed = run_role(tmp_path, project, apply, env, target=unprivileged_target)['stack']
    assert changed['changed'] is True and changed['differences'] == ['files'], changed.get('msg')
    assert changed['stack']['outputs'] == {'out': 'one second text'}
    deleted = run_role(tmp_path, project, [stack_task('delete', name=stack_name, template='stack.yaml',
                                                      state='absent')], env, target=unprivileged_target)['delete']
    assert deleted['changed'] is True and not deleted.get('failed'), deleted.get('msg')
    assert service.identify(stack_name) is None

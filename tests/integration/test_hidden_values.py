# -*- coding: utf-8 -*-
"""Issue #23: no path that returns engine text shows the value of a hidden parameter, against the real engine.

The engine quotes a value it cannot use: ``could not convert string to float: '<value>'`` when a hidden number is
given a word (validate, create), the same as the status reason of a stack, resource and events when a resource
fails on it at create time (the value reaches the property through get_attr, so validation cannot see it), and
``invalid literal for int() with base 10: '<value>'`` as an output's error (yaql). Each row runs one module's (or
controller plugin's) failure path through ansible-playbook (ansible-inventory) at -vvv and fails if the value shows
anywhere in its output or result.

A run knows a hidden value when the task gives it (heat_template_validate, heat_stack) or when the stack holds it
in an environment file, whose text get_files returns unmasked: the ECHOING stack is made that way. A value given
in ``parameters`` when a stack was made is stored masked; a module that works on such a stack cannot know it
(only export_stack's data carries it), so no row claims that case.

Not rows: heat_software_config and heat_software_deployment (and their _info modules). Software configs and
deployments have no hidden inputs: the engine has no such flag for them, so there is no hidden value these modules
are given or can read, and nothing to mask; their failures quote only the task's own options.
heat_template_validate without strict: the engine does not check parameter values then (the same task is
``valid: true``, the value masked as the engine stores it), so nothing quotes it. heat_resource_signal's failure: see its row.
"""

import json
import os
import subprocess
import sys
import time
import uuid

import pytest
import yaml

from conftest import engine_environment, run_playbook

SECRET = 'hushhush-%s' % uuid.uuid4().hex[:12]
# The task takes the value from the environment: a literal in the playbook would be shown by ansible-core itself
# (2.19+ quotes the task's lines when it fails), which is not the modules' doing.
SECRET_VARIABLE = 'HEAT_RPC_TEST_HIDDEN_VALUE'
GIVEN = "{{ lookup('ansible.builtin.env', '%s') }}" % SECRET_VARIABLE

HIDDEN_NUMBER = {'heat_template_version': '2021-04-16', 'parameters': {'n': {'type': 'number', 'hidden': True}},
                 'resources': {'none': {'type': 'OS::Heat::None'}}}
# Fails at create on the hidden value (TestResource's wait_secs is a number), and has an output that cannot be
# resolved from it: the engine quotes the value in the stack's, the resource's and the events' status reasons and
# in the output's error.
ECHOING = {
    'heat_template_version': '2021-04-16',
    'parameters': {'s': {'type': 'string', 'hidden': True}},
    'resources': {
        'v': {'type': 'OS::Heat::Value', 'properties': {'value': {'get_param': 's'}}},
        'r': {'type': 'OS::Heat::TestResource', 'properties': {'wait_secs': {'get_attr': ['v', 'value']}}},
    },
    'outputs': {'o': {'value': {'yaql': {'expression': 'int($.data.x)', 'data': {'x': {'get_param': 's'}}}}}},
}
ENVIRONMENT_FILE = 'hidden-env.yaml'


def module_task(module, **args):
    return {'name': 'path', 'heat_rpc.engine.' + module: args}


def lookup_task(stack):
    return {'name': 'path', 'ansible.builtin.debug': {
        'msg': "{{ lookup('heat_rpc.engine.heat_stack_output', 'o', stack='%s') }}" % stack}}


# (row id, how the path is run: 'playbook' with the task made from the stack's name, or 'inventory' with the
#  source; the stack the path works on (None; 'named': none, its name cleaned up; 'echoing', 'echoing+snapshot');
#  what shows that the path went as it should: ('kind', error kind) of the module's failure, ('text', words of the
#  failure), ('report', resource) of heat_stack_info's failures report, ('resource', status) of the resource returned)
ROWS = [
    ('heat_template_validate strict: a hidden number given a word', 'playbook',
     lambda stack: module_task('heat_template_validate', template_body=HIDDEN_NUMBER, parameters={'n': GIVEN},
                               strict=True),
     None, ('kind', 'validation_failed')),
    ('heat_stack: a create that fails on the hidden value', 'playbook',
     lambda stack: module_task('heat_stack', name=stack, template_body=ECHOING, parameters={'s': GIVEN},
                               wait_timeout=120),
     'named', ('kind', 'stack_failed')),
    ('heat_stack_wait: a stack that failed on it', 'playbook',
     lambda stack: module_task('heat_stack_wait', stack=stack, wait_timeout=60),
     'echoing', ('kind', 'stack_failed')),
    ('heat_stack_action check: of a stack that failed on it', 'playbook',
     lambda stack: module_task('heat_stack_action', stack=stack, action='check', wait_timeout=60),
     'echoing', ('kind', 'stack_failed')),
    ('heat_stack_hook wait: on a stack that failed on it', 'playbook',
     lambda stack: module_task('heat_stack_hook', stack=stack, action='wait', resources=['r'], wait_timeout=60),
     'echoing', ('kind', 'stack_failed')),
    ('heat_snapshot restored: the restore fails on it again', 'playbook',
     lambda stack: module_task('heat_snapshot', stack=stack, name='before', state='restored', wait_timeout=60),
     'echoing+snapshot', ('kind', 'stack_failed')),
    # heat_resource_signal's failure is the engine's refusal, which quotes nothing ("signal is not supported for
    # resource.") and returns no facts: with masking removed it still shows no hidden value, so it is no row. The
    # resource it returns as found does quote it (its status reason): that path is the row, in check mode.
    ('heat_resource_signal check mode: the resource as found', 'playbook',
     lambda stack: dict(module_task('heat_resource_signal', stack=stack, resource='r', data={'x': 1}),
                        check_mode=True),
     'echoing', ('resource', 'CREATE_FAILED')),
    ('heat_stack_info failures: the report quotes the failed resource', 'playbook',
     lambda stack: module_task('heat_stack_info', name=stack, include=['failures']),
     'echoing', ('report', 'r')),
    ('heat_stack_output lookup: an output that cannot be resolved', 'playbook',
     lookup_task, 'echoing', ('text', "output 'o'")),
    ('heat_stack inventory: a hosts output that cannot be resolved', 'inventory',
     lambda stack: {'plugin': 'heat_rpc.engine.heat_stack', 'stack': stack, 'hosts_output': 'o'},
     'echoing', ('text', "output 'o'")),
]


def echoing_stack(client, make_stack, name, with_snapshot):
    """The ECHOING stack, failed, its hidden value given by an environment file (which get_files returns)."""
    identity = make_stack(ECHOING, name=name, files={ENVIRONMENT_FILE: json.dumps({'parameters': {'s': SECRET}})},
                          environment_files=[ENVIRONMENT_FILE])
    if with_snapshot:
        client.stack_snapshot(None, identity, 'before')
        deadline = time.time() + 60
        while not all(snapshot['status'] == 'COMPLETE' for snapshot in client.stack_list_snapshots(None, identity)):
            assert time.time() < deadline, 'the snapshot did not complete'
            time.sleep(1)
    return identity


def run_inventory(tmp_path, source, env):
    path = tmp_path / 'hidden.heat_stack.yml'
    path.write_text(yaml.safe_dump(source))
    run_env = dict((key, value) for key, value in os.environ.items() if not key.startswith('HEAT_RPC_'))
    run_env.update(env, ANSIBLE_INVENTORY_UNPARSED_FAILED='1', ANSIBLE_NOCOLOR='1')
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-inventory'), '-i', str(path), '--list',
               '-vvv']
    proc = subprocess.run(command, capture_output=True, text=True, env=run_env, timeout=180, check=False)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.playbook
@pytest.mark.parametrize('how,path,stack,failed_as', [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_no_path_shows_a_hidden_value(tmp_path, heat_testbed, client, make_stack, stack_name, how, path, stack,
                                      failed_as):
    assert SECRET not in json.dumps(ROWS, default=str)
    if stack in ('echoing', 'echoing+snapshot'):
        echoing_stack(client, make_stack, stack_name, stack == 'echoing+snapshot')
    env = dict(engine_environment(heat_testbed), **{SECRET_VARIABLE: SECRET})
    if how == 'inventory':
        returncode, output = run_inventory(tmp_path, path(stack_name), env)
        result = {}
        assert returncode != 0, output
    else:
        run = run_playbook(tmp_path, [path(stack_name)], env=env, verbosity=3)
        output, result = run.output, run.results.get('path')
        assert result is not None, output
    assert SECRET not in output
    assert SECRET not in json.dumps(result)
    what, expected = failed_as
    if what == 'kind':
        assert result.get('failed') and result['error']['kind'] == expected, result
    elif what == 'resource':
        assert result['resource']['status'] == expected and '********' in result['resource']['status_reason'], result
    elif what == 'report':
        assert [entry for entry in result['stacks'][0]['failures'] if entry['name'] == expected], result
    else:
        assert expected in output and '********' in output, output

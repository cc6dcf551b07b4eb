# -*- coding: utf-8 -*-
"""The heat_rpc.engine.heat_stack inventory plugin through ansible-inventory, against the real engine."""

import hashlib
import json
import os
import subprocess
import sys

import yaml

from conftest import engine_environment, unique_name

INNER = {
    'heat_template_version': '2018-08-31',
    'resources': {'deep': {'type': 'OS::Heat::TestResource', 'properties': {'value': '192.0.2.30'}}},
}
TEMPLATE = {
    'heat_template_version': '2018-08-31',
    'resources': {
        'app0': {'type': 'OS::Heat::TestResource', 'properties': {'value': '192.0.2.10'}},
        'app1': {'type': 'OS::Heat::TestResource', 'properties': {'value': '192.0.2.11'}},
        'word': {'type': 'OS::Heat::Value', 'properties': {'value': 'not a host'}},
        'tier': {'type': 'tier.yaml'},
    },
    'outputs': {
        'inventory': {'value': {
            'web': {'web-0': {'ansible_host': {'get_attr': ['app0', 'output']}, 'role': 'front'},
                    'web-1': None},
            'db': ['db-0', 'web-1'],
            'spare': None,
        }},
        'not_hosts': {'value': ['a', 'b']},
    },
}


def plain(value):
    """``value`` without ansible-inventory's marks of untrusted strings ({"__ansible_unsafe": "text"})."""
    if isinstance(value, dict):
        if list(value) == ['__ansible_unsafe']:
            return value['__ansible_unsafe']
        return dict((key, plain(item)) for key, item in value.items())
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def inventory(tmp_path, source, env, *args):
    """Run ansible-inventory on ``source``; (exit code, stdout, stderr).

    The same source is written to the same file: the inventory cache is keyed by the file's path.
    """
    text = yaml.safe_dump(source)
    path = tmp_path / ('%s.heat_stack.yml' % hashlib.sha1(text.encode('utf-8')).hexdigest()[:10])
    path.write_text(text)
    run_env = dict((key, value) for key, value in os.environ.items() if not key.startswith('HEAT_RPC_'))
    run_env.update({'ANSIBLE_INVENTORY_UNPARSED_FAILED': '1', 'ANSIBLE_NOCOLOR': '1'})
    run_env.update(env)
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-inventory'), '-i', str(path)] + list(args)
    proc = subprocess.run(command, capture_output=True, text=True, env=run_env, timeout=180, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def test_hosts_and_groups_from_an_output_and_from_resources(tmp_path, heat_testbed, make_stack):
    name = unique_name('inv')
    identity = make_stack(TEMPLATE, files={'tier.yaml': json.dumps(INNER)}, name=name)
    env = engine_environment(heat_testbed)
    source = {
        'plugin': 'heat_rpc.engine.heat_stack',
        'stack': name,
        'hosts_output': 'inventory',
        'resources': [{'type': 'OS::Heat::TestResource', 'attributes': ['output'], 'group': 'tests',
                       'nested_depth': 1}],
        'compose': {'ansible_host': 'heat_attributes.output'},
        'groups': {'front': "role | default('') == 'front'"},
        'keyed_groups': [{'key': 'heat_resource.type', 'prefix': 'type'}],
        'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile', 'cache_connection': str(tmp_path / 'cache'),
    }
    code, out, err = inventory(tmp_path, source, env, '--list')
    assert code == 0, err
    listed = plain(json.loads(out))
    hostvars = listed['_meta']['hostvars']
    assert sorted(listed['web']['hosts']) == ['web-0', 'web-1']
    assert sorted(listed['db']['hosts']) == ['db-0', 'web-1']
    assert 'spare' in listed['all']['children']
    assert sorted(listed['tests']['hosts']) == ['app0', 'app1', 'deep']
    assert listed['front']['hosts'] == ['web-0']
    assert sorted(listed['type_OS__Heat__TestResource']['hosts']) == ['app0', 'app1', 'deep']
    assert 'word' not in hostvars  # an OS::Heat::Value is not of the type asked for
    # Output host variables, resolved by the engine; every host knows its stack.
    assert hostvars['web-0']['ansible_host'] == '192.0.2.10' and hostvars['web-0']['role'] == 'front'
    assert hostvars['db-0']['heat_stack'] == {'name': name, 'id': identity['stack_id'], 'status': 'CREATE_COMPLETE'}
    # Resource hosts: chosen attributes, the resource, and compose on them.
    deep = hostvars['deep']
    assert deep['heat_attributes'] == {'output': '192.0.2.30'} and deep['ansible_host'] == '192.0.2.30'
    assert deep['heat_resource']['type'] == 'OS::Heat::TestResource'
    assert deep['heat_resource']['status'] == 'CREATE_COMPLETE'
    assert deep['heat_resource']['stack_name'] != name and deep['heat_resource']['physical_id']

    code, graph, err = inventory(tmp_path, source, env, '--graph')
    assert code == 0, err
    assert '|--@web:' in graph and '|  |--web-0' in graph and '|--@tests:' in graph and '|  |--deep' in graph

    # The cache answers while the engine cannot be reached; --flush-cache asks the engine again.
    unreachable = dict(env, HEAT_RPC_TRANSPORT_URL='rabbit://nobody:hush-hush@127.0.0.1:1/', HEAT_RPC_CONNECT_TIMEOUT='2')
    code, cached, err = inventory(tmp_path, source, unreachable, '--list')
    assert code == 0, err
    assert plain(json.loads(cached))['_meta']['hostvars'] == hostvars
    code, out, err = inventory(tmp_path, source, unreachable, '--list', '--flush-cache')
    assert code != 0
    assert "stack '%s'" % name in err and 'hush-hush' not in err + out


def test_options_in_the_file_win_over_the_environment_and_errors_name_the_problem(
        tmp_path, heat_testbed, make_stack):
    name = unique_name('inv')
    make_stack(TEMPLATE, files={'tier.yaml': json.dumps(INNER)}, name=name)
    env = engine_environment(heat_testbed)
    options = ('transport_url', 'project_id', 'username', 'password')
    explicit = dict((option, env.pop('HEAT_RPC_' + option.upper())) for option in options)
    env['HEAT_RPC_TRANSPORT_URL'] = 'rabbit://nobody:nothing@127.0.0.1:1/'
    source = dict(explicit, plugin='heat_rpc.engine.heat_stack', stack=name, hosts_output='inventory')
    code, out, err = inventory(tmp_path, source, env, '--list')
    assert code == 0, err
    assert sorted(plain(json.loads(out))['_meta']['hostvars']) == ['db-0', 'web-0', 'web-1']
    assert explicit['password'] not in out + err

    cases = [
        (dict(source, hosts_output='not_hosts'), "output 'not_hosts' must be a mapping of group name to hosts, not list"),
        (dict(source, hosts_output='nothing'), "stack '%s' has no output 'nothing'" % name),
        (dict(source, stack='no-such-' + name), "stack 'no-such-%s' not found" % name),
        (dict(source, hosts_output=None), 'set hosts_output or resources'),
        (dict(source, resources=[{'attributes': ['x']}]), 'resources[0]: type (a resource type such as OS::Nova::Server) is required'),
        (dict(source, rpc_timeout='soon'), 'rpc_timeout'),
    ]
    for bad, message in cases:
        code, out, err = inventory(tmp_path, bad, env, '--list')
        assert code != 0, bad
        assert message in ' '.join(err.split()), (message, err)
        assert explicit['password'] not in out + err

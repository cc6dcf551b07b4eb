# -*- coding: utf-8 -*-
"""heat_stack_info end to end: ansible-playbook, the collection by FQCN, a real engine."""

import socket
import time

from conftest import run_playbook, engine_environment, unique_name
from test_engine_api import TEMPLATE


def test_list_and_show_a_stack_by_name_and_id(tmp_path, heat_testbed, make_stack):
    name = unique_name('pb')
    identity = make_stack(TEMPLATE, params={'word': 'from-playbook'}, name=name)
    run = run_playbook(tmp_path, [
        {'name': 'list', 'heat_rpc.engine.heat_stack_info': {}},
        {'name': 'by name', 'heat_rpc.engine.heat_stack_info': {'name': name}},
        {'name': 'by id', 'heat_rpc.engine.heat_stack_info': {'id': identity['stack_id'], 'resolve_outputs': False}},
        {'name': 'missing', 'heat_rpc.engine.heat_stack_info': {'name': 'no-such-' + name}},
    ], env=engine_environment(heat_testbed))
    assert run.returncode == 0, run.output
    assert run.stats['changed'] == 0 and run.stats['ignored'] == 0
    listed = run.results['list']['stacks']
    assert name in [s['name'] for s in listed]
    assert all('outputs' not in s for s in listed)
    by_name = run.results['by name']
    assert by_name['changed'] is False
    [stack] = by_name['stacks']
    assert (stack['id'], stack['status'], stack['action']) == (identity['stack_id'], 'CREATE_COMPLETE', 'CREATE')
    assert stack['outputs']['test_output'] == 'from-playbook'
    assert len(stack['outputs']['random_value']) == 8
    assert {'key': 'test_output', 'value': 'from-playbook', 'description': 'what the test resource says',
            'error': None} in stack['output_list']
    assert stack['parameters']['secret'] == '******'
    [by_id] = run.results['by id']['stacks']
    assert by_id['name'] == name and 'outputs' not in by_id
    assert run.results['missing']['stacks'] == []


def test_module_options_override_the_environment(tmp_path, heat_testbed, make_stack):
    name = unique_name('pbopt')
    make_stack(TEMPLATE, name=name)
    env = engine_environment(heat_testbed)
    context = heat_testbed['context']
    options = {'transport_url': env.pop('HEAT_RPC_TRANSPORT_URL'), 'project_id': env.pop('HEAT_RPC_PROJECT_ID'),
               'username': context['username'], 'password': context['password'], 'name': name}
    run = run_playbook(tmp_path, [{'name': 'explicit', 'heat_rpc.engine.heat_stack_info': options}],
                       env={'HEAT_RPC_TRANSPORT_URL': 'rabbit://nobody:nothing@127.0.0.1:1/'}, verbosity=3)
    assert run.returncode == 0, run.output
    assert run.results['explicit']['stacks'][0]['name'] == name
    # -vvv prints the module invocation: the transport URL and the password are masked there.
    for text in (run.output, run.log):
        assert context['password'] not in text
        assert heat_testbed['transport_url'] not in text


def test_unreachable_broker_fails_fast_with_a_clear_message(tmp_path):
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        started = time.monotonic()
        run = run_playbook(tmp_path, [{'name': 'down', 'heat_rpc.engine.heat_stack_info': {
            'transport_url': 'rabbit://heat:Sup3r%40secret@127.0.0.1:' + str(port) + '/', 'connect_timeout': 3}}],
            verbosity=3)
        elapsed = time.monotonic() - started
    result = run.results['down']
    assert result['failed'] is True
    assert result['msg'].startswith('cannot reach the RabbitMQ broker (127.0.0.1:%d: ' % port)
    assert result['error']['kind'] == 'broker_unreachable'
    for text in (run.output, run.log):
        # (not the bare word: option names such as application_credential_secret are printed at -vvv)
        assert 'Sup3r' not in text and '@secret' not in text and '%40secret' not in text
    assert elapsed < 60


def test_wrong_broker_password_is_an_auth_error(tmp_path, heat_testbed):
    env = engine_environment(heat_testbed)
    env['HEAT_RPC_TRANSPORT_URL'] = env['HEAT_RPC_TRANSPORT_URL'].replace('guest:guest@', 'guest:Wr0ng%40pass@')
    run = run_playbook(tmp_path, [{'name': 'auth', 'heat_rpc.engine.heat_stack_info': {}}], env=env, verbosity=3)
    result = run.results['auth']
    assert result['failed'] is True
    assert result['msg'] == "the RabbitMQ broker refused the login of user 'guest' (wrong username or password)"
    assert result['error']['kind'] == 'auth_refused'
    assert 'Wr0ng' not in run.output


def test_wrong_exchange_is_engine_not_answering(tmp_path, heat_testbed):
    env = engine_environment(heat_testbed)
    env['HEAT_RPC_EXCHANGE'] = 'openstack'
    started = time.monotonic()
    run = run_playbook(tmp_path, [{'name': 'exchange', 'heat_rpc.engine.heat_stack_info': {'rpc_timeout': 3}}],
                       env=env)
    elapsed = time.monotonic() - started
    result = run.results['exchange']
    assert result['failed'] is True
    assert result['error']['kind'] == 'engine_not_answering'
    assert "heat-engine did not answer 'list_stacks' within 3.0 s on exchange 'openstack'" in result['msg']
    assert 'guest:guest' not in run.output
    assert elapsed < 30


def test_module_runs_leave_no_entry_point_cache_files(tmp_path, heat_testbed):
    """stevedore caches entry points in a file named after sys.path, which holds each task's own temporary
    directory: with the driver found through it, every task wrote a new file under $XDG_CACHE_HOME."""
    cache_home = tmp_path / 'xdg-cache'
    cache_home.mkdir()
    env = dict(engine_environment(heat_testbed), XDG_CACHE_HOME=str(cache_home))
    run = run_playbook(tmp_path, [{'name': 'read %d' % n, 'heat_rpc.engine.heat_stack_info': {}} for n in range(3)],
                       env=env)
    assert run.returncode == 0, run.output
    assert all(run.results['read %d' % n]['failed'] is False for n in range(3)), run.output
    assert sorted(str(path.relative_to(cache_home)) for path in cache_home.rglob('*')) == []

# -*- coding: utf-8 -*-
"""The heat_rpc.engine.heat_stack_output lookup in a playbook, against the real engine."""

from conftest import engine_environment, run_playbook, unique_name

TEMPLATE = {
    'heat_template_version': '2018-08-31',
    'resources': {'app': {'type': 'OS::Heat::TestResource', 'properties': {'value': 'http://192.0.2.10/'}}},
    'outputs': {
        'url': {'value': {'get_attr': ['app', 'output']}},
        'endpoints': {'value': {'public': {'get_attr': ['app', 'output']}, 'ports': [80, 443]}},
        # Resolvable only once the resource exists, and then an error: there is no 6th item.
        'broken': {'value': {'str_split': [',', {'get_attr': ['app', 'output']}, 5]}},
    },
}


def lookup_task(title, expression):
    return {'name': title, 'ansible.builtin.debug': {'msg': '{{ %s }}' % expression}}


def test_output_values_by_lookup_and_query(tmp_path, heat_testbed, make_stack):
    name = unique_name('look')
    make_stack(TEMPLATE, name=name)
    env = engine_environment(heat_testbed)
    context = heat_testbed['context']
    explicit = ("transport_url='%s', project_id='%s', username='%s', password='%s'" % (
        env['HEAT_RPC_TRANSPORT_URL'], env['HEAT_RPC_PROJECT_ID'], context['username'], context['password']))
    lookup = "lookup('heat_rpc.engine.heat_stack_output', %s, stack='" + name + "'%s)"
    run = run_playbook(tmp_path, [
        lookup_task('one', lookup % ("'url'", '')),
        lookup_task('structured', lookup % ("'endpoints'", '')),
        lookup_task('query', "query('heat_rpc.engine.heat_stack_output', 'url', 'endpoints', stack='%s')" % name),
        lookup_task('missing output', lookup % ("'nothing'", '')),
        lookup_task('missing stack', "lookup('heat_rpc.engine.heat_stack_output', 'url', stack='no-such-%s')" % name),
        lookup_task('unresolvable', lookup % ("'broken'", '')),
        lookup_task('bad option', lookup % ("'url'", ", rpc_timeout='soon'")),
    ], env=env)
    results = run.results
    assert results['one']['msg'] == 'http://192.0.2.10/', run.output
    assert results['structured']['msg'] == {'public': 'http://192.0.2.10/', 'ports': [80, 443]}
    assert results['query']['msg'] == ['http://192.0.2.10/', {'public': 'http://192.0.2.10/', 'ports': [80, 443]}]
    assert results['missing output']['failed'] is True
    assert "stack '%s' has no output 'nothing'" % name in results['missing output']['msg']
    assert "stack 'no-such-%s' not found" % name in results['missing stack']['msg']
    assert "output 'broken' of stack '%s' cannot be resolved" % name in results['unresolvable']['msg']
    assert 'rpc_timeout' in results['bad option']['msg']

    # Options given to the lookup win over the environment; the password never shows.
    broken_env = dict(env, HEAT_RPC_TRANSPORT_URL='rabbit://nobody:hush-hush@127.0.0.1:1/', HEAT_RPC_CONNECT_TIMEOUT='2')
    explicit_lookup = "lookup('heat_rpc.engine.heat_stack_output', 'url', stack='%s', %s)" % (name, explicit)
    run = run_playbook(tmp_path / 'explicit', [
        lookup_task('explicit', explicit_lookup),
        lookup_task('unreachable', lookup % ("'url'", '')),
    ], env=broken_env)
    assert run.results['explicit']['msg'] == 'http://192.0.2.10/', run.output
    unreachable = run.results['unreachable']
    assert unreachable['failed'] is True and 'cannot reach the RabbitMQ broker' in unreachable['msg']
    assert 'hush-hush' not in run.output + run.log

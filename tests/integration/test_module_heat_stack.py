# -*- coding: utf-8 -*-
"""heat_stack through ansible-playbook against the real engine: idempotency, check mode, failures."""

import copy
import json

import pytest
import yaml

from conftest import run_playbook

TEMPLATE = {
    'heat_template_version': '2018-08-31',
    'description': 'heat_stack module test',
    'parameters': {
        'length': {'type': 'number', 'default': 8},
        'word': {'type': 'string', 'default': 'hello'},
        'secret': {'type': 'string', 'default': 'initial-secret', 'hidden': True},
        'timeout': {'type': 'number', 'default': 1},
    },
    'resources': {
        'random': {'type': 'OS::Heat::RandomString', 'properties': {'length': {'get_param': 'length'}}},
        'test': {'type': 'OS::Heat::TestResource', 'properties': {'value': {'get_param': 'word'}}},
    },
    'outputs': {
        'random_value': {'value': {'get_attr': ['random', 'value']}},
        'word': {'value': {'get_attr': ['test', 'output']}},
        'timeout_param': {'value': {'get_param': 'timeout'}},
    },
}

FAILING = {
    'heat_template_version': '2018-08-31',
    'parameters': {'fail': {'type': 'boolean', 'default': True}},
    'resources': {
        'ok': {'type': 'OS::Heat::Value', 'properties': {'value': 'fine'}},
        'test': {'type': 'OS::Heat::TestResource', 'depends_on': 'ok',
                 'properties': {'value': 'x', 'fail': {'get_param': 'fail'}}},
    },
}


def stack_task(name, title='stack', **options):
    options.setdefault('template_body', TEMPLATE)
    return {'name': title, 'heat_rpc.engine.heat_stack': dict(name=name, **options)}


def engine_view(client, service, name):
    """What the engine says about the stack: state, updated_time and the number of events."""
    raw = service.find(name, resolve_outputs=False)
    if raw is None:
        return None
    identity = raw['stack_identity']
    return {'state': '%s_%s' % (raw['stack_action'], raw['stack_status']), 'updated_time': raw['updated_time'],
            'events': len(client.list_events(None, identity)), 'template': client.get_template(None, identity)}


def test_create_noop_update_replace_delete(tmp_path, env, client, service, stack_name):
    run = run_playbook(tmp_path, [stack_task(stack_name, parameters={'word': 'one', 'timeout': 42}, tags=['a', 'b'])],
                       env=env)
    created = run.results['stack']
    assert created['changed'] is True and not created.get('failed'), run.output
    assert created['stack']['status'] == 'CREATE_COMPLETE'
    assert created['stack']['outputs']['word'] == 'one'
    assert created['stack']['outputs']['timeout_param'] == 42  # a stack parameter named "timeout"
    assert created['stack']['tags'] == ['a', 'b']
    before = engine_view(client, service, stack_name)

    # The same task again: nothing is sent, nothing changes on the engine.
    run = run_playbook(tmp_path, [stack_task(stack_name, parameters={'word': 'one', 'timeout': 42}, tags=['a', 'b'])],
                       env=env)
    assert run.stats['changed'] == 0, run.output
    assert run.results['stack']['changed'] is False and run.results['stack']['differences'] == []
    assert engine_view(client, service, stack_name) == before
    # The stack as found, with its outputs, without reading it again.
    assert run.results['stack']['stack']['outputs'] == created['stack']['outputs']
    assert run.results['stack']['stack']['status'] == 'CREATE_COMPLETE'

    # An in-place update: the TestResource is updated, the RandomString kept; tags are kept when not given.
    run = run_playbook(tmp_path, [stack_task(stack_name, parameters={'word': 'two', 'timeout': 42})], env=env)
    updated = run.results['stack']
    assert updated['changed'] is True and not updated.get('failed'), run.output
    assert updated['differences'] == ['parameters']
    assert 'test' in updated['resource_changes']['updated'] and 'random' in updated['resource_changes']['unchanged']
    assert updated['stack']['status'] == 'UPDATE_COMPLETE' and updated['stack']['outputs']['word'] == 'two'
    assert updated['stack']['tags'] == ['a', 'b']
    assert updated['stack']['outputs']['random_value'] == created['stack']['outputs']['random_value']

    # A replacement: a new length makes a new RandomString.
    run = run_playbook(tmp_path, [stack_task(stack_name, parameters={'word': 'two', 'timeout': 42, 'length': 12})],
                       env=env)
    replaced = run.results['stack']
    assert replaced['resource_changes']['replaced'] == ['random']
    assert len(replaced['stack']['outputs']['random_value']) == 12

    run = run_playbook(tmp_path, [
        {'name': 'delete', 'heat_rpc.engine.heat_stack': {'name': stack_name, 'state': 'absent'}},
        {'name': 'delete again', 'heat_rpc.engine.heat_stack': {'name': stack_name, 'state': 'absent'}},
    ], env=env)
    assert run.results['delete']['changed'] is True and run.results['delete']['stack'] is None
    assert run.results['delete again']['changed'] is False
    assert service.find(stack_name) is None


def test_check_mode_writes_nothing_and_predicts(tmp_path, env, client, service, stack_name):
    broken = copy.deepcopy(TEMPLATE)
    broken['resources']['test']['properties']['no_such_property'] = 1
    run = run_playbook(tmp_path, [
        stack_task(stack_name, title='create'),
        stack_task(stack_name, title='invalid', template_body=broken),
        stack_task(stack_name, title='bad parameter', parameters={'length': 'eight'}),
    ], env=env, check=True)
    create = run.results['create']
    assert create['changed'] is True and sorted(create['resource_changes']['added']) == ['random', 'test']
    assert 'no_such_property' in run.results['invalid']['msg']
    assert run.results['invalid']['error']['kind'] == 'validation_failed'
    assert 'length' in run.results['bad parameter']['msg']
    assert client.count_stacks(None, filters={'name': stack_name}) == 0

    run_playbook(tmp_path, [stack_task(stack_name)], env=env)
    before = engine_view(client, service, stack_name)
    run = run_playbook(tmp_path, [
        stack_task(stack_name, title='update', parameters={'length': 20}),
        stack_task(stack_name, title='same'),
        {'name': 'absent', 'heat_rpc.engine.heat_stack': {'name': stack_name, 'state': 'absent'}},
    ], env=env, check=True)
    assert run.results['update']['changed'] is True
    assert run.results['update']['resource_changes']['replaced'] == ['random']
    assert run.results['same']['changed'] is False
    assert run.results['absent']['changed'] is True
    assert engine_view(client, service, stack_name) == before


def test_diff_masks_hidden_parameters(tmp_path, env, stack_name):
    run_playbook(tmp_path, [stack_task(stack_name, parameters={'secret': 'first-hidden-value'})], env=env)
    run = run_playbook(tmp_path, [stack_task(stack_name, parameters={'secret': 'second-hidden-value', 'word': 'w'})],
                       env=env, diff=True)
    result = run.results['stack']
    assert result['changed'] is True
    assert result['diff']['before']['environment']['parameters']['secret'] == '******'
    assert result['diff']['after']['environment']['parameters'] == {'secret': '******', 'word': 'w'}
    assert result['diff']['after']['template'] == TEMPLATE
    for text in (run.output, run.log, json.dumps(result)):
        assert 'first-hidden-value' not in text and 'second-hidden-value' not in text


@pytest.mark.parametrize('rollback,final', [(False, 'CREATE_FAILED'), (True, 'ROLLBACK_COMPLETE')])
def test_runtime_failure_fails_the_task_and_a_fixed_run_recovers(tmp_path, env, service, stack_name, rollback,
                                                                 final):
    run = run_playbook(tmp_path, [stack_task(stack_name, template_body=FAILING, rollback=rollback)], env=env)
    failed = run.results['stack']
    assert failed['failed'] is True and failed['changed'] is True
    assert failed['stack']['status'] == final
    assert failed['msg'].startswith("stack '%s' is %s: " % (stack_name, final))
    if not rollback:
        [resource] = failed['failed_resources']
        assert resource['name'] == 'test' and resource['status'] == 'CREATE_FAILED'
        assert 'Test Resource failed' in resource['status_reason']
    assert any(e['resource_name'] == 'test' and e['status'] == 'CREATE_FAILED' for e in failed['events'])

    # The same definition again is not "ok": the stack is failed, so it is updated (and fails again).
    run = run_playbook(tmp_path, [stack_task(stack_name, template_body=FAILING, rollback=rollback)], env=env)
    assert run.results['stack']['failed'] is True

    run = run_playbook(tmp_path, [stack_task(stack_name, template_body=FAILING, rollback=rollback,
                                             parameters={'fail': False})], env=env)
    recovered = run.results['stack']
    assert not recovered.get('failed'), recovered.get('msg')
    assert recovered['changed'] is True and recovered['stack']['status'] == 'UPDATE_COMPLETE'
    run = run_playbook(tmp_path, [stack_task(stack_name, template_body=FAILING, rollback=rollback,
                                             parameters={'fail': False})], env=env)
    assert run.results['stack']['changed'] is False


def test_update_failure_with_and_without_rollback(tmp_path, env, service, stack_name):
    good = {'fail': False}
    run_playbook(tmp_path, [stack_task(stack_name, template_body=FAILING, parameters=good, rollback=True)], env=env)
    run = run_playbook(tmp_path, [stack_task(stack_name, template_body=FAILING, parameters={'fail': True})], env=env)
    result = run.results['stack']
    assert result['failed'] is True and result['changed'] is True
    assert result['stack']['status'] == 'ROLLBACK_COMPLETE'
    # Without rollback the stack stays UPDATE_FAILED, and the next full run repairs it.
    run = run_playbook(tmp_path, [stack_task(stack_name, template_body=FAILING, parameters={'fail': True},
                                             rollback=False)], env=env)
    assert run.results['stack']['stack']['status'] == 'UPDATE_FAILED'
    run = run_playbook(tmp_path, [stack_task(stack_name, template_body=FAILING, parameters=good)], env=env)
    assert run.results['stack']['stack']['status'] == 'UPDATE_COMPLETE'


def test_nested_template_get_file_and_environment_files(tmp_path, env, client, service, stack_name):
    (tmp_path / 'lib').mkdir()
    (tmp_path / 'lib' / 'greeting.txt').write_text('hello from a file')
    (tmp_path / 'lib' / 'child.yaml').write_text(yaml.safe_dump({
        'heat_template_version': '2018-08-31',
        'parameters': {'who': {'type': 'string'}},
        'resources': {'inner': {'type': 'OS::Heat::Value', 'properties': {
            'value': {'str_replace': {'template': 'GREETING, WHO', 'params': {
                'GREETING': {'get_file': 'greeting.txt'}, 'WHO': {'get_param': 'who'}}}}}}},
        'outputs': {'said': {'value': {'get_attr': ['inner', 'value']}}},
    }))
    (tmp_path / 'main.yaml').write_text(yaml.safe_dump({
        'heat_template_version': '2018-08-31',
        'parameters': {'who': {'type': 'string'}},
        'resources': {'child': {'type': 'My::Child', 'properties': {'who': {'get_param': 'who'}}}},
        'outputs': {'said': {'value': {'get_attr': ['child', 'said']}}},
    }))
    (tmp_path / 'env.yaml').write_text('resource_registry:\n  My::Child: lib/child.yaml\n'
                                       'parameters:\n  who: the env file\n')
    task = stack_task(stack_name, template=str(tmp_path / 'main.yaml'), environment=[str(tmp_path / 'env.yaml')])
    del task['heat_rpc.engine.heat_stack']['template_body']
    run = run_playbook(tmp_path, [task], env=env)
    result = run.results['stack']
    assert not result.get('failed'), result.get('msg')
    assert result['stack']['outputs']['said'] == 'hello from a file, the env file'
    files = client.get_files(None, service.find(stack_name)['stack_identity'])
    # Keyed relative to the root template; the environment file is sent as a layer the engine merges.
    assert sorted(files) == ['env.yaml', 'lib/child.yaml', 'lib/greeting.txt']
    run = run_playbook(tmp_path, [task], env=env)
    assert run.results['stack']['changed'] is False
    (tmp_path / 'lib' / 'greeting.txt').write_text('hi from a changed file')
    run = run_playbook(tmp_path, [task], env=env)
    assert run.results['stack']['differences'] == ['files']
    assert run.results['stack']['stack']['outputs']['said'] == 'hi from a changed file, the env file'


def test_bad_input_fails_before_anything_is_created(tmp_path, env, client, stack_name):
    (tmp_path / 'broken.yaml').write_text('heat_template_version: 2018-08-31\nresources:\n  a: [b\n')
    unknown = {'heat_template_version': '2018-08-31', 'resources': {'r': {'type': 'OS::No::Such'}}}
    bad_yaml = stack_task(stack_name, title='bad yaml', template=str(tmp_path / 'broken.yaml'))
    del bad_yaml['heat_rpc.engine.heat_stack']['template_body']
    run = run_playbook(tmp_path, [
        bad_yaml,
        stack_task(stack_name, title='no version', template_body={'resources': {}}),
        stack_task(stack_name, title='bad type', parameters={'length': 'eight'}),
        stack_task(stack_name, title='unknown type', template_body=unknown),
        stack_task(stack_name, title='unknown parameter', parameters={'nope': 1}),
        stack_task(stack_name, title='bad timeout', timeout=0),
        stack_task(stack_name, title='two templates', template_url='file:///dev/null'),
        {'name': 'patch missing', 'heat_rpc.engine.heat_stack': {'name': stack_name, 'existing': True,
                                                                 'parameters': {'word': 'x'}}},
    ], env=env)
    assert run.results['patch missing']['error']['kind'] == 'not_found'
    assert run.results['patch missing']['msg'] == 'stack %s not found: existing: true updates a stack that exists' \
        % stack_name
    # (libyaml and pure-Python PyYAML word the problem differently; the position is the same)
    assert run.results['bad yaml']['msg'].startswith(
        'template %s is not valid YAML (line 4, column 1): ' % (tmp_path / 'broken.yaml'))
    assert run.results['no version']['msg'].startswith('template template_body has no version key')
    assert "Parameter 'length' is invalid" in run.results['bad type']['msg']
    assert 'OS::No::Such' in run.results['unknown type']['msg']
    assert 'nope' in run.results['unknown parameter']['msg']
    assert run.results['bad timeout']['msg'] == 'timeout must be a positive number, not 0'
    assert run.results['bad timeout']['error']['kind'] == 'configuration'
    assert 'mutually exclusive' in run.results['two templates']['msg']
    assert all(result['failed'] for result in run.results.values())
    assert client.count_stacks(None, filters={'name': stack_name}) == 0


def test_wait_timeout_then_the_next_run_waits_instead_of_acting_again(tmp_path, env, client, service, stack_name):
    slow = {'heat_template_version': '2018-08-31', 'resources': {
        'slow': {'type': 'OS::Heat::TestResource', 'properties': {'value': 'v', 'action_wait_secs': {'create': 8}}}}}
    run = run_playbook(tmp_path, [stack_task(stack_name, template_body=slow, wait_timeout=2)], env=env)
    result = run.results['stack']
    assert result['failed'] is True and result['changed'] is True
    assert result['msg'].startswith('gave up after wait_timeout 2s with the stack CREATE_IN_PROGRESS')
    assert result['stack']['status'] == 'CREATE_IN_PROGRESS'
    run = run_playbook(tmp_path, [stack_task(stack_name, template_body=slow, wait_timeout=60)], env=env)
    again = run.results['stack']
    assert again['changed'] is False and again['stack']['status'] == 'CREATE_COMPLETE'
    events = client.list_events(None, service.find(stack_name)['stack_identity'])
    assert sum(1 for e in events if e['resource_name'] == stack_name and e['resource_status'] == 'IN_PROGRESS') == 1


def test_patch_update_and_clear_parameters(tmp_path, env, client, service, stack_name):
    run_playbook(tmp_path, [stack_task(stack_name, parameters={'word': 'kept', 'length': 10})], env=env)
    run = run_playbook(tmp_path, [
        {'name': 'patch', 'heat_rpc.engine.heat_stack': {'name': stack_name, 'existing': True,
                                                         'parameters': {'length': 11}}},
        {'name': 'patch again', 'heat_rpc.engine.heat_stack': {'name': stack_name, 'existing': True,
                                                               'parameters': {'length': 11}}},
        {'name': 'clear', 'heat_rpc.engine.heat_stack': {'name': stack_name, 'existing': True,
                                                         'clear_parameters': ['word']}},
    ], env=env)
    assert run.results['patch']['changed'] is True
    assert run.results['patch']['stack']['outputs']['word'] == 'kept'
    assert len(run.results['patch']['stack']['outputs']['random_value']) == 11
    assert run.results['patch again']['changed'] is False
    assert run.results['clear']['changed'] is True
    assert run.results['clear']['stack']['outputs']['word'] == 'hello'


def test_suspended_and_back_to_present(tmp_path, env, stack_name):
    run = run_playbook(tmp_path, [
        stack_task(stack_name, title='create suspended', state='suspended'),
        stack_task(stack_name, title='suspended again', state='suspended'),
        stack_task(stack_name, title='present resumes'),
        stack_task(stack_name, title='present again'),
    ], env=env)
    assert run.results['create suspended']['stack']['status'] == 'SUSPEND_COMPLETE'
    assert run.results['suspended again']['changed'] is False
    assert run.results['present resumes']['changed'] is True and run.results['present resumes']['resumed'] is True
    assert run.results['present resumes']['stack']['status'] == 'RESUME_COMPLETE'
    assert run.results['present again']['changed'] is False


def test_stack_found_by_id_and_deleted_stack_counts_as_absent(tmp_path, env, client, service, stack_name):
    run = run_playbook(tmp_path, [stack_task(stack_name)], env=env)
    stack_id = run.results['stack']['stack']['id']
    run = run_playbook(tmp_path, [
        stack_task(stack_id, title='by id'),
        {'name': 'delete by id', 'heat_rpc.engine.heat_stack': {'name': stack_id, 'state': 'absent'}},
        {'name': 'deleted id is absent', 'heat_rpc.engine.heat_stack': {'name': stack_id, 'state': 'absent'}},
    ], env=env)
    assert run.results['by id']['changed'] is False and run.results['by id']['stack']['name'] == stack_name
    assert run.results['delete by id']['changed'] is True
    assert run.results['deleted id is absent']['changed'] is False


def test_recreate_right_after_delete(tmp_path, env, client, stack_name):
    """The engine holds a deleted stack's name for a moment after DELETE_COMPLETE; a create in that window
    must still succeed (heat_stack waits for the name to be released) and make exactly one stack."""
    run = run_playbook(tmp_path, [
        stack_task(stack_name, title='create'),
        {'name': 'delete', 'heat_rpc.engine.heat_stack': {'name': stack_name, 'state': 'absent'}},
        stack_task(stack_name, title='recreate'),
    ], env=env)
    assert run.results['delete']['changed'] is True
    recreated = run.results['recreate']
    assert not recreated.get('failed'), recreated.get('msg')
    assert recreated['changed'] is True and recreated['stack']['status'] == 'CREATE_COMPLETE'
    assert recreated['stack']['id'] != run.results['create']['stack']['id']
    assert client.count_stacks(None, filters={'name': stack_name}) == 1

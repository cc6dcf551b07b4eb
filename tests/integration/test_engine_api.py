# -*- coding: utf-8 -*-
"""Every EngineClient method against the real heat-engine, with assertions on what it answers."""

import time
import uuid

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import METHODS
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import Poller, wait_for_stack

from conftest import STACK_WAIT, unique_name

HOT = 'heat_template_version.2018-08-31'

TEMPLATE = {
    'heat_template_version': '2018-08-31',
    'description': 'integration stack',
    'parameters': {
        'length': {'type': 'number', 'default': 8},
        'secret': {'type': 'string', 'default': 'hush-hush', 'hidden': True},
        'word': {'type': 'string', 'default': 'hello'},
    },
    'resources': {
        'random': {'type': 'OS::Heat::RandomString', 'properties': {'length': {'get_param': 'length'}}},
        'value': {'type': 'OS::Heat::Value', 'properties': {'value': {'get_attr': ['random', 'value']}}},
        'test': {'type': 'OS::Heat::TestResource', 'properties': {'value': {'get_param': 'word'}}},
    },
    'outputs': {
        'random_value': {'value': {'get_attr': ['random', 'value']}},
        'test_output': {'value': {'get_attr': ['test', 'output']}, 'description': 'what the test resource says'},
    },
}

NESTED_CHILD = '''
heat_template_version: 2018-08-31
parameters:
  greeting: {type: string}
resources:
  inner: {type: OS::Heat::Value, properties: {value: {get_param: greeting}}}
outputs:
  said: {value: {get_attr: [inner, value]}}
'''

NESTED_PARENT = {
    'heat_template_version': '2018-08-31',
    'resources': {
        'child': {'type': 'child.yaml', 'properties': {'greeting': 'hi'}},
    },
    'outputs': {'child_said': {'value': {'get_attr': ['child', 'said']}}},
}

QUICK = {
    'heat_template_version': '2018-08-31',
    'resources': {'slow': {'type': 'OS::Heat::TestResource', 'properties': {'value': 'one'}}},
}

# The update to this takes 15 s (a cancel with rollback waits for it); a rollback back to QUICK takes none.
SLOW_UPDATE = {
    'heat_template_version': '2018-08-31',
    'resources': {'slow': {'type': 'OS::Heat::TestResource', 'properties': {
        'value': 'two', 'action_wait_secs': {'update': 15}}}},
}


def settle(service, identity, *actions):
    raw = wait_for_stack(service, identity, STACK_WAIT, actions=actions or None)
    assert raw is not None
    return raw


def outputs_of(raw):
    return dict((o['output_key'], o['output_value']) for o in raw.get('outputs', []))


# -- engine and template introspection ------------------------------------------------------------------------------

def test_engine_identity_and_services(client):
    revision = client.get_revision(None)
    assert isinstance(revision, str) and revision
    services = client.list_services(None)
    assert services and all(s['binary'] == 'heat-engine' for s in services)
    assert any(s['status'] == 'up' for s in services)


def test_authenticated_to_backend_is_broken_inside_heat_27(client):
    """heat 27's EngineService.authenticated_to_backend calls a method its clients object lacks.

    The client still delivers the engine's failure as a typed error with the engine's message.
    """
    with pytest.raises(errors.EngineError) as caught:
        client.authenticated_to_backend(None)
    assert caught.value.remote_name == 'AttributeError'
    assert str(caught.value) == "'OpenStackClients' object has no attribute 'authenticated'"
    assert 'Traceback' in caught.value.details


def test_template_versions_and_functions(client):
    versions = dict((v['version'], v['type']) for v in client.list_template_versions(None))
    assert versions[HOT] == 'hot'
    functions = set(f['functions'] for f in client.list_template_functions(None, HOT))
    assert {'get_param', 'get_attr', 'str_replace'} <= functions
    # with_condition (1.35) adds the condition functions. (heat 27 merges them into its class-level table
    # on such a call, so later plain listings of that version include them too: compare nothing else.)
    older = 'heat_template_version.2016-10-14'
    with_conditions = set(f['functions'] for f in client.list_template_functions(None, older, with_condition=True))
    assert {'and', 'equals', 'not', 'or', 'get_param'} <= with_conditions
    cfn_version = 'AWSTemplateFormatVersion.2010-09-09'
    cfn = set(f['functions'] for f in client.list_template_functions(None, cfn_version, with_condition=True))
    assert {'Fn::Equals', 'Fn::GetAtt'} <= cfn


def test_resource_types_schema_and_generated_templates(client):
    names = client.list_resource_types(None)
    assert 'OS::Heat::RandomString' in names and 'OS::Heat::TestResource' in names
    filtered = client.list_resource_types(None, type_name='OS::Heat::Random.*')
    assert filtered == ['OS::Heat::RandomString']
    supported = client.list_resource_types(None, support_status='SUPPORTED', heat_version='5.0.0')
    assert 'OS::Heat::Value' not in supported  # Value appeared in Heat 7.0.0
    described = client.list_resource_types(None, type_name='OS::Heat::Value', with_description=True)
    assert described[0]['resource_type'] == 'OS::Heat::Value' and described[0]['description']
    schema = client.resource_schema(None, 'OS::Heat::RandomString')
    assert schema['resource_type'] == 'OS::Heat::RandomString'
    assert 'length' in schema['properties'] and 'value' in schema['attributes']
    assert 'description' in client.resource_schema(None, 'OS::Heat::RandomString', with_description=True)
    cfn = client.generate_template(None, 'OS::Heat::RandomString')
    assert cfn['HeatTemplateFormatVersion'] == '2012-12-12' and 'random_string' not in cfn
    assert 'length' in cfn['Parameters'] and cfn['Resources']
    hot = client.generate_template(None, 'OS::Heat::RandomString', template_type='hot')
    assert 'heat_template_version' in hot and 'resources' in hot


def test_validate_template_reports_parameters_nested_and_errors(client):
    result = client.validate_template(None, TEMPLATE)
    assert result['Description'] == 'integration stack'
    assert result['Parameters']['secret']['NoEcho'] == 'true'
    assert result['Parameters']['length']['Type'] == 'Number'
    nested = client.validate_template(None, NESTED_PARENT, files={'child.yaml': NESTED_CHILD}, show_nested=True)
    assert 'NestedParameters' in nested and 'child' in nested['NestedParameters']
    # The engine answers some invalid templates with an error inside a normal result.
    embedded = client.validate_template(None, {'heat_template_version': '2018-08-31',
                                               'resources': {'r': {'type': 'OS::No::Such'}}})
    assert 'OS::No::Such' in embedded['Error']
    env_file = 'parameter_defaults:\n  length: 12\n'
    # The engine merges environment files into params section by section: each section must be there.
    skeleton = {'parameters': {}, 'parameter_defaults': {}, 'resource_registry': {}}
    with_env = client.validate_template(None, TEMPLATE, params=skeleton, files={'env.yaml': env_file},
                                        environment_files=['env.yaml'])
    assert with_env['Parameters']['length']['Default'] == 12
    # ignorable_errors (1.24) is accepted with a known error code ("service not available").
    assert 'Error' not in client.validate_template(None, TEMPLATE, ignorable_errors=['99001'])


# -- a stack's whole life ----------------------------------------------------------------------------------------------

def test_preview_create_and_read_back_a_stack(client, service, make_stack):
    name = unique_name('life')
    preview = client.preview_stack(None, name, TEMPLATE, {'parameters': {'length': 5}}, {}, {})
    assert preview['stack_name'] == name
    assert sorted(r['resource_name'] for r in preview['resources']) == ['random', 'test', 'value']

    identity = make_stack(TEMPLATE, params={'length': 5}, name=name, args={'timeout_mins': 7})
    assert identity['stack_name'] == name and identity['stack_id']
    assert client.identify_stack(None, name) == identity
    assert client.identify_stack(None, identity['stack_id'])['stack_name'] == name

    raw = service.show(identity)
    assert (raw['stack_action'], raw['stack_status']) == ('CREATE', 'COMPLETE')
    assert raw['timeout_mins'] == 7
    assert raw['parameters']['secret'] == '******'
    outputs = outputs_of(raw)
    assert len(outputs['random_value']) == 5 and outputs['test_output'] == 'hello'
    without = client.show_stack(None, identity, resolve_outputs=False)[0]
    assert 'outputs' not in without

    listed = client.list_stacks(None, filters={'name': name})
    assert [s['stack_name'] for s in listed] == [name]
    assert client.count_stacks(None, filters={'name': name}) == 1
    assert client.count_stacks(None, filters={'name': 'no-such-' + name}) == 0

    assert client.get_template(None, identity)['resources'].keys() == TEMPLATE['resources'].keys()
    assert client.get_environment(None, identity)['parameters'] == {'length': 5}
    assert client.get_files(None, identity) == {}
    output_keys = sorted(o['output_key'] for o in client.list_outputs(None, identity))
    assert output_keys == ['random_value', 'test_output']
    assert client.show_output(None, identity, 'test_output')['output_value'] == 'hello'


def test_resources_events_and_physical_ids(client, service, make_stack):
    identity = make_stack(TEMPLATE)
    resources = client.list_stack_resources(None, identity)
    assert sorted(r['resource_name'] for r in resources) == ['random', 'test', 'value']
    detailed = client.list_stack_resources(None, identity, with_detail=True)
    assert all('attributes' in r for r in detailed)
    only_test = client.list_stack_resources(None, identity, filters={'name': 'test'})
    assert [r['resource_name'] for r in only_test] == ['test']

    test = client.describe_stack_resource(None, identity, 'test', with_attr=['output'])
    assert test['resource_type'] == 'OS::Heat::TestResource'
    assert test['attributes']['output'] == 'hello'
    described = client.describe_stack_resources(None, identity, 'random')
    assert [r['resource_name'] for r in described] == ['random']

    physical = [r for r in resources if r['physical_resource_id']][0]
    found = client.find_physical_resource(None, physical['physical_resource_id'])
    assert found['stack_id'] == identity['stack_id']
    assert found['path'] == '/resources/%s' % physical['resource_name']

    events = client.list_events(None, identity)
    assert len(events) >= 8  # stack and 3 resources, each IN_PROGRESS and COMPLETE
    limited = client.list_events(None, identity, limit=2, sort_dir='asc', sort_keys=['created_at'])
    assert len(limited) == 2
    test_events = client.list_events(None, identity, filters={'resource_name': 'test'})
    assert set(e['resource_name'] for e in test_events) == {'test'}
    assert client.list_events(None, identity, nested_depth=1)


def test_nested_stack_with_files_and_depth(client, service, make_stack):
    identity = make_stack(NESTED_PARENT, files={'child.yaml': NESTED_CHILD})
    raw = service.show(identity)
    assert raw['stack_status'] == 'COMPLETE', raw['stack_status_reason']
    assert outputs_of(raw)['child_said'] == 'hi'
    assert client.get_files(None, identity) == {'child.yaml': NESTED_CHILD}
    deep = client.list_stack_resources(None, identity, nested_depth=1)
    assert sorted(r['resource_name'] for r in deep) == ['child', 'inner']
    nested_events = client.list_events(None, identity, nested_depth=1)
    assert any(e['resource_name'] == 'inner' for e in nested_events)
    child = [r for r in deep if r['resource_name'] == 'child'][0]
    with pytest.raises(errors.NotSupportedError) as caught:
        client.migrate_convergence_1(None, child['physical_resource_id'])
    assert 'nested stack' in str(caught.value)
    # A convergence stack is already migrated: the engine answers with nothing to do.
    assert client.migrate_convergence_1(None, identity['stack_id']) is None


def test_check_suspend_resume_update_and_mark_unhealthy(client, service, make_stack):
    identity = make_stack(TEMPLATE)
    client.stack_check(None, identity)
    assert settle(service, identity, 'CHECK')['stack_status'] == 'COMPLETE'
    client.stack_suspend(None, identity)
    assert settle(service, identity, 'SUSPEND')['stack_status'] == 'COMPLETE'
    client.stack_resume(None, identity)
    assert settle(service, identity, 'RESUME')['stack_status'] == 'COMPLETE'

    changed = client.preview_update_stack(None, identity, TEMPLATE, {'parameters': {'word': 'bye'}}, {}, {})
    assert 'test' in [r['resource_name'] for r in changed['updated']]
    assert 'random' in [r['resource_name'] for r in changed['unchanged']]
    assert not changed['deleted'] and not changed['added'] and not changed['replaced']
    client.update_stack(None, identity, TEMPLATE, {'parameters': {'word': 'bye'}}, {}, {})
    raw = settle(service, identity, 'UPDATE')
    assert raw['stack_status'] == 'COMPLETE'
    assert client.show_output(None, identity, 'test_output')['output_value'] == 'bye'

    client.resource_mark_unhealthy(None, identity, 'test', True, resource_status_reason='broken on purpose')
    test = client.describe_stack_resource(None, identity, 'test')
    assert (test['resource_action'], test['resource_status']) == ('CHECK', 'FAILED')
    assert 'broken on purpose' in test['resource_status_reason']


def test_signal_releases_a_breakpoint_hook(client, service, make_stack):
    env = {'parameters': {}, 'resource_registry': {'resources': {'test': {'hooks': 'pre-create'}}}}
    name = unique_name('hook')
    identity = client.create_stack(None, name, TEMPLATE, env, {}, {})
    try:
        def hook_waiting():
            events = client.list_events(None, identity, filters={'resource_name': 'test'})
            return any('paused until Hook pre-create is cleared' in (e.get('resource_status_reason') or '')
                       for e in events)
        Poller(60).wait(hook_waiting, bool)
        assert service.show(identity)['stack_status'] == 'IN_PROGRESS'
        client.resource_signal(None, identity, 'test', {'unset_hook': 'pre-create'}, sync_call=True)
        assert settle(service, identity, 'CREATE')['stack_status'] == 'COMPLETE'
    finally:
        client.delete_stack(None, identity)
        wait_for_stack(service, identity, STACK_WAIT, actions=('DELETE',))


@pytest.mark.parametrize('rollback,final', [(True, ('ROLLBACK', 'COMPLETE')), (False, ('UPDATE', 'FAILED'))])
def test_cancel_update(client, service, make_stack, rollback, final):
    identity = make_stack(QUICK)
    client.update_stack(None, identity, SLOW_UPDATE, {}, {}, {})
    Poller(30).wait(lambda: service.show(identity), lambda raw: raw['stack_action'] == 'UPDATE'
                    and raw['stack_status'] == 'IN_PROGRESS')
    client.stack_cancel_update(None, identity, cancel_with_rollback=rollback)
    raw = settle(service, identity, final[0])
    assert (raw['stack_action'], raw['stack_status']) == final


def test_cancel_update_of_a_settled_stack_is_refused(client, make_stack):
    identity = make_stack(TEMPLATE)
    with pytest.raises(errors.NotSupportedError) as caught:
        client.stack_cancel_update(None, identity)
    assert 'Cancelling update when stack is' in str(caught.value)


def test_snapshots_restore_export_and_abandon(client, service, make_stack):
    identity = make_stack(TEMPLATE)
    snapshot = client.stack_snapshot(None, identity, 'first')
    assert snapshot['name'] == 'first'
    shown = Poller(60).wait(lambda: client.show_snapshot(None, identity, snapshot['id']),
                            lambda s: s['status'] != 'IN_PROGRESS')
    assert shown['status'] == 'COMPLETE', shown['status_reason']
    assert [s['id'] for s in client.stack_list_snapshots(None, identity)] == [snapshot['id']]
    # Change the stack, then restore it: the random value comes back.
    client.update_stack(None, identity, TEMPLATE, {'parameters': {'length': 20}}, {}, {})
    settle(service, identity, 'UPDATE')
    assert len(outputs_of(service.show(identity))['random_value']) == 20
    client.stack_restore(None, identity, snapshot['id'])
    restored = settle(service, identity, 'RESTORE')
    assert restored['stack_status'] == 'COMPLETE', restored['stack_status_reason']
    # The snapshot's template and parameters come back (RandomString makes a new value of the old length).
    assert restored['parameters']['length'] == '8'
    assert len(outputs_of(service.show(identity))['random_value']) == 8
    client.delete_snapshot(None, identity, snapshot['id'])
    Poller(30).wait(lambda: client.stack_list_snapshots(None, identity), lambda s: s == [])

    exported = client.export_stack(None, identity)
    assert exported['name'] == identity['stack_name'] and 'resources' in exported
    abandoned = client.abandon_stack(None, identity)
    assert abandoned['name'] == identity['stack_name']
    assert sorted(abandoned['resources']) == ['random', 'test', 'value']
    Poller(60).wait(lambda: service.find(identity['stack_id']), lambda raw: raw is None)


def test_delete_and_identity_of_a_deleted_stack(client, service, make_stack):
    identity = make_stack(TEMPLATE)
    client.delete_stack(None, identity)
    assert wait_for_stack(service, identity, STACK_WAIT, actions=('DELETE',)) is None
    # By name and by id the engine may still find the DELETE_COMPLETE record for a moment (by id for
    # good); the service treats it as absent either way.
    assert service.find(identity['stack_name']) is None
    assert service.find(identity['stack_id']) is None

    def name_released():
        try:
            client.identify_stack(None, identity['stack_name'])
        except errors.NotFoundError:
            return True
        return False
    assert Poller(15).wait(name_released, bool)
    with pytest.raises(errors.NotFoundError):
        client.show_stack(None, {'stack_name': 'nope', 'stack_id': str(uuid.uuid4()), 'tenant': 'x', 'path': ''})


def test_create_failure_is_typed(client):
    with pytest.raises(errors.ValidationFailedError) as caught:
        client.create_stack(None, unique_name('bad'), TEMPLATE, {'parameters': {'length': 'eight'}}, {}, {})
    assert 'length' in str(caught.value)
    with pytest.raises(errors.ValidationFailedError):
        client.create_stack(None, unique_name('bad'), TEMPLATE, {'parameters': {'nope': 1}}, {}, {})


def test_stack_exists_is_a_conflict(client, make_stack):
    identity = make_stack(TEMPLATE)
    with pytest.raises(errors.ConflictError) as caught:
        client.create_stack(None, identity['stack_name'], TEMPLATE, {}, {}, {})
    assert caught.value.remote_name == 'StackExists'


# -- software configuration and deployments -------------------------------------------------------------------------

def test_software_configs(client):
    name = unique_name('cfg')
    config = client.create_software_config(None, 'script', name, '#!/bin/sh\necho hi\n',
                                           inputs=[{'name': 'who', 'type': 'String'}],
                                           outputs=[{'name': 'result'}], options={'opt': 1})
    try:
        assert config['name'] == name and config['group'] == 'script'
        shown = client.show_software_config(None, config['id'])
        assert shown['config'] == '#!/bin/sh\necho hi\n'
        assert shown['inputs'][0]['name'] == 'who' and shown['options'] == {'opt': 1}
        listed = client.list_software_configs(None, limit=100)
        assert config['id'] in [c['id'] for c in listed]
        assert len(client.list_software_configs(None, limit=1)) == 1
    finally:
        client.delete_software_config(None, config['id'])
    with pytest.raises(errors.NotFoundError):
        client.show_software_config(None, config['id'])


def test_software_deployments(client):
    server_id = str(uuid.uuid4())
    config = client.create_software_config(None, 'script', unique_name('dcfg'), 'echo',
                                           outputs=[{'name': 'result'}])
    deployment = client.create_software_deployment(None, server_id, config_id=config['id'],
                                                   input_values={'who': 'me'}, action='CREATE',
                                                   status='IN_PROGRESS', status_reason='started',
                                                   deployment_id=str(uuid.uuid4()))
    try:
        assert deployment['server_id'] == server_id and deployment['status'] == 'IN_PROGRESS'
        assert client.show_software_deployment(None, deployment['id'])['input_values'] == {'who': 'me'}
        assert [d['id'] for d in client.list_software_deployments(None, server_id=server_id)] == [deployment['id']]
        metadata = client.metadata_software_deployments(None, server_id)
        assert [m['id'] for m in metadata] == [config['id']]
        client.signal_software_deployment(None, deployment['id'], {'result': 42, 'deploy_status_code': 0})
        signalled = client.show_software_deployment(None, deployment['id'])
        assert signalled['status'] == 'COMPLETE' and signalled['output_values']['result'] == 42
        checked = client.check_software_deployment(None, deployment['id'], 5)
        assert (checked['id'], checked['status']) == (deployment['id'], 'COMPLETE')
        updated = client.update_software_deployment(None, deployment['id'], status='FAILED',
                                                    status_reason='by hand', action='UPDATE')
        assert (updated['status'], updated['status_reason'], updated['action']) == ('FAILED', 'by hand', 'UPDATE')
    finally:
        client.delete_software_deployment(None, deployment['id'])
        client.delete_software_config(None, config['id'])
    with pytest.raises(errors.NotFoundError):
        client.show_software_deployment(None, deployment['id'])


def test_check_of_a_deployment_in_progress_gets_no_answer_from_heat_27(heat_testbed):
    """heat 27 raises its scheduler Timeout (a BaseException) inside the RPC server, which then never
    answers; the client reports "engine not answering" after its own deadline instead of hanging."""
    from conftest import settings_for
    from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient

    with EngineClient(settings_for(heat_testbed, timeout=3)) as short:
        config = short.create_software_config(None, 'script', unique_name('ccfg'), 'echo')
        deployment = short.create_software_deployment(None, str(uuid.uuid4()), config_id=config['id'],
                                                      status='IN_PROGRESS')
        try:
            started = time.monotonic()
            with pytest.raises(errors.EngineNotAnsweringError) as caught:
                short.check_software_deployment(None, deployment['id'], 1)
            assert time.monotonic() - started < 3 + 1 + 5
            assert "did not answer 'check_software_deployment'" in str(caught.value)
        finally:
            short.delete_software_deployment(None, deployment['id'])
            short.delete_software_config(None, config['id'])


# -- the removed watch API ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize('method,args', [
    ('create_watch_data', ('w', {'d': 1})),
    ('show_watch', ()),
    ('show_watch_metric', ()),
    ('set_watch_state', ('w', 'ALARM')),
])
def test_watch_methods_are_not_supported_by_this_engine(client, method, args):
    with pytest.raises(errors.NotSupportedError) as caught:
        getattr(client, method)(None, *args)
    assert caught.value.remote_name == 'NoSuchMethod'
    assert method in str(caught.value)


def test_every_client_method_is_exercised_here():
    """Keeps this file honest: a new EngineClient method needs a test above."""
    with open(__file__) as handle:
        source = handle.read()
    missing = [name for name in METHODS if 'client.%s(' % name not in source and "'%s'" % name not in source]
    assert missing == []


def test_a_frozen_engine_is_noticed_by_the_call_monitor(heat_testbed):
    """With the engine stopped (SIGSTOP), no heartbeat comes: the call fails after call_monitor_timeout,
    long before rpc_timeout; once the engine runs again the same client works."""
    import json
    import os
    import signal

    from conftest import settings_for
    from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient

    with open(os.path.join(heat_testbed['state_dir'], 'testbed.json')) as handle:
        engine_group = json.load(handle)['pgid']
    with EngineClient(settings_for(heat_testbed, timeout=60, call_monitor_timeout=4)) as monitored:
        assert monitored.get_revision(None)
        os.killpg(engine_group, signal.SIGSTOP)
        try:
            started = time.monotonic()
            with pytest.raises(errors.EngineNotAnsweringError) as caught:
                monitored.get_revision(None)
            elapsed = time.monotonic() - started
        finally:
            os.killpg(engine_group, signal.SIGCONT)
        assert 3.5 < elapsed < 15
        assert 'no heartbeat for call_monitor_timeout 4 s' in str(caught.value)
        assert monitored.get_revision(None)

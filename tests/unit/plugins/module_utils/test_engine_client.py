# -*- coding: utf-8 -*-
"""EngineClient against oslo.messaging's in-process fake transport and a real RPC server.

Proves, for every engine method, the method name and arguments that reach
the server, the API version each call is pinned to, and the version cap.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import inspect

import pytest

oslo_messaging = pytest.importorskip('oslo_messaging')

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import METHODS  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_settings  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import RequestContext  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.transport import EngineConnection  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient  # noqa: E402

from fake_engine import FakeEngine  # noqa: E402

STACK = {'stack_name': 's1', 'stack_id': 'abc', 'tenant': 'p1', 'path': ''}
TEMPLATE = {'heat_template_version': '2018-08-31', 'resources': {}}

# method -> (positional args after ctxt, keyword args, expected kwargs on the wire, expected version)
CALLS = {
    'identify_stack': (('s1',), {}, {'stack_name': 's1'}, '1.0'),
    'list_stacks': ((), {}, {}, '1.0'),
    'count_stacks': ((), {'tags': ['a'], 'show_nested': True}, {'tags': ['a'], 'show_nested': True}, '1.0'),
    'show_stack': ((STACK,), {}, {'stack_identity': STACK}, '1.0'),
    'preview_stack': (('s1', TEMPLATE, {}, {}, {}), {},
                      {'stack_name': 's1', 'template': TEMPLATE, 'params': {}, 'files': {}, 'args': {}}, '1.0'),
    'create_stack': (('s1', TEMPLATE, {}, {}, {'timeout_mins': 5}), {'environment_files': ['env.yaml']},
                     {'stack_name': 's1', 'template': TEMPLATE, 'params': {}, 'files': {}, 'args': {'timeout_mins': 5},
                      'environment_files': ['env.yaml']}, '1.23'),
    'update_stack': ((STACK, TEMPLATE, {}, {}, {}), {'files_container': 'c'},
                     {'stack_identity': STACK, 'template': TEMPLATE, 'params': {}, 'files': {}, 'args': {},
                      'files_container': 'c'}, '1.36'),
    'preview_update_stack': ((STACK, TEMPLATE, {}, {}, {}), {},
                             {'stack_identity': STACK, 'template': TEMPLATE, 'params': {}, 'files': {}, 'args': {}},
                             '1.15'),
    'validate_template': ((TEMPLATE,), {'show_nested': True},
                          {'template': TEMPLATE, 'params': {}, 'show_nested': True}, '1.18'),
    'authenticated_to_backend': ((), {}, {}, '1.0'),
    'get_template': ((STACK,), {}, {'stack_identity': STACK}, '1.0'),
    'get_environment': ((STACK,), {}, {'stack_identity': STACK}, '1.28'),
    'get_files': ((STACK,), {}, {'stack_identity': STACK}, '1.32'),
    'delete_stack': ((STACK,), {}, {'stack_identity': STACK}, '1.0'),
    'abandon_stack': ((STACK,), {}, {'stack_identity': STACK}, '1.0'),
    'export_stack': ((STACK,), {}, {'stack_identity': STACK}, '1.22'),
    'list_outputs': ((STACK,), {}, {'stack_identity': STACK}, '1.19'),
    'show_output': ((STACK, 'out'), {}, {'stack_identity': STACK, 'output_key': 'out'}, '1.19'),
    'migrate_convergence_1': (('abc',), {}, {'stack_id': 'abc'}, '1.34'),
    'stack_suspend': ((STACK,), {}, {'stack_identity': STACK}, '1.0'),
    'stack_resume': ((STACK,), {}, {'stack_identity': STACK}, '1.0'),
    'stack_check': ((STACK,), {}, {'stack_identity': STACK}, '1.0'),
    'stack_cancel_update': ((STACK,), {'cancel_with_rollback': False},
                            {'stack_identity': STACK, 'cancel_with_rollback': False}, '1.14'),
    'stack_snapshot': ((STACK, 'snap'), {}, {'stack_identity': STACK, 'name': 'snap'}, '1.0'),
    'show_snapshot': ((STACK, 'sid'), {}, {'stack_identity': STACK, 'snapshot_id': 'sid'}, '1.0'),
    'delete_snapshot': ((STACK, 'sid'), {}, {'stack_identity': STACK, 'snapshot_id': 'sid'}, '1.0'),
    'stack_list_snapshots': ((STACK,), {}, {'stack_identity': STACK}, '1.0'),
    'stack_restore': ((STACK, 'sid'), {}, {'stack_identity': STACK, 'snapshot_id': 'sid'}, '1.0'),
    'list_events': ((STACK,), {'nested_depth': 2, 'limit': 5},
                    {'stack_identity': STACK, 'nested_depth': 2, 'limit': 5}, '1.31'),
    'describe_stack_resource': ((STACK, 'r'), {'with_attr': ['a']},
                                {'stack_identity': STACK, 'resource_name': 'r', 'with_attr': ['a']}, '1.2'),
    'describe_stack_resources': ((STACK, 'r'), {}, {'stack_identity': STACK, 'resource_name': 'r'}, '1.0'),
    'find_physical_resource': (('pid',), {}, {'physical_resource_id': 'pid'}, '1.0'),
    'list_stack_resources': ((STACK,), {'with_detail': True},
                             {'stack_identity': STACK, 'with_detail': True}, '1.12'),
    'resource_signal': ((STACK, 'r', {'x': 1}), {'sync_call': True},
                        {'stack_identity': STACK, 'resource_name': 'r', 'details': {'x': 1}, 'sync_call': True}, '1.3'),
    'resource_mark_unhealthy': ((STACK, 'r', True), {'resource_status_reason': 'bad'},
                                {'stack_identity': STACK, 'resource_name': 'r', 'mark_unhealthy': True,
                                 'resource_status_reason': 'bad'}, '1.26'),
    'list_resource_types': ((), {'support_status': 'SUPPORTED'}, {'support_status': 'SUPPORTED'}, '1.1'),
    'resource_schema': (('OS::Heat::Value',), {}, {'type_name': 'OS::Heat::Value'}, '1.0'),
    'generate_template': (('OS::Heat::Value',), {'template_type': 'hot'},
                          {'type_name': 'OS::Heat::Value', 'template_type': 'hot'}, '1.9'),
    'list_template_versions': ((), {}, {}, '1.11'),
    'list_template_functions': (('2018-08-31',), {}, {'template_version': '2018-08-31'}, '1.13'),
    'get_revision': ((), {}, {}, '1.0'),
    'list_services': ((), {}, {}, '1.4'),
    'show_software_config': (('cid',), {}, {'config_id': 'cid'}, '1.0'),
    'list_software_configs': ((), {'limit': 10}, {'limit': 10}, '1.10'),
    'create_software_config': (('script', 'c1', 'echo'), {},
                               {'group': 'script', 'name': 'c1', 'config': 'echo', 'inputs': [], 'outputs': [],
                                'options': {}}, '1.0'),
    'delete_software_config': (('cid',), {}, {'config_id': 'cid'}, '1.0'),
    'list_software_deployments': ((), {'server_id': 'srv'}, {'server_id': 'srv'}, '1.0'),
    'metadata_software_deployments': (('srv',), {}, {'server_id': 'srv'}, '1.0'),
    'show_software_deployment': (('did',), {}, {'deployment_id': 'did'}, '1.0'),
    'check_software_deployment': (('did', 3), {}, {'deployment_id': 'did', 'timeout': 3}, '1.27'),
    'create_software_deployment': (('srv',), {'config_id': 'cid'},
                                   {'server_id': 'srv', 'config_id': 'cid', 'input_values': {}, 'action': 'INIT',
                                    'status': 'COMPLETE', 'status_reason': '', 'stack_user_project_id': None},
                                   '1.0'),
    'update_software_deployment': (('did',), {'status': 'COMPLETE'},
                                   {'deployment_id': 'did', 'config_id': None, 'input_values': None,
                                    'output_values': None, 'action': None, 'status': 'COMPLETE',
                                    'status_reason': None, 'updated_at': None}, '1.5'),
    'delete_software_deployment': (('did',), {}, {'deployment_id': 'did'}, '1.0'),
    'signal_software_deployment': (('did', {'deploy_status_code': 0}), {},
                                   {'deployment_id': 'did', 'details': {'deploy_status_code': 0}, 'updated_at': None},
                                   '1.6'),
}

WATCH_CALLS = {
    'create_watch_data': ('w', {'d': 1}),
    'show_watch': (),
    'show_watch_metric': (),
    'set_watch_state': ('w', 'ALARM'),
}


READ, WRITE = False, True

# The facts of every engine method, pinned: (API version that introduced it, whether it writes,
# {optional argument: (API version that introduced it, default; not sent at its default)}).
# Every other argument is always sent (CALLS shows them on the wire).
API = {
    'identify_stack': ('1.0', READ, {}),
    'list_stacks': ('1.0', READ, {
        'filters': ('1.0', None), 'limit': ('1.0', None), 'marker': ('1.0', None), 'not_tags': ('1.0', None),
        'not_tags_any': ('1.0', None), 'show_deleted': ('1.0', False), 'show_hidden': ('1.0', False),
        'show_nested': ('1.0', False), 'sort_dir': ('1.0', None), 'sort_keys': ('1.0', None), 'tags': ('1.0', None),
        'tags_any': ('1.0', None), 'tenant_safe': ('1.0', True)
    }),
    'count_stacks': ('1.0', READ, {
        'filters': ('1.0', None), 'not_tags': ('1.0', None), 'not_tags_any': ('1.0', None),
        'show_deleted': ('1.0', False), 'show_hidden': ('1.0', False), 'show_nested': ('1.0', False),
        'tags': ('1.0', None), 'tags_any': ('1.0', None), 'tenant_safe': ('1.0', True)
    }),
    'show_stack': ('1.0', READ, {'resolve_outputs': ('1.20', True)}),
    'preview_stack': ('1.0', READ, {'environment_files': ('1.23', None), 'files_container': ('1.36', None)}),
    'create_stack': ('1.0', WRITE, {
        'environment_files': ('1.23', None), 'files_container': ('1.36', None), 'template_id': ('1.29', None)
    }),
    'update_stack': ('1.0', WRITE, {
        'environment_files': ('1.23', None), 'files_container': ('1.36', None), 'template_id': ('1.29', None)
    }),
    'preview_update_stack': ('1.15', READ, {'environment_files': ('1.23', None), 'files_container': ('1.36', None)}),
    'validate_template': ('1.0', READ, {
        'environment_files': ('1.23', None), 'files': ('1.17', None), 'files_container': ('1.36', None),
        'ignorable_errors': ('1.24', None), 'show_nested': ('1.18', False)
    }),
    'authenticated_to_backend': ('1.0', READ, {}),
    'get_template': ('1.0', READ, {}),
    'get_environment': ('1.28', READ, {}),
    'get_files': ('1.32', READ, {}),
    'delete_stack': ('1.0', WRITE, {}),
    'abandon_stack': ('1.0', WRITE, {}),
    'export_stack': ('1.22', READ, {}),
    'list_outputs': ('1.19', READ, {}),
    'show_output': ('1.19', READ, {}),
    'migrate_convergence_1': ('1.34', WRITE, {}),
    'stack_suspend': ('1.0', WRITE, {}),
    'stack_resume': ('1.0', WRITE, {}),
    'stack_check': ('1.0', WRITE, {}),
    'stack_cancel_update': ('1.0', WRITE, {'cancel_with_rollback': ('1.14', True)}),
    'stack_snapshot': ('1.0', WRITE, {}),
    'show_snapshot': ('1.0', READ, {}),
    'delete_snapshot': ('1.0', WRITE, {}),
    'stack_list_snapshots': ('1.0', READ, {}),
    'stack_restore': ('1.0', WRITE, {}),
    'list_events': ('1.0', READ, {
        'filters': ('1.0', None), 'limit': ('1.0', None), 'marker': ('1.0', None), 'nested_depth': ('1.31', None),
        'sort_dir': ('1.0', None), 'sort_keys': ('1.0', None)
    }),
    'describe_stack_resource': ('1.0', READ, {'with_attr': ('1.2', None)}),
    'describe_stack_resources': ('1.0', READ, {}),
    'find_physical_resource': ('1.0', READ, {}),
    'list_stack_resources': ('1.0', READ, {
        'filters': ('1.25', None), 'nested_depth': ('1.0', 0), 'with_detail': ('1.12', False)
    }),
    'resource_signal': ('1.0', WRITE, {'sync_call': ('1.3', False)}),
    'resource_mark_unhealthy': ('1.26', WRITE, {'resource_status_reason': ('1.26', None)}),
    'list_resource_types': ('1.0', READ, {
        'heat_version': ('1.16', None), 'support_status': ('1.1', None), 'type_name': ('1.16', None),
        'with_description': ('1.30', False)
    }),
    'resource_schema': ('1.0', READ, {'with_description': ('1.30', False)}),
    'generate_template': ('1.0', READ, {'template_type': ('1.9', 'cfn')}),
    'list_template_versions': ('1.11', READ, {}),
    'list_template_functions': ('1.13', READ, {'with_condition': ('1.35', False)}),
    'get_revision': ('1.0', READ, {}),
    'list_services': ('1.4', READ, {}),
    'show_software_config': ('1.0', READ, {}),
    'list_software_configs': ('1.10', READ, {
        'limit': ('1.10', None), 'marker': ('1.10', None), 'tenant_safe': ('1.10', True)
    }),
    'create_software_config': ('1.0', WRITE, {}),
    'delete_software_config': ('1.0', WRITE, {}),
    'list_software_deployments': ('1.0', READ, {}),
    'metadata_software_deployments': ('1.0', READ, {}),
    'show_software_deployment': ('1.0', READ, {}),
    'check_software_deployment': ('1.27', READ, {}),
    'create_software_deployment': ('1.0', WRITE, {'deployment_id': ('1.21', None)}),
    'update_software_deployment': ('1.5', WRITE, {}),
    'delete_software_deployment': ('1.0', WRITE, {}),
    'signal_software_deployment': ('1.6', WRITE, {}),
    'create_watch_data': ('1.0', WRITE, {}),
    'show_watch': ('1.0', READ, {'watch_name': ('1.0', None)}),
    'show_watch_metric': ('1.0', READ, {'metric_name': ('1.0', None), 'metric_namespace': ('1.0', None)}),
    'set_watch_state': ('1.0', WRITE, {}),
}

# Arguments sent as an empty value when left None, and the argument the engine itself waits on.
EMPTY = {
    'validate_template': {'params': dict},
    'create_software_config': {'inputs': list, 'outputs': list, 'options': dict},
    'create_software_deployment': {'input_values': dict},
}
WAITS = {'check_software_deployment': 'timeout'}


def make_settings(**overrides):
    options = dict(transport_url='fake://', timeout=5, connect_timeout=2,
                   context=RequestContext(username='demo', password='s3cret/p@ss', project_id='p1', user_id='u1',
                                          roles=['member']))
    options.update(overrides)
    return connection_settings(**options)


@pytest.fixture(scope='module')
def fake_engines():
    """One fake transport and one recording server per server API version, shared by the module's tests."""
    engines = {}
    yield engines
    for engine, connection in engines.values():
        engine.stop()
        connection.transport.cleanup()


@pytest.fixture
def engine_factory(fake_engines):
    def factory(server_version='1.36', **settings):
        # The fake driver's queues are process-wide: each server version gets its own topic.
        topic = 'engine-%s' % server_version
        if server_version not in fake_engines:
            connection = EngineConnection(make_settings())
            fake_engines[server_version] = (
                FakeEngine(connection.transport, version=server_version, topic=topic).start(), connection)
        engine, connection = fake_engines[server_version]
        engine.reset()
        client_settings = make_settings(topic=topic, **settings)
        client = EngineClient(client_settings, connection=EngineConnection(client_settings, connection.transport))
        return engine, client

    return factory


def test_every_api_method_is_covered_by_this_table():
    live = set(name for name, spec in METHODS.items() if not spec.removed)
    assert live == set(CALLS)
    assert set(name for name, spec in METHODS.items() if spec.removed) == set(WATCH_CALLS)


def test_the_table_derived_from_the_methods_pins_every_version_and_default():
    assert dict((name, (spec.since, spec.writes, spec.optional)) for name, spec in METHODS.items()) == API
    assert dict((name, spec.empty) for name, spec in METHODS.items() if spec.empty) == EMPTY
    assert dict((name, spec.waits) for name, spec in METHODS.items() if spec.waits) == WAITS


def test_every_engine_method_is_documented_and_takes_its_engine_arguments_after_ctxt():
    for name, spec in METHODS.items():
        method = getattr(EngineClient, name)
        assert method.engine_spec is spec
        assert (method.__doc__ or '').strip(), name
        params = list(inspect.signature(method).parameters)
        assert params[:2] == ['self', 'ctxt'], name
        assert tuple(param for param in params[2:] if param != 'cast') == spec.arguments, name


@pytest.mark.parametrize('method', sorted(CALLS))
def test_method_name_arguments_and_version_reach_the_server(engine_factory, method):
    engine, client = engine_factory()
    args, kwargs, wire, version = CALLS[method]
    result = getattr(client, method)(None, *args, **kwargs)
    assert result == {'method': method, 'kwargs': wire}
    assert engine.last['method'] == method
    assert engine.last['kwargs'] == wire
    assert engine.last['version'] == version
    assert engine.last['ctxt']['username'] == 'demo'
    assert engine.last['ctxt']['project_id'] == 'p1'
    assert engine.last['ctxt']['request_id'].startswith('req-')


@pytest.mark.parametrize('method,kwargs,version', [
    ('show_stack', {'resolve_outputs': True}, '1.0'),
    ('show_stack', {'resolve_outputs': False}, '1.20'),
    ('validate_template', {'files': {}}, '1.17'),
    ('validate_template', {'ignorable_errors': ['99001']}, '1.24'),
    ('validate_template', {'files_container': 'c', 'show_nested': True}, '1.36'),
    ('list_resource_types', {'type_name': 'OS::.*'}, '1.16'),
    ('list_resource_types', {'with_description': True}, '1.30'),
    ('resource_schema', {'with_description': True}, '1.30'),
    ('list_template_functions', {'with_condition': True}, '1.35'),
    ('list_stack_resources', {'filters': {'name': 'r'}}, '1.25'),
    ('list_stack_resources', {'nested_depth': 2}, '1.0'),
    ('create_stack', {'template_id': 7}, '1.29'),
    ('create_software_deployment', {'deployment_id': 'd'}, '1.21'),
    ('generate_template', {'template_type': 'cfn'}, '1.0'),
    ('generate_template', {'template_type': 'hot'}, '1.9'),
])
def test_version_is_the_lowest_that_carries_the_sent_arguments(method, kwargs, version):
    required = {
        'show_stack': {'stack_identity': STACK},
        'validate_template': {'template': TEMPLATE},
        'list_resource_types': {},
        'resource_schema': {'type_name': 'T'},
        'list_template_functions': {'template_version': 'v'},
        'list_stack_resources': {'stack_identity': STACK},
        'create_stack': {'stack_name': 's', 'template': TEMPLATE, 'params': {}, 'files': {}, 'args': {}},
        'create_software_deployment': {'server_id': 's'},
        'generate_template': {'type_name': 'T'},
    }[method]
    required.update(kwargs)
    assert EngineClient.version_for(method, **required) == version


def test_version_cap_drops_unset_newer_arguments(engine_factory):
    engine, client = engine_factory(api_version_cap='1.0')
    client.create_stack(None, 's1', TEMPLATE, {}, {}, {}, environment_files=None, files_container=None)
    assert engine.last['version'] == '1.0'
    assert 'environment_files' not in engine.last['kwargs']
    assert 'files_container' not in engine.last['kwargs']
    client.show_stack(None, STACK)
    assert engine.last['version'] == '1.0'
    assert all(version == '1.0' for version in engine.versions)


def test_version_cap_refuses_a_newer_argument_that_was_asked_for(engine_factory):
    engine, client = engine_factory(api_version_cap='1.19')
    with pytest.raises(errors.NotSupportedError) as caught:
        client.show_stack(None, STACK, resolve_outputs=False)
    assert "'resolve_outputs' (1.20)" in str(caught.value)
    assert 'api_version_cap 1.19' in str(caught.value)
    with pytest.raises(errors.NotSupportedError) as caught:
        client.get_environment(None, STACK)
    assert "engine method 'get_environment' needs RPC API 1.28" in str(caught.value)
    assert engine.endpoint.received == []  # nothing was sent


def test_generic_call_never_sends_above_the_cap(engine_factory):
    engine, client = engine_factory(api_version_cap='1.10')
    with pytest.raises(errors.NotSupportedError):
        client.call(None, client.make_msg('list_services'), version='1.11')
    assert client.call(None, client.make_msg('get_revision')) == {'method': 'get_revision', 'kwargs': {}}
    assert engine.last['version'] == '1.0'


def test_cast_is_delivered_without_waiting(engine_factory):
    engine, client = engine_factory()
    assert client.cast(None, client.make_msg('stack_check', stack_identity=STACK)) is None
    client.get_revision(None)  # a call after the cast: the server has handled both in order
    assert [r['method'] for r in engine.endpoint.received] == ['stack_check', 'get_revision']


def test_engine_older_than_the_client_answers_not_supported(engine_factory):
    engine, client = engine_factory(server_version='1.20')
    assert client.show_stack(None, STACK, resolve_outputs=False)['method'] == 'show_stack'
    with pytest.raises(errors.NotSupportedError) as caught:
        client.get_environment(None, STACK)
    assert caught.value.remote_name == 'UnsupportedVersion'
    assert 'api_version_cap' in str(caught.value)


@pytest.mark.parametrize('method', sorted(WATCH_CALLS))
def test_removed_watch_methods_say_not_supported(engine_factory, method):
    engine, client = engine_factory()
    with pytest.raises(errors.NotSupportedError) as caught:
        getattr(client, method)(None, *WATCH_CALLS[method])
    assert caught.value.remote_name == 'NoSuchMethod'
    assert "no RPC method '%s'" % method in str(caught.value)


class StackValidationFailed(Exception):
    pass


class EntityNotFound(Exception):
    pass


class ActionInProgress(Exception):
    pass


@pytest.mark.parametrize('raised,expected', [
    (StackValidationFailed('Property error: resources.r.properties.length: not an integer'),
     errors.ValidationFailedError),
    (EntityNotFound('The Stack (nope) could not be found.'), errors.NotFoundError),
    (ActionInProgress('Stack s1 already has an action (UPDATE) in progress.'), errors.ConflictError),
    (ValueError('bad value'), errors.ValidationFailedError),
    (KeyError('Any'), errors.ValidationFailedError),
    (RuntimeError('boom'), errors.EngineError),
])
def test_remote_errors_map_to_typed_errors(engine_factory, raised, expected):
    engine, client = engine_factory()
    engine.endpoint.raises['show_stack'] = raised
    with pytest.raises(expected) as caught:
        client.show_stack(None, STACK)
    assert str(caught.value) == str(raised)
    assert caught.value.remote_name == type(raised).__name__
    assert 'Traceback' in (caught.value.details or '')
    assert 'Traceback' not in str(caught.value)
    assert client.local_error_name(caught.value) == type(raised).__name__


def test_ignore_error_named(engine_factory):
    engine, client = engine_factory()
    engine.endpoint.raises['delete_stack'] = EntityNotFound('gone')
    try:
        client.delete_stack(None, STACK)
    except errors.HeatRpcError as exc:
        client.ignore_error_named(exc, 'EntityNotFound')
    engine.endpoint.raises['delete_stack'] = ActionInProgress('busy')
    with pytest.raises(errors.ConflictError):
        try:
            client.delete_stack(None, STACK)
        except errors.HeatRpcError as exc:
            client.ignore_error_named(exc, 'EntityNotFound')


def test_no_engine_read_is_not_answering_and_write_is_outcome_unknown():
    connection = EngineConnection(make_settings(timeout=1, topic='nobody-listens'))
    client = EngineClient(connection.settings, connection=connection)
    try:
        with pytest.raises(errors.EngineNotAnsweringError) as caught:
            client.show_stack(None, STACK)
        assert not isinstance(caught.value, errors.OutcomeUnknownError)
        assert "exchange 'heat', topic 'nobody-listens'" in str(caught.value)
        with pytest.raises(errors.OutcomeUnknownError) as caught:
            client.create_stack(None, 's1', TEMPLATE, {}, {}, {})
        assert 'may or may not have taken effect' in str(caught.value)
    finally:
        connection.transport.cleanup()


def test_wrong_exchange_is_not_answering():
    connection = EngineConnection(make_settings(timeout=1))
    engine = FakeEngine(connection.transport, exchange='heat', topic='engine-exchange-test').start()
    try:
        settings = make_settings(timeout=1, exchange='openstack', topic='engine-exchange-test')
        client = EngineClient(settings, connection=EngineConnection(settings, transport=connection.transport))
        with pytest.raises(errors.EngineNotAnsweringError) as caught:
            client.get_revision(None)
        assert "exchange 'openstack'" in str(caught.value)
        assert engine.endpoint.received == []
    finally:
        engine.stop()
        connection.transport.cleanup()


def test_secrets_never_appear_in_error_texts(engine_factory):
    engine, client = engine_factory()
    engine.endpoint.raises['show_stack'] = RuntimeError('password was s3cret-pass, url-encoded s3cret%2Dpass')
    with pytest.raises(errors.EngineError) as caught:
        client.show_stack(None, STACK)
    assert 's3cret/p@ss' not in str(caught.value)
    assert 's3cret/p@ss' not in (caught.value.details or '')


class AnsweringConnection:
    """Stands in for the transport: answers, or raises, per method."""

    def __init__(self, **outcomes):
        self.outcomes = outcomes

    def invoke(self, method, kwargs, version, **options):
        outcome = self.outcomes.get(method)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def close(self):
        pass


@pytest.mark.parametrize('method,args,outcome,counted', [
    ('create_stack', ('s1', TEMPLATE, {}, {}, {}), {'stack_id': 'x'}, 1),
    ('create_stack', ('s1', TEMPLATE, {}, {}, {}), errors.OutcomeUnknownError('no answer'), 1),
    ('create_stack', ('s1', TEMPLATE, {}, {}, {}), errors.ValidationFailedError('refused'), 0),
    ('create_stack', ('s1', TEMPLATE, {}, {}, {}), errors.BrokerUnreachableError('down'), 0),
    ('delete_stack', (STACK,), errors.NotFoundError('gone'), 0),
    ('show_stack', (STACK,), {'stack_name': 's1'}, 0),
    ('list_stacks', (), errors.OutcomeUnknownError('no answer'), 0),
])
def test_writes_that_took_or_may_have_taken_effect_are_counted(method, args, outcome, counted):
    client = EngineClient(connection_settings('fake://'), connection=AnsweringConnection(**{method: outcome}))
    try:
        getattr(client, method)(None, *args)
    except errors.HeatRpcError:
        pass
    assert client.writes_sent == counted

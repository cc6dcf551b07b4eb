# -*- coding: utf-8 -*-
"""Reliability and security: the collection keeps its promises when the broker, the network or the
engine misbehave. Faults are injected with a local TCP proxy, a TLS front and SIGSTOP/SIGCONT of the
test bed's engine; the machine's shared RabbitMQ is never stopped."""

import json
import os
import signal
import subprocess
import time
import uuid

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.redaction import ParsedTransportURL

from conftest import broker_address, run_playbook, start_playbook, unique_name, url_through
from faults import FaultProxy, TestCA

SLOW = {
    'heat_template_version': '2018-08-31',
    'parameters': {'word': {'type': 'string', 'default': 'one'}, 'seconds': {'type': 'number', 'default': 0}},
    'resources': {'slow': {'type': 'OS::Heat::TestResource', 'properties': {
        'value': {'get_param': 'word'},
        'action_wait_secs': {'create': {'get_param': 'seconds'}, 'update': {'get_param': 'seconds'}}}}},
    'outputs': {'word': {'value': {'get_attr': ['slow', 'output']}}},
}


def stack_task(name, title='stack', **options):
    options.setdefault('template_body', SLOW)
    return {'name': title, 'heat_rpc.engine.heat_stack': dict(name=name, **options)}


# -- 3. TLS ---------------------------------------------------------------------------------------------------

def test_tls_verified_end_to_end_and_refused_on_wrong_ca_or_hostname(tmp_path, heat_testbed, env):
    ca = TestCA(tmp_path)
    other_ca = TestCA(tmp_path, name='another CA')
    good = FaultProxy(broker_address(heat_testbed), tls_context=ca.server_context('localhost'))
    wrong_name = FaultProxy(broker_address(heat_testbed), tls_context=ca.server_context('not-this-host'))
    try:
        env.pop('HEAT_RPC_TRANSPORT_URL')
        tls = {'ssl': True, 'ssl_ca_file': str(ca.ca_file), 'connect_timeout': 5}
        run = run_playbook(tmp_path, [
            {'name': 'verified', 'heat_rpc.engine.heat_stack_info': dict(
                tls, transport_url=url_through(heat_testbed, 'localhost', good.port))},
            {'name': 'wrong ca', 'heat_rpc.engine.heat_stack_info': dict(
                tls, ssl_ca_file=str(other_ca.ca_file), transport_url=url_through(heat_testbed, 'localhost', good.port))},
            {'name': 'wrong hostname', 'heat_rpc.engine.heat_stack_info': dict(
                tls, transport_url=url_through(heat_testbed, 'localhost', wrong_name.port))},
            {'name': 'no ca', 'heat_rpc.engine.heat_stack_info': {
                'ssl': True, 'transport_url': url_through(heat_testbed, 'localhost', good.port)}},
        ], env=env, verbosity=3)
        assert not run.results['verified'].get('failed'), run.results['verified'].get('msg')
        assert isinstance(run.results['verified']['stacks'], list)
        assert good.accepted >= 1  # the module really went through the TLS front
        for name, reason in (('wrong ca', 'unable to get local issuer certificate'),
                             ('wrong hostname', "Hostname mismatch, certificate is not valid for 'localhost'")):
            result = run.results[name]
            assert result['failed'] is True and result['error']['kind'] == 'tls_error', result
            assert result['msg'].startswith('TLS handshake with the RabbitMQ broker failed (localhost:')
            assert 'CERTIFICATE_VERIFY_FAILED: ' + reason in result['msg']
        assert 'ssl_ca_file is not set' in run.results['no ca']['msg']
        assert heat_testbed['context']['password'] not in run.output
    finally:
        good.stop()
        wrong_name.stop()


# -- 4. engine down: the topic's queue exists but nobody consumes it ----------------------------------------------

def test_queue_without_consumer_is_engine_not_answering_within_the_call_monitor(tmp_path, heat_testbed, env):
    import kombu
    topic = 'dead-engine-%s' % uuid.uuid4().hex[:6]
    with kombu.Connection(heat_testbed['transport_url'].replace('rabbit://', 'amqp://', 1)) as connection:
        exchange = kombu.Exchange('heat', type='topic', durable=False)
        queue = kombu.Queue(topic, exchange, routing_key=topic, durable=False, auto_delete=False)
        queue(connection.channel()).declare()
        try:
            env['HEAT_RPC_TOPIC'] = topic
            started = time.monotonic()
            run = run_playbook(tmp_path, [
                {'name': 'read', 'heat_rpc.engine.heat_stack_info': {'call_monitor_timeout': 3}},
                {'name': 'write', 'heat_rpc.engine.heat_stack': {
                    'name': unique_name('dead'), 'template_body': SLOW, 'call_monitor_timeout': 3}},
            ], env=env)
            elapsed = time.monotonic() - started
        finally:
            queue(connection.channel()).delete()
    read, write = run.results['read'], run.results['write']
    assert read['error']['kind'] == 'engine_not_answering'
    assert "heat-engine stopped answering 'list_stacks'" in read['msg']
    assert 'no heartbeat for call_monitor_timeout 3.0 s' in read['msg']
    # heat_stack looks the stack up before deciding anything: with no answer it never sends a create.
    assert write['error']['kind'] == 'engine_not_answering'
    assert "'identify_stack'" in write['msg']
    assert elapsed < 60


# -- 5. engine frozen during a create, then resumed --------------------------------------------------------------

class FreezingClient:
    """The module's EngineClient, except that the engine is frozen (SIGSTOP) just before create_stack."""

    def __init__(self, client, engine_group):
        self._client = client
        self._engine_group = engine_group

    def __getattr__(self, name):
        return getattr(self._client, name)

    def create_stack(self, *args, **kwargs):
        os.killpg(self._engine_group, signal.SIGSTOP)
        return self._client.create_stack(*args, **kwargs)


class RunnerModule:
    """What StackRunner needs of a HeatRpcModule, for driving it in-process."""

    def __init__(self, client, params):
        self.client = client
        self.params = params
        self.check_mode = False
        self.diff_mode = False

    def add_secrets(self, values):
        pass

    def warn(self, message):
        pass


def test_frozen_engine_gives_outcome_unknown_and_the_next_run_converges(
        tmp_path, heat_testbed, env, client, engine_group, stack_name):
    from conftest import settings_for
    from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
    from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient
    from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack import StackRunner

    params = {'name': stack_name, 'state': 'present', 'template': None, 'template_body': SLOW,
              'template_url': None, 'template_base_dir': None, 'environment': [], 'parameters': {},
              'parameter_defaults': {}, 'timeout': None, 'rollback': None, 'tags': None, 'existing': False,
              'clear_parameters': [], 'converge': False, 'wait': True, 'wait_timeout': 60}
    with EngineClient(settings_for(heat_testbed, timeout=20, call_monitor_timeout=3)) as module_client:
        runner = StackRunner(RunnerModule(FreezingClient(module_client, engine_group), params))
        try:
            with pytest.raises(errors.OutcomeUnknownError) as caught:
                runner.run()
        finally:
            os.killpg(engine_group, signal.SIGCONT)
    assert 'may or may not have taken effect' in str(caught.value)
    assert 'whether it will be created is unknown' in str(caught.value)
    # The engine, resumed, carries out the create it had received; the next run finds that stack and
    # converges on it: no StackExists crash, no second stack.
    run = run_playbook(tmp_path, [stack_task(stack_name)], env=env)
    again = run.results['stack']
    assert not again.get('failed'), again.get('msg')
    assert again['changed'] is False and again['stack']['status'] == 'CREATE_COMPLETE'
    assert client.count_stacks(None, filters={'name': stack_name}) == 1


# -- 6. the broker connection is cut while the module waits --------------------------------------------------------

def test_connection_cut_while_waiting_resumes_and_reaches_the_final_state(tmp_path, heat_testbed, env, stack_name):
    proxy = FaultProxy(broker_address(heat_testbed))
    try:
        env['HEAT_RPC_TRANSPORT_URL'] = url_through(heat_testbed, '127.0.0.1', proxy.port)
        running = start_playbook(tmp_path, [stack_task(stack_name, parameters={'seconds': 6})], env=env)
        deadline = time.monotonic() + 30
        while proxy.accepted == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)  # the create is sent and the module is polling
        cut_first = proxy.cut()
        time.sleep(1)
        cut_second = proxy.cut()
        run = running.finish()
    finally:
        proxy.stop()
    assert cut_first >= 1
    result = run.results['stack']
    assert not result.get('failed'), result.get('msg')
    assert result['stack']['status'] == 'CREATE_COMPLETE' and result['stack']['outputs']['word'] == 'one'
    assert proxy.accepted >= 2, (cut_first, cut_second)  # it reconnected


# -- 10. a UUID-looking name ---------------------------------------------------------------------------------------

def test_uuid_looking_name_is_deterministic(tmp_path, env, client, stack_name):
    uuid_name = 'a' + str(uuid.uuid4())[1:]  # a valid stack name (starts with a letter) that looks like an id
    refused = stack_task(uuid_name, title='refused')
    create = stack_task(uuid_name, title='create')
    create['heat_rpc.engine.heat_stack']['allow_uuid_name'] = True
    run = run_playbook(tmp_path, [refused, create, stack_task(uuid_name, title='again'),
                                  {'name': 'info', 'heat_rpc.engine.heat_stack_info': {'name': uuid_name}},
                                  {'name': 'delete', 'heat_rpc.engine.heat_stack': {'name': uuid_name,
                                                                                    'state': 'absent'}}], env=env)
    # Creating a stack named like an id needs the opt-in (a mistyped id, another project's stack id).
    assert run.results['refused']['failed'] is True and run.results['refused']['error']['kind'] == 'configuration'
    assert 'allow_uuid_name: true' in run.results['refused']['msg'] and run.results['refused']['changed'] is False
    assert run.results['create']['changed'] is True
    assert run.results['create']['stack']['name'] == uuid_name
    assert run.results['again']['changed'] is False
    assert [s['name'] for s in run.results['info']['stacks']] == [uuid_name]
    assert run.results['delete']['changed'] is True
    assert client.count_stacks(None, filters={'name': uuid_name}) == 0


# -- 11. two playbooks update one stack at the same time ----------------------------------------------------------

def test_concurrent_updates_never_both_succeed_with_different_definitions(tmp_path, env, service, stack_name):
    run_playbook(tmp_path / 'setup', [stack_task(stack_name, parameters={'seconds': 3})], env=env)
    first = start_playbook(tmp_path / 'a', [stack_task(stack_name, parameters={'word': 'from-a', 'seconds': 3})],
                           env=env)
    second = start_playbook(tmp_path / 'b', [stack_task(stack_name, parameters={'word': 'from-b', 'seconds': 3})],
                            env=env)
    results = {'from-a': first.finish().results['stack'], 'from-b': second.finish().results['stack']}
    succeeded = [word for word, result in results.items() if not result.get('failed')]
    assert succeeded, results
    for word in succeeded:
        # A run that reports success saw its own definition in place when it finished.
        assert results[word]['stack']['outputs']['word'] == word
    for word, result in results.items():
        if result.get('failed'):
            assert result['error']['kind'] in ('stack_failed', 'conflict'), result['msg']
    final = service.find(stack_name)
    final_word = [o['output_value'] for o in final['outputs'] if o['output_key'] == 'word'][0]
    assert final_word in succeeded


# -- 15. no secret at -vvv, on failure paths and in check mode -----------------------------------------------------

def test_no_secret_in_output_logs_or_results_at_vvv(tmp_path, heat_testbed, env, stack_name):
    password = 'S3cr3t@P ss#w0rd'
    encoded = 'S3cr3t%40P%20ss%23w0rd'
    host, port = broker_address(heat_testbed)
    env['HEAT_RPC_PASSWORD'] = password  # the Heat user's password in the context
    bad_login = url_through(heat_testbed, host, port, password=encoded)
    with_password = url_through(heat_testbed, host, port)
    run = run_playbook(tmp_path, [
        {'name': 'bad login', 'heat_rpc.engine.heat_stack_info': {'transport_url': bad_login}},
        {'name': 'unreachable', 'heat_rpc.engine.heat_stack_info': {
            'transport_url': 'rabbit://guest:%s@127.0.0.1:1/' % encoded, 'connect_timeout': 2}},
        stack_task(stack_name, title='invalid', parameters={'seconds': 'many'}),
        dict(stack_task(stack_name, title='check mode create'), check_mode=True),
        {'name': 'engine token', 'heat_rpc.engine.heat_stack_info': {'auth_token': 'tok-' + password}},
        {'name': 'slash', 'heat_rpc.engine.heat_stack_info': {
            'transport_url': url_through(heat_testbed, host, port, password='S3cr3t%2Fslash')}},
    ], env=env, verbosity=3)
    assert run.results['slash']['error']['kind'] == 'configuration'
    assert run.results['bad login']['error']['kind'] == 'auth_refused'
    assert run.results['unreachable']['error']['kind'] == 'broker_unreachable'
    assert run.results['invalid']['error']['kind'] == 'validation_failed'
    assert run.results['check mode create']['changed'] is True, run.results['check mode create']
    assert not run.results['engine token'].get('failed')
    texts = {'output': run.output, 'log': run.log, 'results': json.dumps(run.results)}
    for where, text in texts.items():
        for secret in (password, encoded, 'S3cr3t', with_password, heat_testbed['context']['password']):
            assert secret not in text, (where, secret)
    # The engine's traceback comes only at -vvv: it is there for the engine-side failure.
    assert 'Traceback' in run.results['invalid'].get('engine_traceback', '')


# -- 16. reply queues do not pile up -------------------------------------------------------------------------------

def test_module_runs_leave_a_bounded_number_of_queues(tmp_path, heat_testbed, env):
    vhost = ParsedTransportURL(heat_testbed['transport_url']).virtual_host

    def queues():
        listing = subprocess.run(['rabbitmqctl', '-q', 'list_queues', '-p', vhost, 'name'], capture_output=True,
                                 text=True, check=True).stdout.split()
        return set(name for name in listing if name != 'name')

    before = queues()
    # Runs that connect themselves (persistent: false; through the persistent helper, the default, the 20 runs
    # share the helper's one reply queue).
    run = run_playbook(tmp_path, [{'name': 'read %d' % n, 'heat_rpc.engine.heat_stack_info': {'persistent': False}}
                                  for n in range(20)], env=env)
    assert run.stats.get('ignored', 0) == 0, run.output
    right_after = set(name for name in queues() - before if name.startswith('reply_'))
    # Each run has one reply queue at most (however fast the runs were, so however many are still there);
    # unused ones expire after REPLY_QUEUE_TTL (10 s), so a little later none is.
    assert 0 < len(right_after) <= 20
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (queues() - before) & right_after:
        time.sleep(1)
    assert not (queues() - before) & right_after

# -*- coding: utf-8 -*-
"""Real faults, not simulations: a real RabbitMQ node stopped and started during a wait, and while a
persistent helper sits idle, a two-node URL whose first node goes away, a real RabbitMQ TLS listener, and
two heat-engines on one vhost and database with one of them SIGKILLed during a create.

The brokers here are private RabbitMQ nodes (tests/testbed/rabbit_node.py: own node name, ports,
cookie and data dir) with heat-engine test beds of their own on them (heat_testbed.py up
--transport-url); the machine's shared RabbitMQ is never stopped. Every test here is marked ``faults``,
so that CI runs them as a step of their own (``-m faults``).

The two-node setup is a real two-node RabbitMQ cluster, both nodes in the transport URL. Two
independent nodes in one URL do not work: oslo.messaging shuffles the hosts of the URL for every
connection it opens, so the engine's servers and its callers end up on different nodes and a call
is never answered. For the same reason "the first node of the URL" means nothing to oslo.messaging:
the test stops the node that holds the engine's queues, so that the engine has to fail over.
"""

import datetime
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from conftest import engine_environment, run_playbook, settings_for, start_playbook, unique_name
from conftest_testbed import started_testbed
from faults import TestCA
from helper_processes import FALLBACK_WARNING, helper_pids

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'testbed'))
from rabbit_node import RabbitNode  # noqa: E402  pylint: disable=wrong-import-position

pytestmark = [pytest.mark.faults]

USER = 'heat'
SLOW = {
    'heat_template_version': '2018-08-31',
    'parameters': {'seconds': {'type': 'number', 'default': 0}},
    'resources': {'slow': {'type': 'OS::Heat::TestResource', 'properties': {
        'value': 'done', 'action_wait_secs': {'create': {'get_param': 'seconds'}}}}},
    'outputs': {'value': {'value': {'get_attr': ['slow', 'output']}}},
}
SEVERAL = {
    'heat_template_version': '2018-08-31',
    'parameters': {'seconds': {'type': 'number', 'default': 0}},
    'resources': dict(('r%d' % index, {'type': 'OS::Heat::TestResource', 'properties': {
        'value': 'r%d' % index, 'action_wait_secs': {'create': {'get_param': 'seconds'}}}}) for index in range(5)),
}


def bed_name(what):
    return 'rf_%s_%d_%s' % (what, os.getpid(), secrets.token_hex(2))


def stack_task(name, title='stack', template=None, seconds=0, **options):
    return {'name': title, 'heat_rpc.engine.heat_stack': dict(
        name=name, template_body=template or SLOW, parameters={'seconds': seconds}, **options)}


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, 'timed out after %ss waiting for %s' % (timeout, what)
        time.sleep(0.2)


def stack_exists(client, name):
    def check():
        return client.count_stacks(None, filters={'name': name}) >= 1
    return check


# -- private brokers and test beds on them ---------------------------------------------------------------------

@pytest.fixture(scope='module')
def rf_dir(tmp_path_factory):
    return tmp_path_factory.mktemp('real-faults')


@pytest.fixture(scope='module')
def ca(rf_dir):
    return TestCA(rf_dir)


@pytest.fixture(scope='module')
def password():
    return secrets.token_urlsafe(12)


@pytest.fixture(scope='module')
def node_a(rf_dir, ca, password):
    """A private node with a plain and a TLS listener (certificate for localhost from ``ca``)."""
    cert_file, key_file = ca.issue('localhost')
    node = RabbitNode(rf_dir, 'a', tls={'cacertfile': str(ca.ca_file), 'certfile': str(cert_file),
                                        'keyfile': str(key_file)})
    try:
        node.start()
        node.add_vhost('heat', USER, password)
        yield node
    finally:
        node.close()


@pytest.fixture(scope='module')
def cluster(rf_dir, password):
    """Two private nodes clustered together, vhost pair."""
    cookie = secrets.token_hex(20).upper()
    first = RabbitNode(rf_dir, 'first', cookie=cookie)
    second = RabbitNode(rf_dir, 'second', cookie=cookie)
    try:
        first.start()
        second.start()
        second.join(first)
        first.add_vhost('pair', USER, password)
        yield first, second
    finally:
        second.close()
        first.close()


@pytest.fixture(scope='module')
def bed_a(node_a, password):
    """A heat-engine test bed on node_a, vhost heat."""
    with started_testbed(bed_name('a'), '--transport-url', node_a.url(USER, password, 'heat')) as bed:
        yield bed


@pytest.fixture(scope='module')
def pair_url(cluster, password):
    first, second = cluster
    return 'rabbit://%s:%s@127.0.0.1:%d,%s:%s@127.0.0.1:%d/pair' % (
        USER, password, first.port, USER, password, second.port)


@pytest.fixture(scope='module')
def bed_pair(pair_url):
    """A heat-engine test bed whose transport URL lists both nodes of the cluster."""
    with started_testbed(bed_name('pair'), '--transport-url', pair_url) as bed:
        yield bed


def engine_client(bed, **overrides):
    from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient
    return EngineClient(settings_for(bed, **overrides))


def queue_consumers(list_queues_output, queue):
    for line in list_queues_output.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0] == queue:
            return int(fields[1])
    return None


# -- 1. the broker is stopped and started again while the module waits -----------------------------------------------

def start_create(tmp_path, bed, env, name, seconds):
    """Start a heat_stack create of ``name`` in its own ansible-playbook; return once the engine has the stack."""
    with engine_client(bed) as client:
        running = start_playbook(tmp_path / 'create', [stack_task(name, seconds=seconds, wait_timeout=150)], env=env)
        try:
            wait_until(stack_exists(client, name), 60, 'the create to reach the engine')
        except AssertionError:
            running.process.kill()
            raise
    return running


def test_broker_restart_during_the_wait_completes_and_the_rerun_converges(tmp_path, node_a, bed_a):
    name = unique_name('restart')
    env = engine_environment(bed_a)
    running = start_create(tmp_path, bed_a, env, name, seconds=15)
    # The create is in the engine and the module is polling it: restart the broker under both of them.
    started = time.monotonic()
    stopped_in = node_a.stop()
    assert not node_a.alive()
    time.sleep(3)
    started_in = node_a.start()
    outage = time.monotonic() - started
    run = running.finish(timeout=240)
    result = run.results['stack']
    assert not result.get('failed'), (result.get('msg'), run.output[-3000:])
    assert result['changed'] is True
    assert result['stack']['status'] == 'CREATE_COMPLETE' and result['stack']['outputs']['value'] == 'done'
    # Both the engine and the module came back through the restarted node: the re-run reads, sends no write.
    again = run_playbook(tmp_path / 'again', [stack_task(name, seconds=15)], env=env).results['stack']
    assert not again.get('failed'), again.get('msg')
    assert again['changed'] is False and again['stack']['status'] == 'CREATE_COMPLETE'
    with engine_client(bed_a) as client:
        assert client.count_stacks(None, filters={'name': name}) == 1
    print('broker restart: stop %.1fs, start %.1fs, outage %.1fs' % (stopped_in, started_in, outage))


# -- 1b. the broker is restarted while a persistent helper sits idle --------------------------------------------

def engine_consuming(node, vhost):
    """True when the engine consumes its topic queue on ``node`` again (after a restart it reconnects by itself)."""
    def check():
        return (queue_consumers(node.ctl('list_queues', '-p', vhost, 'name', 'consumers'), 'engine') or 0) >= 1
    return check


def test_broker_restart_while_the_helper_is_idle_the_next_run_works_without_a_warning(
        tmp_path, node_a, bed_a, persistent_dir):
    name = unique_name('idle')
    env = dict(engine_environment(bed_a), HEAT_RPC_PERSISTENT='1', HEAT_RPC_PERSISTENT_DIR=persistent_dir)
    first = run_playbook(tmp_path / 'first', [{'name': 'list', 'heat_rpc.engine.heat_stack_info': {}}], env=env)
    listed = first.results['list']
    assert not listed.get('failed') and not listed.get('warnings'), listed
    [helper] = helper_pids(persistent_dir)

    node_a.stop()
    assert not node_a.alive()
    node_a.start()
    wait_until(engine_consuming(node_a, 'heat'), 90, 'the engine to consume its queue again')

    # A write, the wait (reads) and a delete: every kind of call, through the helper that sat through the restart.
    second = run_playbook(tmp_path / 'second', [
        stack_task(name, title='create'),
        {'name': 'delete', 'heat_rpc.engine.heat_stack': {'name': name, 'state': 'absent'}},
    ], env=env)
    for title, status in (('create', 'CREATE_COMPLETE'), ('delete', None)):
        result = second.results[title]
        assert not result.get('failed'), (title, result.get('msg'), second.output[-3000:])
        assert result['changed'] is True and not result.get('warnings'), (title, result.get('warnings'))
        if status:
            assert result['stack']['status'] == status
    assert FALLBACK_WARNING not in second.output and '[WARNING]' not in second.output, second.output[-3000:]
    served_by = helper_pids(persistent_dir)
    print('idle helper through a broker restart: helper %d before, %s after' % (helper, served_by))
    assert served_by == [helper]
    with engine_client(bed_a) as client:
        assert client.count_stacks(None, filters={'name': name}) == 0


# -- 2. two nodes in the URL, one of them stopped mid-run ------------------------------------------------------------

def test_node_of_two_stopped_mid_run_the_run_completes_via_the_other(tmp_path, cluster, bed_pair, pair_url):
    first, second = cluster
    name = unique_name('pair')
    env = dict(engine_environment(bed_pair), HEAT_RPC_TRANSPORT_URL=pair_url)
    by_node = {first.node: first, second.node: second}
    queues = first.queue_nodes('pair')
    stopped = by_node[queues['engine_worker']]
    survivor = second if stopped is first else first
    running = start_create(tmp_path, bed_pair, env, name, seconds=10)
    connections = len(stopped.ctl('list_connections', 'name').splitlines())
    stopped.stop()
    try:
        run = running.finish(timeout=240)
        result = run.results['stack']
        assert not result.get('failed'), (result.get('msg'), run.output[-3000:])
        assert result['stack']['status'] == 'CREATE_COMPLETE' and result['stack']['outputs']['value'] == 'done'
        # The engine moved to the other node: its queues are declared there now.
        moved = survivor.queue_nodes('pair')
        assert moved['engine_worker'] == survivor.node and moved['engine'] == survivor.node, moved
        # With that node still down, a re-run goes through the other one and converges.
        again = run_playbook(tmp_path / 'again', [stack_task(name, seconds=10)], env=env).results['stack']
        assert not again.get('failed'), again.get('msg')
        assert again['changed'] is False and again['stack']['status'] == 'CREATE_COMPLETE'
        assert not stopped.alive()
    finally:
        stopped.start()
    print('two nodes: stopped the %s node of the URL (%d connections on it), engine queues were on %s' % (
        'first' if stopped is first else 'second', connections, sorted(set(queues.values()))))


# -- 3. a real RabbitMQ TLS listener -------------------------------------------------------------------------------

def test_real_tls_listener_verified_and_refused_with_the_wrong_ca(tmp_path, rf_dir, ca, node_a, bed_a, password):
    other_ca = TestCA(rf_dir, name='another CA')
    client_cert, client_key = ca.issue('heat-rpc-client')
    env = engine_environment(bed_a)
    env.pop('HEAT_RPC_TRANSPORT_URL')
    tls_url = node_a.url(USER, password, 'heat', tls=True, host='localhost')
    tls = {'transport_url': tls_url, 'ssl': True, 'ssl_ca_file': str(ca.ca_file), 'connect_timeout': 5}
    wrong_ca = dict(tls)
    wrong_ca['ssl_ca_file'] = str(other_ca.ca_file)
    name = unique_name('tls')
    run = run_playbook(tmp_path, [
        stack_task(name, title='verified', **tls),
        stack_task(name, title='client certificate', ssl_cert_file=str(client_cert), ssl_key_file=str(client_key),
                   **tls),
        stack_task(name, title='wrong ca', **wrong_ca),
        {'name': 'delete', 'heat_rpc.engine.heat_stack': dict(tls, name=name, state='absent')},
    ], env=env, verbosity=3)
    # A create (a write, then the wait) and a re-run with a client certificate, both over the TLS listener.
    verified = run.results['verified']
    assert not verified.get('failed'), verified.get('msg')
    assert verified['changed'] is True and verified['stack']['status'] == 'CREATE_COMPLETE'
    with_cert = run.results['client certificate']
    assert not with_cert.get('failed'), with_cert.get('msg')
    assert with_cert['changed'] is False
    wrong = run.results['wrong ca']
    assert wrong['failed'] is True and wrong['error']['kind'] == 'tls_error', wrong
    assert wrong['msg'].startswith('TLS handshake with the RabbitMQ broker failed (localhost:%d' % node_a.tls_port)
    # RabbitMQ sends its CA certificate with its own (a TLS-terminating proxy usually does not): the
    # client sees a self-signed certificate it does not trust rather than an unknown issuer.
    assert 'CERTIFICATE_VERIFY_FAILED: self-signed certificate in certificate chain' in wrong['msg']
    assert wrong['changed'] is False
    assert run.results['delete']['changed'] is True
    assert password not in run.output and password not in run.log


# -- 3b. plain AMQP to the TLS listener, TLS to the plain one ---------------------------------------------------

MISMATCH = {'connect_timeout': 5, 'rpc_timeout': 60}
# Half the deadline a call of the old code ran into (connect_timeout + rpc_timeout + 2 s): a bound that no
# task of this test comes near unless it waits for that deadline.
NOT_THE_DEADLINE = (MISMATCH['connect_timeout'] + MISMATCH['rpc_timeout'] + 2) / 2


def mismatched_connections(node, ca, password):
    """{direction: (connection options, what the message must say)}: plain AMQP sent to the node's TLS listener,
    and TLS sent to its plain one."""
    return {
        'plain to tls': (
            {'transport_url': node.url(USER, password, 'heat', tls=True, host='localhost')},
            ['the RabbitMQ broker speaks TLS (AMQPS) but this connection uses plain AMQP (localhost:%d: speaks TLS)'
             % node.tls_port, 'set ssl: true (or ssl=1 in transport_url) with ssl_ca_file', 'nothing was sent']),
        'tls to plain': (
            {'transport_url': node.url(USER, password, 'heat', host='localhost'), 'ssl': True,
             'ssl_ca_file': str(ca.ca_file)},
            ['TLS handshake with the RabbitMQ broker failed (localhost:%d: ' % node.port,
             'the listener speaks plain AMQP, not TLS', "point transport_url at the broker's TLS port (5671 by default)",
             'nothing was sent']),
    }


def clock_task(index):
    return {'name': 'clock %d' % index, 'ansible.builtin.set_fact': {'clock': '{{ now().timestamp() }}'}}


def clock(run, index):
    return float(run.results['clock %d' % index]['ansible_facts']['clock'])


@pytest.mark.faults
def test_plain_amqp_to_the_tls_listener_and_tls_to_the_plain_one_fail_as_tls_error_long_before_the_deadline(
        tmp_path, ca, node_a, password):
    connections = mismatched_connections(node_a, ca, password)
    with tempfile.TemporaryDirectory(prefix='hrpc-', ignore_cleanup_errors=True) as helper_dir:
        # A short idle timeout: the helpers this test starts end by themselves right after it.
        helper = {'persistent': True, 'persistent_dir': helper_dir, 'persistent_idle_timeout': 5}
        runs = [(direction, way, dict(options, **(helper if way == 'helper' else {'persistent': False})))
                for direction, (options, _says) in connections.items() for way in ('in process', 'helper')]
        tasks = [clock_task(0)]
        for index, (direction, way, options) in enumerate(runs, 1):
            tasks += [stack_task(unique_name('tls'), title='%s, %s' % (direction, way), **dict(MISMATCH, **options)),
                      clock_task(index)]
        run = run_playbook(tmp_path, tasks)
    for index, (direction, way, _options) in enumerate(runs, 1):
        title = '%s, %s' % (direction, way)
        result = run.results[title]
        took = clock(run, index) - clock(run, index - 1)
        print('%s: %s after %.1fs: %s' % (title, result.get('error'), took, result.get('msg')))
        # A create that never reached the engine: tls_error, not engine_not_answering or outcome_unknown.
        assert result['failed'] is True and result['error']['kind'] == 'tls_error', result
        assert result['changed'] is False
        for text in connections[direction][1]:
            assert text in result['msg'], (title, result['msg'])
        assert took < NOT_THE_DEADLINE, (title, took)
        # The helper reports what the run itself reports (and the run did not fall back to connecting itself).
        assert result['msg'] == run.results['%s, in process' % direction]['msg']
        assert not result.get('warnings'), result['warnings']
    assert password not in run.output


@pytest.mark.faults
@pytest.mark.parametrize('persistent', [False, True], ids=['in process', 'helper'])
@pytest.mark.parametrize('direction', ['plain to tls', 'tls to plain'])
def test_a_write_over_the_wrong_protocol_is_not_an_unknown_outcome(ca, node_a, password, direction, persistent):
    from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
    from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import (
        connection_settings)
    from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient

    options, says = mismatched_connections(node_a, ca, password)[direction]
    options = dict(options, connect_timeout=MISMATCH['connect_timeout'], timeout=MISMATCH['rpc_timeout'])
    with tempfile.TemporaryDirectory(prefix='hrpc-', ignore_cleanup_errors=True) as helper_dir:
        client = EngineClient(connection_settings(persistent=persistent, persistent_dir=helper_dir,
                                                  persistent_idle_timeout=5, **options))
        try:
            with pytest.raises(errors.HeatRpcError) as failure:
                client.stack_suspend(None, {'stack_name': 'never', 'stack_id': 'sent', 'tenant': 't', 'path': ''})
        finally:
            client.close()
    assert failure.value.__class__ is errors.TLSError
    assert client.writes_sent == 0
    assert says[-1] in failure.value.message


# RabbitMQ's file log handler writes with a delay (up to about 2 s): the lines of a moment are read this much later.
LOG_DELAY = 3


def log_since(node, since):
    """The lines of the node's log stamped ``since`` (a UTC datetime) or later, once they are written."""
    time.sleep(LOG_DELAY)
    with open(node.log_file(), encoding='utf-8', errors='replace') as log:
        return ''.join(line for line in log if line[:26] >= since.strftime('%Y-%m-%d %H:%M:%S.%f'))


def connections_that_never_logged_in(log_text):
    """(connections the node accepted, those of them that never logged in) in a piece of RabbitMQ's log.

    A client that connects for the run logs in; a question to the listener (the AMQP header, then close) never does.
    """
    accepted = set(re.findall(r'accepting AMQP connection (<[\d.]+>)', log_text))
    logged_in = set(re.findall(r'connection (<[\d.]+>) \(.*\): user \'\S+\' authenticated', log_text))
    return accepted, accepted - logged_in


@pytest.mark.faults
def test_a_healthy_run_asks_the_listener_nothing(tmp_path, node_a, bed_a):
    env = engine_environment(bed_a)
    started = datetime.datetime.now(datetime.timezone.utc)
    with tempfile.TemporaryDirectory(prefix='hrpc-', ignore_cleanup_errors=True) as helper_dir:
        run = run_playbook(tmp_path, [
            {'name': 'in process', 'heat_rpc.engine.heat_stack_info': {'connect_timeout': 5}},
            {'name': 'helper', 'heat_rpc.engine.heat_stack_info': {
                'connect_timeout': 5, 'persistent': True, 'persistent_dir': helper_dir, 'persistent_idle_timeout': 5}},
        ], env=env)
    for title in ('in process', 'helper'):
        assert not run.results[title].get('failed'), run.results[title].get('msg')
    accepted, never_logged_in = connections_that_never_logged_in(log_since(node_a, started))
    print('healthy runs: %d connections accepted, %d never logged in' % (len(accepted), len(never_logged_in)))
    assert accepted and not never_logged_in


# -- 4. two engines on one vhost and database, one SIGKILLed during a create ---------------------------------------

@pytest.fixture
def two_engines(tmp_path, monkeypatch):
    """A test bed (shared RabbitMQ, own vhost and database) plus a second heat-engine on the same heat.conf.

    Both engines refresh their service records every 5 s, so that the killed one is down by heat's own rule
    well within the wait: the wait must still not call the action's engine dead (the other one is alive).
    """
    import json
    monkeypatch.setenv('HEAT_RPC_ENGINE_PERIODIC_INTERVAL', '5')
    with started_testbed(bed_name('two')) as bed:
        with open(os.path.join(bed['state_dir'], 'testbed.json'), encoding='utf-8') as handle:
            meta = json.load(handle)
        second_dir = tmp_path / 'engine2'
        second_dir.mkdir()
        extra = second_dir / 'engine2.conf'
        # Its own host name (as two engine hosts would have) and log file; everything else is shared.
        extra.write_text('[DEFAULT]\nhost = %s-2\nlog_file = %s\n' % (meta['name'], second_dir / 'heat-engine.log'))
        env = dict((key, value) for key, value in os.environ.items()
                   if key not in ('PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV'))
        with open(second_dir / 'console.log', 'ab') as console:
            second = subprocess.Popen(  # pylint: disable=consider-using-with
                [os.path.join(meta['venv'], 'bin', 'python'), os.path.join(meta['venv'], 'bin', 'heat-engine'),
                 '--config-file', os.path.join(bed['state_dir'], 'heat.conf'), '--config-file', str(extra)],
                cwd=str(second_dir), stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
                start_new_session=True, env=dict(env, PYTHONWARNINGS='ignore'))
        try:
            yield bed, meta, second
        finally:
            if second.poll() is None:
                os.killpg(second.pid, signal.SIGKILL)
            second.wait(timeout=30)


def engine_consumers(vhost):
    listing = subprocess.run(['rabbitmqctl', '-q', 'list_queues', '-p', vhost, 'name', 'consumers'],
                             capture_output=True, text=True, timeout=60, check=True).stdout
    return queue_consumers(listing, 'engine_worker') or 0


def reset_stack_status(meta, stack_id):
    """heat-manage reset_stack_status: heat's own recovery of a stack whose engine died (asks to confirm)."""
    return subprocess.run(
        [os.path.join(meta['venv'], 'bin', 'python'), os.path.join(meta['venv'], 'bin', 'heat-manage'),
         '--config-file', os.path.join(meta['state_dir'], 'heat.conf'), 'reset_stack_status', stack_id],
        input='y\n', capture_output=True, text=True, timeout=120, check=True)


def test_two_engines_one_sigkilled_during_a_create_never_duplicates_and_a_rerun_converges(tmp_path, two_engines):
    bed, meta, second = two_engines
    env = engine_environment(bed)
    name = unique_name('two')
    wait_until(lambda: engine_consumers(meta['vhost']) == 2, 90, 'the second engine to consume engine_worker')
    with engine_client(bed) as client:
        started = time.monotonic()
        running = start_playbook(tmp_path / 'create', [
            stack_task(name, template=SEVERAL, seconds=10, wait_timeout=45)], env=env)
        try:
            wait_until(stack_exists(client, name), 60, 'the create to reach the engine')
            identity = client.identify_stack(None, name)
            wait_until(lambda: [resource['resource_status'] for resource in client.list_stack_resources(None, identity)]
                       == ['IN_PROGRESS'] * 5, 30, 'the five resources to be in progress')
        except AssertionError:
            running.process.kill()
            raise
        os.killpg(second.pid, signal.SIGKILL)
        second.wait(timeout=30)
        run = running.finish(timeout=120)
        elapsed = time.monotonic() - started
        result = run.results['stack']
        status = client.show_stack(None, identity)[0]
        print('two engines: task %s after %.0fs: %s; stack %s_%s' % (
            'failed' if result.get('failed') else 'ok', elapsed, result.get('msg'), status['stack_action'],
            status['stack_status']))
        assert client.count_stacks(None, filters={'name': name}) == 1
        if not result.get('failed'):
            assert result['stack']['status'] == 'CREATE_COMPLETE'
        else:
            assert result['error']['kind'] in ('wait_timeout', 'stack_failed'), result
            assert result['changed'] is True
        if status['stack_status'] == 'IN_PROGRESS':
            # The convergence engine never finishes (or times out) the resources the dead engine held:
            # a re-run waits for the action in progress, then refuses to start another one.
            stuck = run_playbook(tmp_path / 'stuck', [stack_task(name, template=SEVERAL, seconds=10, wait_timeout=10)],
                                 env=env).results['stack']
            # Not engine_dead: the engine that lives was running before the action, and may hold its resources.
            assert stuck['failed'] is True and stuck['error']['kind'] == 'conflict', stuck
            assert 'was still CREATE_IN_PROGRESS after waiting 10s' in stuck['msg']
            assert client.count_stacks(None, filters={'name': name}) == 1
            # heat's own recovery for a stack whose engine died: heat-manage reset_stack_status.
            reset_stack_status(meta, identity['stack_id'])
            assert client.show_stack(None, identity)[0]['stack_status'] == 'FAILED'
        fixed = run_playbook(tmp_path / 'rerun', [stack_task(name, template=SEVERAL, seconds=10, title='fix'),
                                                  stack_task(name, template=SEVERAL, seconds=10, title='again')],
                             env=env)
        for title in ('fix', 'again'):
            assert not fixed.results[title].get('failed'), (title, fixed.results[title].get('msg'))
            assert fixed.results[title]['stack']['status'].endswith('_COMPLETE')
        assert fixed.results['again']['changed'] is False
        assert client.count_stacks(None, filters={'name': name}) == 1

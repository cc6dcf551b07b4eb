# -*- coding: utf-8 -*-
"""The persistent helper (persistent: true) through ansible-playbook against the real engine: one helper
serves a play's tasks with the results of an in-process run, exits when idle, is replaced when killed,
is refused a directory open to others, and a call it loses is reported as the in-process connection
would report it. Helpers are found by their socket directory (each test has its own) and never outlive
their test."""

import os
import signal
import socket
import threading

import pytest

from conftest import broker_address, run_playbook, start_playbook, url_through
from faults import FaultProxy
from helper_processes import FALLBACK_WARNING, HELPER_EXIT_WAIT, HelperWatch, helper_pids, socket_files, wait_until

TEMPLATE = {
    'heat_template_version': '2018-08-31',
    'parameters': {'length': {'type': 'number', 'default': 8}},
    'resources': {
        'none': {'type': 'OS::Heat::None'},
        'random': {'type': 'OS::Heat::RandomString', 'properties': {'length': {'get_param': 'length'}}},
    },
    'outputs': {'random_value': {'value': {'get_attr': ['random', 'value']}}},
}
# A generous bound for a request to reach the broker (never asserted as a duration).
CALL_SENT_WAIT = 60


@pytest.fixture
def helper_env(env, persistent_dir):
    """The test bed's HEAT_RPC_* variables with the persistent helper on, in this test's directory."""
    return dict(env, HEAT_RPC_PERSISTENT='1', HEAT_RPC_PERSISTENT_DIR=persistent_dir)


def stack_task(name, title='stack', **options):
    options.setdefault('template_body', TEMPLATE)
    return {'name': title, 'heat_rpc.engine.heat_stack': dict(name=name, **options)}


def info_task(title='info', **options):
    return {'name': title, 'heat_rpc.engine.heat_stack_info': options}


def closed_port():
    """A local TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


# -- 1. one helper serves a whole lifecycle, with the in-process results -----------------------------------------

def lifecycle_tasks(name):
    return [
        stack_task(name, 'create', parameters={'length': 8}),
        stack_task(name, 'again', parameters={'length': 8}),
        dict(stack_task(name, 'preview', parameters={'length': 12}), check_mode=True, diff=True),
        info_task('after preview', name=name),
        stack_task(name, 'update', parameters={'length': 12}),
        info_task('after update', name=name),
        {'name': 'delete', 'heat_rpc.engine.heat_stack': {'name': name, 'state': 'absent'}},
        {'name': 'absent again', 'heat_rpc.engine.heat_stack': {'name': name, 'state': 'absent'}},
    ]


def outcome(result):
    """What a task's result says, apart from the stack's name, ids and times."""
    stack = result.get('stack') or {}
    return {
        'failed': bool(result.get('failed')), 'changed': result.get('changed'), 'warnings': result.get('warnings'),
        'status': stack.get('status'), 'differences': result.get('differences'),
        'resource_changes': result.get('resource_changes'), 'diff': result.get('diff'),
        'found': [(found['status'], len(found['outputs']['random_value'])) for found in result.get('stacks', ())],
    }


def test_one_helper_serves_a_lifecycle_with_the_in_process_results(
        tmp_path, env, helper_env, persistent_dir, client, stack_name, other_stack_name):
    with HelperWatch(persistent_dir) as watch:
        through_helper = start_playbook(tmp_path / 'helper', lifecycle_tasks(stack_name), env=helper_env)
        in_process = start_playbook(tmp_path / 'in-process', lifecycle_tasks(other_stack_name),
                                    env=dict(env, HEAT_RPC_PERSISTENT='0'))
        helper_run, process_run = through_helper.finish(), in_process.finish()
    served = helper_run.results
    assert helper_run.stats.get('ignored', 0) == 0, helper_run.output
    assert [(task, served[task]['changed']) for task in served] == [
        ('create', True), ('again', False), ('preview', True), ('after preview', False), ('update', True),
        ('after update', False), ('delete', True), ('absent again', False)]
    preview = served['preview']
    assert preview['resource_changes']['replaced'] == ['random']
    assert [preview['diff'][side]['environment']['parameters'] for side in ('before', 'after')] == [
        {'length': 8}, {'length': 12}]
    # The preview sent no update: the stack was still the created one when looked at next.
    assert outcome(served['after preview'])['found'] == [('CREATE_COMPLETE', 8)]
    assert outcome(served['after update'])['found'] == [('UPDATE_COMPLETE', 12)]
    assert client.count_stacks(None, filters={'name': stack_name}) == 0
    assert dict((task, outcome(result)) for task, result in served.items()) == dict(
        (task, outcome(result)) for task, result in process_run.results.items())
    # One helper, one socket, for every task of the play (none of them connected itself: no warnings).
    assert len(watch.pids) == 1 and watch.most_at_once == (1, 1), watch.samples
    assert len(socket_files(persistent_dir)) == 1

    again = run_playbook(tmp_path / 'second', [info_task(name=stack_name)], env=helper_env)
    assert again.results['info']['stacks'] == [] and not again.results['info'].get('warnings')
    assert helper_pids(persistent_dir) == watch.pids


# -- 2. idle exit -----------------------------------------------------------------------------------------------

def test_helper_exits_after_its_idle_timeout_and_removes_its_socket(tmp_path, helper_env, persistent_dir):
    with HelperWatch(persistent_dir) as watch:
        run = run_playbook(tmp_path, [info_task('list')], env=dict(
            helper_env, HEAT_RPC_PERSISTENT_IDLE_TIMEOUT='2'))
    assert not run.results['list'].get('failed') and not run.results['list'].get('warnings'), run.results
    assert len(watch.pids) == 1, watch.samples
    assert wait_until(lambda: not helper_pids(persistent_dir) and not socket_files(persistent_dir),
                      HELPER_EXIT_WAIT), (helper_pids(persistent_dir), socket_files(persistent_dir))


# -- 3. a helper killed between plays ---------------------------------------------------------------------------

def test_a_killed_helper_is_replaced_by_the_next_play(tmp_path, helper_env, persistent_dir):
    first = run_playbook(tmp_path / 'first', [info_task('list')], env=helper_env)
    assert not first.results['list'].get('failed'), first.results['list'].get('msg')
    [killed] = helper_pids(persistent_dir)
    os.kill(killed, signal.SIGKILL)
    assert wait_until(lambda: not helper_pids(persistent_dir), HELPER_EXIT_WAIT)
    # It left its socket file behind: the next run finds nobody listening there.
    [stale] = socket_files(persistent_dir)

    second = run_playbook(tmp_path / 'second', [info_task('list')], env=helper_env)
    listed = second.results['list']
    assert not listed.get('failed') and not listed.get('warnings'), listed
    [replacement] = helper_pids(persistent_dir)
    assert replacement != killed and socket_files(persistent_dir) == [stale]


# -- 4. a directory that is not private ---------------------------------------------------------------------------

def open_to_others(directory):
    os.makedirs(directory)
    os.chmod(directory, 0o755)
    return 'persistent_dir %s is open to other users (mode 755); it must be 0700' % directory


def of_another_user(directory):
    os.makedirs(directory, mode=0o700)
    os.chown(directory, 65534, 65534)  # nobody
    return 'persistent_dir %s belongs to another user' % directory


@pytest.mark.parametrize('make_directory', [
    open_to_others,
    pytest.param(of_another_user, marks=pytest.mark.skipif(
        os.geteuid() != 0, reason='giving a directory to another user needs root')),
])
def test_a_directory_that_is_not_private_is_refused_with_a_warning(tmp_path, env, persistent_dir, make_directory):
    reason = make_directory(persistent_dir)
    with HelperWatch(persistent_dir) as watch:
        run = run_playbook(tmp_path, [info_task('list', persistent=True, persistent_dir=persistent_dir)], env=env)
    listed = run.results['list']
    assert not listed.get('failed'), listed.get('msg')
    assert isinstance(listed['stacks'], list)
    assert listed['warnings'] == [FALLBACK_WARNING + reason]
    assert watch.pids == [] and socket_files(persistent_dir) == []


# -- 5. the helper lost while a call is in flight -----------------------------------------------------------------

class FreezeOnRequest:
    """A FaultProxy inspector that stops the engine (SIGSTOP) as a request for ``method`` goes to the broker.

    The call then waits unanswered, handed over, in the helper. ``release()`` lets the engine run
    again and disarms the inspector (so that it cannot freeze the engine after the test has ended).
    """

    def __init__(self, engine_group, method):
        self.engine_group = engine_group
        self.pattern = method.encode('ascii')
        self.sent = threading.Event()
        self._armed = True
        self._lock = threading.Lock()

    def __call__(self, data):
        with self._lock:
            if self._armed and self.pattern in data:
                os.killpg(self.engine_group, signal.SIGSTOP)
                self._armed = False
                self.sent.set()

    def release(self):
        with self._lock:
            self._armed = False
            os.killpg(self.engine_group, signal.SIGCONT)


def losing_the_helper(where, testbed, env, persistent_dir, engine_group, task, method, resume_at_once):
    """Run ``task``, SIGKILLing its helper while the engine, frozen, holds the ``method`` call unanswered.

    The engine runs again at once, or only when the task has ended. Returns the task's result and the
    killed helper's pid.
    """
    freezer = FreezeOnRequest(engine_group, method)
    proxy = FaultProxy(broker_address(testbed), on_request=freezer)
    # A short call monitor: lookups after a lost call (heat_stack looks for its stack) fail fast while frozen.
    proxied = dict(env, HEAT_RPC_TRANSPORT_URL=url_through(testbed, '127.0.0.1', proxy.port),
                   HEAT_RPC_CALL_MONITOR_TIMEOUT='2')
    running = start_playbook(where, [task], env=proxied)
    try:
        assert freezer.sent.wait(CALL_SENT_WAIT), '%s was never sent' % method
        [killed] = helper_pids(persistent_dir)
        os.kill(killed, signal.SIGKILL)
        if resume_at_once:
            freezer.release()
        return running.finish().results[task['name']], killed
    finally:
        freezer.release()
        if running.process.poll() is None:
            running.process.kill()
        proxy.stop()


def test_helper_lost_during_a_read_the_read_is_sent_again_in_process(
        tmp_path, heat_testbed, helper_env, persistent_dir, engine_group):
    listed, killed = losing_the_helper(tmp_path, heat_testbed, helper_env, persistent_dir, engine_group,
                                       info_task('list'), 'list_stacks', resume_at_once=True)
    assert not listed.get('failed'), listed.get('msg')
    assert isinstance(listed['stacks'], list)
    assert listed['warnings'] == [FALLBACK_WARNING + 'the helper (pid %d) lost the call to list_stacks: it ended'
                                  % killed]
    assert helper_pids(persistent_dir) == []  # the rest of the run connected itself


def test_helper_lost_during_a_create_the_module_finds_the_stack_the_engine_made(
        tmp_path, heat_testbed, helper_env, persistent_dir, engine_group, client, stack_name):
    created, killed = losing_the_helper(tmp_path, heat_testbed, helper_env, persistent_dir, engine_group,
                                        stack_task(stack_name), 'create_stack', resume_at_once=True)
    # The create's outcome was unknown; the module looked the stack up (through a new helper) and
    # waited for the create the engine had received.
    assert not created.get('failed') and not created.get('warnings'), (created.get('msg'), created.get('warnings'))
    assert created['changed'] is True and created['stack']['status'] == 'CREATE_COMPLETE'
    assert client.count_stacks(None, filters={'name': stack_name}) == 1
    [replacement] = helper_pids(persistent_dir)
    assert replacement != killed


def test_helper_lost_during_a_create_is_outcome_unknown_and_a_rerun_converges(
        tmp_path, heat_testbed, helper_env, persistent_dir, engine_group, client, stack_name):
    lost, killed = losing_the_helper(tmp_path / 'lost', heat_testbed, helper_env, persistent_dir, engine_group,
                                     stack_task(stack_name), 'create_stack', resume_at_once=False)
    assert lost['failed'] is True and lost['error']['kind'] == 'outcome_unknown', lost
    assert "the persistent helper (pid %d) did not answer 'create_stack'" % killed in lost['msg']
    assert 'may or may not have taken effect' in lost['msg']
    assert 'whether it will be created is unknown' in lost['msg']
    assert lost['changed'] is True  # a write was handed over

    # The engine, running again, carries out the create it had received (or this run creates the
    # stack): either way one stack, created.
    rerun = run_playbook(tmp_path / 'rerun', [stack_task(stack_name)], env=helper_env).results['stack']
    assert not rerun.get('failed'), rerun.get('msg')
    assert rerun['stack']['status'] == 'CREATE_COMPLETE'
    assert client.count_stacks(None, filters={'name': stack_name}) == 1


# -- 6. an unreachable broker -----------------------------------------------------------------------------------

def test_an_unreachable_broker_is_reported_through_the_helper_as_in_process(
        tmp_path, heat_testbed, env, persistent_dir):
    unreachable = {'transport_url': url_through(heat_testbed, '127.0.0.1', closed_port()), 'connect_timeout': 2}
    run = run_playbook(tmp_path, [
        info_task('through helper', persistent=True, persistent_dir=persistent_dir, **unreachable),
        info_task('in process', persistent=False, **unreachable),
    ], env=env)
    through_helper, in_process = run.results['through helper'], run.results['in process']
    assert in_process['error']['kind'] == 'broker_unreachable', in_process
    assert through_helper['error']['kind'] == in_process['error']['kind'], through_helper
    assert through_helper['msg'] == in_process['msg']
    assert not through_helper.get('warnings'), through_helper['warnings']


def test_the_safety_gates_decide_the_same_through_the_helper(tmp_path, helper_env, persistent_dir, stack_name):
    """protect, approved plans and the events of an action, every read and write of them through one helper."""
    template = {'heat_template_version': '2018-08-31', 'parameters': {'length': {'type': 'number', 'default': 8}},
                'resources': {'db': {'type': 'OS::Heat::RandomString',
                                     'properties': {'length': {'get_param': 'length'}}}}}
    gated = dict(template_body=template, protect=['db'])
    with HelperWatch(persistent_dir) as watch:
        created = run_playbook(tmp_path / 'create', [stack_task(stack_name, **gated)], env=helper_env).results['stack']
        planned = run_playbook(tmp_path / 'plan', [stack_task(stack_name, template_body=template, parameters={
            'length': 9})], env=helper_env, check=True).results['stack']
        results = run_playbook(tmp_path / 'gates', [
            stack_task(stack_name, title='protected', parameters={'length': 9}, **gated),
            stack_task(stack_name, title='approved', template_body=template, parameters={'length': 9},
                       approved_plan=planned['plan']),
        ], env=helper_env).results
    assert created['changed'] is True and [event['path'] for event in created['events']][-1] == ''
    assert results['protected']['error']['kind'] == 'protected_resource'
    assert [entry['path'] for entry in results['protected']['protected']] == ['db']
    approved = results['approved']
    assert approved['changed'] is True and not approved.get('failed'), approved.get('msg')
    assert all(FALLBACK_WARNING not in warning for result in (created, planned, approved)
               for warning in result.get('warnings', []))
    assert len(watch.pids) == 1

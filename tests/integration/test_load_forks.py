# -*- coding: utf-8 -*-
"""Eight forks against one engine, each owning a stack of three resources (one a nested template): create,
re-apply (``changed: false``), update and delete, in process and through one persistent helper shared
by every run. Correctness only (tests/fork_load.py runs the phases; benchmarks/load_forks.py has the
figures of 32 forks): every task as expected, one stack per host and none left after the delete, no
helper left running, no reply queue left over, the clients' broker connections back to where they were.
"""

import os

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.redaction import ParsedTransportURL
from conftest import unique_name
from fork_load import PHASES, BrokerWatch, ForkLoad, stacks_named
from helper_processes import HELPER_EXIT_WAIT, HelperWatch, helper_pids, socket_files, wait_until

pytestmark = pytest.mark.faults

FORKS = 8
# The helper's idle exit: longer than the gap between two phases (one ansible-playbook ends, the next starts
# its first task), short enough to wait for: that it exits by itself after the last run is part of "nothing
# left behind".
HELPER_IDLE_TIMEOUT = 15
# Reply queues expire 10 s after their last consumer went (transport.REPLY_QUEUE_TTL); connections close at once.
SETTLE_WAIT = 40


def run_environment(env, tmp_path):
    environ = dict((key, value) for key, value in os.environ.items() if not key.startswith('HEAT_RPC_'))
    environ.update(env, ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='0',
                   ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-tmp'))
    return environ


@pytest.mark.parametrize('persistent', [False, True], ids=['in_process', 'persistent'])
def test_forks_create_reapply_update_delete_their_own_stacks(tmp_path, heat_testbed, env, client, persistent_dir,
                                                             persistent):
    load = ForkLoad(str(tmp_path / 'load'), FORKS, unique_name('load'))
    names = load.stack_names()
    broker = BrokerWatch(ParsedTransportURL(heat_testbed['transport_url']).virtual_host)
    assert stacks_named(client, names) == dict.fromkeys(names, 0)  # also: the test's own client is connected
    baseline = broker.connections()
    queues_before = broker.reply_queues()
    environ = run_environment(env, tmp_path)
    # In process is no longer the default: it is asked for (and the helper's directory named either way, so that a
    # helper started by mistake would show in the watch below rather than in ~/.ansible).
    environ.update(HEAT_RPC_PERSISTENT='1' if persistent else '0', HEAT_RPC_PERSISTENT_DIR=persistent_dir,
                   HEAT_RPC_PERSISTENT_IDLE_TIMEOUT=str(HELPER_IDLE_TIMEOUT))
    try:
        with HelperWatch(persistent_dir) as watch:
            for phase in PHASES:
                run = load.run(phase, environ)
                assert run.returncode == 0, run.output[-3000:]
                assert run.outcomes() == dict.fromkeys(load.hosts, 'ok'), (phase, run.results)
                # No duplicate, none missing; after the delete, none left.
                assert stacks_named(client, names) == dict.fromkeys(names, 0 if phase == 'delete' else 1), phase
    finally:
        for name in names:
            raw = client.list_stacks(None, filters={'name': name})
            for stack in raw:
                client.delete_stack(None, stack['stack_identity'], cast=True)

    # One helper served every run of every phase, and exits by itself once idle; in process, none was started.
    assert len(watch.pids) == (1 if persistent else 0), watch.samples
    assert wait_until(lambda: not helper_pids(persistent_dir) and not socket_files(persistent_dir),
                      HELPER_IDLE_TIMEOUT + HELPER_EXIT_WAIT), helper_pids(persistent_dir)
    # At most as many as before: one of an earlier test may still have been closing when the baseline was read.
    clients_back = wait_until(lambda: broker.connections()['clients'] <= baseline['clients'], SETTLE_WAIT, interval=1)
    assert clients_back, (baseline, broker.connections())
    queues_gone = wait_until(lambda: not (broker.reply_queues() - queues_before), SETTLE_WAIT, interval=1)
    assert queues_gone, broker.reply_queues() - queues_before

# -*- coding: utf-8 -*-
"""A heat-engine that dies (SIGKILL) during a stack action, and one that is only paused (SIGSTOP): the real engine.

The test bed's engine refreshes its service record every 5 s (HEAT_RPC_ENGINE_PERIODIC_INTERVAL) instead of
heat's 60 s, so that heat's own up/down rule turns within seconds; benchmarks/engine_liveness_signals.py
gives the figures at the default. One of two engines SIGKILLed is test_real_faults.py's two-engine test
(also on 5 s reports): there the wait runs to wait_timeout, as nothing says which engine held what.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import engine_environment, run_playbook, settings_for, start_playbook, unique_name
from conftest_testbed import TESTBED_SCRIPT, started_testbed
from test_real_faults import bed_name, reset_stack_status, stack_task, wait_until

pytestmark = [pytest.mark.faults]

REPORT_INTERVAL = 5


@pytest.fixture(scope='module')
def fast_reports_bed():
    """A test bed of its own whose engine reports every REPORT_INTERVAL seconds; its testbed.json as ``meta``."""
    before = os.environ.get('HEAT_RPC_ENGINE_PERIODIC_INTERVAL')
    os.environ['HEAT_RPC_ENGINE_PERIODIC_INTERVAL'] = str(REPORT_INTERVAL)
    try:
        with started_testbed(bed_name('dead')) as bed:
            yield bed
    finally:
        if before is None:
            os.environ.pop('HEAT_RPC_ENGINE_PERIODIC_INTERVAL', None)
        else:
            os.environ['HEAT_RPC_ENGINE_PERIODIC_INTERVAL'] = before


def meta_of(bed):
    with open(os.path.join(bed['state_dir'], 'testbed.json'), encoding='utf-8') as handle:
        return json.load(handle)


def engine_client(bed):
    from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient
    return EngineClient(settings_for(bed, timeout=10))


def start_slow_create(tmp_path, bed, client, name, seconds, wait_timeout):
    """Start a heat_stack create whose one resource takes ``seconds``; return once that resource is in progress."""
    running = start_playbook(tmp_path / 'create', [stack_task(name, seconds=seconds, wait_timeout=wait_timeout)],
                             env=engine_environment(bed))
    try:
        wait_until(lambda: client.count_stacks(None, filters={'name': name}) == 1, 60, 'the create to reach the engine')
        identity = client.identify_stack(None, name)
        wait_until(lambda: [resource['resource_status'] for resource in client.list_stack_resources(None, identity)]
                   == ['IN_PROGRESS'], 30, 'the resource to be in progress')
    except AssertionError:
        running.process.kill()
        raise
    return running, identity


def test_the_only_engine_paused_for_less_than_the_wait_is_waited_for(tmp_path, fast_reports_bed):
    bed = fast_reports_bed
    name = unique_name('paused')
    pgid = meta_of(bed)['pgid']
    with engine_client(bed) as client:
        running, identity = start_slow_create(tmp_path, bed, client, name, seconds=15, wait_timeout=180)
        os.killpg(pgid, signal.SIGSTOP)
        try:
            # Long enough for heat's own rule to call its record down (2 x 5 s without a report).
            time.sleep(8 * REPORT_INTERVAL)
        finally:
            os.killpg(pgid, signal.SIGCONT)
        run = running.finish(timeout=300)
        result = run.results['stack']
        assert not result.get('failed'), result.get('msg')
        assert result['stack']['status'] == 'CREATE_COMPLETE'
        assert client.show_stack(None, identity)[0]['stack_status'] == 'COMPLETE'


def test_the_only_engine_killed_and_restarted_ends_the_wait_engine_dead_and_the_advice_recovers(
        tmp_path, fast_reports_bed):
    bed = fast_reports_bed
    name = unique_name('dead')
    meta = meta_of(bed)
    env = engine_environment(bed)
    with engine_client(bed) as client:
        running, identity = start_slow_create(tmp_path, bed, client, name, seconds=600, wait_timeout=400)
        os.killpg(meta['pgid'], signal.SIGKILL)
        killed = time.monotonic()
        # Heat's times are to the second: an engine started in the second the resource did counts as there.
        time.sleep(2)
        subprocess.run([sys.executable, TESTBED_SCRIPT, 'restart', '--name', bed['name']], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=180, check=True)
        run = running.finish(timeout=600)
        result = run.results['stack']
        print('engine killed: the wait ended %.0fs later: %s' % (time.monotonic() - killed, result.get('msg')))
        assert result['failed'] is True and result['error']['kind'] == 'engine_dead', result
        assert result['stack']['status'] == 'CREATE_IN_PROGRESS'
        assert 'slow (since ' in result['msg'] and 'went IN_PROGRESS before any engine up now started' in result['msg']
        assert 'heat-manage reset_stack_status %s' % identity['stack_id'] in result['msg']
        assert result['changed'] is True

        # A second run finds the stack in progress and says the same, instead of waiting wait_timeout for it.
        started = time.monotonic()
        again = run_playbook(tmp_path / 'again', [stack_task(name, seconds=0, wait_timeout=300)],
                             env=env).results['stack']
        print('second run: engine_dead after %.0fs' % (time.monotonic() - started))
        assert again['failed'] is True and again['error']['kind'] == 'engine_dead', again
        assert client.show_stack(None, identity)[0]['stack_status'] == 'IN_PROGRESS'

        # The advice: heat's own recovery marks it FAILED, after which heat_stack repairs the stack.
        reset_stack_status(meta, identity['stack_id'])
        assert client.show_stack(None, identity)[0]['stack_status'] == 'FAILED'
        fixed = run_playbook(tmp_path / 'fix', [stack_task(name, seconds=0)], env=env).results['stack']
        assert not fixed.get('failed'), fixed.get('msg')
        assert fixed['stack']['status'].endswith('_COMPLETE')
        assert client.count_stacks(None, filters={'name': name}) == 1

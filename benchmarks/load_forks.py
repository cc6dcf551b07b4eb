# -*- coding: utf-8 -*-
"""Benchmark: 32 forks against one engine, each owning a stack, in process and through one shared helper.

``--forks`` local hosts (default 32) in one ansible-playbook run with as many forks; each host creates its
own stack (three resources, one of them a nested template), then re-applies it (``changed: false``),
updates it and deletes it: four runs, the phases of tests/fork_load.py (which the integration test
tests/integration/test_load_forks.py runs with 8 forks and asserts on). The four phases run in process,
then again through one persistent helper that all of their runs share (started by the create phase's
first run, counted in its figures).

Per phase it prints: wall seconds of the ansible-playbook run, the hosts whose task ended as expected and
the others by outcome (``error: <kind>`` for a typed failure), the peak number of broker connections on
the bed's vhost (sampled every ``--sample-interval`` seconds with rabbitmqctl: the clients' and the
total with the engine's), client CPU seconds (ansible-playbook and everything it ran, plus the helper's
share, from /proc/<pid>/stat) and the 1-minute load average when the phase ended. Then, per connection
mode: stacks left or duplicated, the helper's end, and whether the clients' broker connections and the
vhost's reply queues got back to where they were before (within ``--settle`` seconds: reply queues
expire 10 s after their last consumer). Prints figures (``--json``: the raw report); asserts nothing.

    python3 tests/testbed/heat_testbed.py up --name bench
    . ~/.cache/heat_rpc/testbeds/bench/connection.env
    $(tests/ensure-venv.sh)/bin/python benchmarks/load_forks.py [--forks 32] [--no-persistent]
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import uuid

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, 'tests'))

from fork_load import PHASES, BrokerWatch, ForkLoad, stacks_named  # noqa: E402
from helper_processes import wait_until  # noqa: E402
from module_overhead import PersistentHelper, engine_client, format_table  # noqa: E402

MODE_LABELS = {'in_process': 'in process', 'persistent': 'persistent (one helper)'}


def run_environment(helper):
    environ = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='0')
    environ.update(helper.env if helper else {'HEAT_RPC_PERSISTENT': '0'})  # in process is not the default
    return environ


def phase_figures(load, phase, environ, broker, helper):
    """Run one phase; its figures."""
    helper_before = helper.cpu() if helper else {}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with broker:
        run = load.run(phase, environ)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    helper_cpu, helper_started = helper.account(helper_before, helper.cpu()) if helper else (0.0, False)
    client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime) + helper_cpu
    tally = run.tally()
    return {'wall_s': round(run.wall, 1), 'ok': tally.pop('ok', 0), 'failures': dict(tally),
            'exit_code': run.returncode, 'peak_connections': dict(broker.peak), 'client_cpu_s': round(client_cpu, 1),
            'helper_cpu_s': round(helper_cpu, 1), 'helper_started': helper_started,
            'load_1min': round(os.getloadavg()[0], 2)}


def mode_figures(directory, mode, forks, broker, client, settle):
    """The four phases in one connection mode, then what was left behind."""
    helper = PersistentHelper('load') if mode == 'persistent' else None
    load = ForkLoad(os.path.join(directory, mode), forks, 'bench-load-%s' % uuid.uuid4().hex[:8])
    names = load.stack_names()
    baseline = broker.connections()
    queues_before = broker.reply_queues()
    figures = {'phases': {}, 'baseline_connections': baseline}
    environ = run_environment(helper)
    try:
        for phase in PHASES:
            figures['phases'][phase] = phase_figures(load, phase, environ, broker, helper)
            counts = stacks_named(client, names)
            figures['phases'][phase]['stacks'] = {
                'missing': sum(1 for count in counts.values() if count == 0),
                'duplicated': sum(1 for count in counts.values() if count > 1)}
    finally:
        if helper is not None:
            figures['helper'] = helper.stop()
    counts = stacks_named(client, names)
    figures['stacks_left'] = sum(counts.values())
    for name, count in counts.items():
        for raw in client.list_stacks(None, filters={'name': name}) if count else ():
            client.delete_stack(None, raw['stack_identity'], cast=True)
    broker.settled(lambda: broker.connections()['clients'] <= baseline['clients'], settle)
    figures['connections_after'] = broker.connections()
    wait_until(lambda: not broker.reply_queues() - queues_before, settle, interval=1)
    figures['reply_queues_left'] = len(broker.reply_queues() - queues_before)
    return figures


# -- the printed report ----------------------------------------------------------------------------

def failures_text(failures):
    return ', '.join('%s x%d' % (kind, count) for kind, count in sorted(failures.items())) or '-'


def print_report(report):
    rows = []
    for mode, figures in report['modes'].items():
        for index, (phase, values) in enumerate(figures['phases'].items()):
            peak = values['peak_connections']
            rows.append(['' if index else MODE_LABELS[mode], phase, '%.1f' % values['wall_s'],
                         '%d/%d' % (values['ok'], report['forks']), failures_text(values['failures']),
                         '%d (%d)' % (peak['clients'], peak['total']), '%.1f' % values['client_cpu_s'],
                         '%.1f' % values['helper_cpu_s'] if mode == 'persistent' else '-',
                         '%.2f' % values['load_1min']])
    lines = [format_table(
        '%d forks, one stack each (3 resources, one nested template); seconds' % report['forks'],
        ['connection', 'phase', 'wall', 'ok', 'failures by kind', 'peak conns: clients (total)', 'client CPU',
         'of it helper', 'load 1 min'], rows)]
    lines.append('  peak connections: on the vhost, sampled every %.1f s with rabbitmqctl (total: with the '
                 "engine's); load: the 1-minute load average at the end of the phase (%.2f at the start)"
                 % (report['sample_interval'], report['load_1min_at_start']))
    for mode, figures in report['modes'].items():
        duplicated = sum(values['stacks']['duplicated'] for values in figures['phases'].values())
        baseline, after = figures['baseline_connections'], figures['connections_after']
        text = ('%s: %d stack(s) left, %d duplicated; client connections %d before, %d after (engine %d, then %d); '
                '%d reply queue(s) left after %d s' % (
                    MODE_LABELS[mode], figures['stacks_left'], duplicated, baseline['clients'], after['clients'],
                    baseline['engine'], after['engine'], figures['reply_queues_left'], report['settle_s']))
        helper = figures.get('helper')
        if helper:
            text += '; helper pid %s started %d time(s), %s at the end' % (
                ', '.join(str(pid) for pid in helper['pids']) or '-', helper['starts'],
                'killed' if helper['killed'] else 'exited within %.1f s' % helper['exited_within_s'])
        lines.append('  ' + text)
    print('\n'.join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--forks', type=int, default=32)
    parser.add_argument('--no-persistent', action='store_true', help='leave out the runs through the persistent helper')
    parser.add_argument('--sample-interval', type=float, default=2.0,
                        help='seconds between two readings of the broker connections')
    parser.add_argument('--settle', type=int, default=40,
                        help='seconds to wait for connections and reply queues to get back to where they were')
    parser.add_argument('--json', action='store_true', help='print the raw report as JSON instead of tables')
    args = parser.parse_args()
    if not os.environ.get('HEAT_RPC_TRANSPORT_URL'):
        parser.error('set HEAT_RPC_TRANSPORT_URL (source a test bed connection.env)')
    from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.redaction import ParsedTransportURL
    broker = BrokerWatch(ParsedTransportURL(os.environ['HEAT_RPC_TRANSPORT_URL']).virtual_host,
                         interval=args.sample_interval)
    report = {'forks': args.forks, 'sample_interval': args.sample_interval, 'settle_s': args.settle, 'modes': {},
              'load_1min_at_start': round(os.getloadavg()[0], 2)}
    client = engine_client()
    try:
        stacks_named(client, [])  # connects the benchmark's own client before the baseline is read
        with tempfile.TemporaryDirectory() as directory:
            for mode in ('in_process',) if args.no_persistent else ('in_process', 'persistent'):
                report['modes'][mode] = mode_figures(directory, mode, args.forks, broker, client, args.settle)
    finally:
        client.close()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)


if __name__ == '__main__':
    main()

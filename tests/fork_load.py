# -*- coding: utf-8 -*-
"""Many forks against one engine, for the load test (tests/integration/test_load_forks.py) and the load
benchmark (benchmarks/load_forks.py): the same phases, judged the same way; the test asserts, the
benchmark prints figures.

N local hosts (``fork00``...) in one ansible-playbook run with ``-f N``; each host owns one stack
(``<prefix>-<host>``) of three resources, one of them a nested template. The phases, in order:

- ``create``: every host creates its stack (changed);
- ``reapply``: the same definition again (``changed: false``);
- ``update``: a new parameter value, which the nested template gets too (changed);
- ``delete``: ``state: absent`` (changed).

Every task may fail (ignore_errors); one last task, run once, writes every host's result to a JSON file.
``judge`` names each host's outcome: ``ok``, the ``error.kind`` of a failed task, or what else was wrong.
``BrokerWatch`` reads the vhost's connections and reply queues with rabbitmqctl (the bed's own vhost, so
other test beds on the broker do not count), and samples the connections in the background for a peak.
"""

import collections
import json
import os
import re
import subprocess
import sys
import time

from helper_processes import FALLBACK_WARNING, BackgroundSampler

PHASES = ('create', 'reapply', 'update', 'delete')
# What each phase's task should report.
EXPECTED_CHANGED = {'create': True, 'reapply': False, 'update': True, 'delete': True}
EXPECTED_STATUS = {'create': 'CREATE_COMPLETE', 'reapply': 'CREATE_COMPLETE', 'update': 'UPDATE_COMPLETE',
                   'delete': None}
LENGTH = {'create': 8, 'reapply': 8, 'update': 12}

CHILD_TEMPLATE = {
    'heat_template_version': '2018-08-31',
    'parameters': {'length': {'type': 'number'}},
    'resources': {'inner': {'type': 'OS::Heat::RandomString', 'properties': {'length': {'get_param': 'length'}}}},
    'outputs': {'value': {'value': {'get_attr': ['inner', 'value']}}},
}
# Three resources: two of the root template's own and one nested template (child.yaml).
ROOT_TEMPLATE = {
    'heat_template_version': '2018-08-31',
    'parameters': {'length': {'type': 'number', 'default': 8}},
    'resources': {
        'none': {'type': 'OS::Heat::None'},
        'random': {'type': 'OS::Heat::RandomString', 'properties': {'length': {'get_param': 'length'}}},
        'nested': {'type': 'child.yaml', 'properties': {'length': {'get_param': 'length'}}},
    },
    'outputs': {'nested_value': {'value': {'get_attr': ['nested', 'value']}}},
}
# Long enough for a create of 32 stacks on a 2-core machine; a task that takes longer is a finding.
WAIT_TIMEOUT = 600
PLAYBOOK_TIMEOUT = 1800
RABBITMQCTL_TIMEOUT = 60


class ForkLoad:
    """The files of one load run in ``directory``: templates, the inventory of ``forks`` hosts, a playbook per phase."""

    def __init__(self, directory, forks, prefix):
        self.directory = directory
        self.forks = forks
        self.prefix = prefix
        self.hosts = ['fork%02d' % index for index in range(forks)]
        os.makedirs(directory, exist_ok=True)
        for name, template in (('stack.yaml', ROOT_TEMPLATE), ('child.yaml', CHILD_TEMPLATE)):
            with open(os.path.join(directory, name), 'w') as handle:
                json.dump(template, handle)  # JSON is YAML
        self.inventory = os.path.join(directory, 'hosts.ini')
        with open(self.inventory, 'w') as handle:
            handle.write('[all]\n' + ''.join('%s ansible_connection=local\n' % host for host in self.hosts))

    def stack_names(self):
        return ['%s-%s' % (self.prefix, host) for host in self.hosts]

    def playbook(self, phase):
        """The playbook of ``phase`` (written next to the templates, which it names relative to itself)."""
        options = {'name': '%s-{{ inventory_hostname }}' % self.prefix, 'wait_timeout': WAIT_TIMEOUT}
        if phase == 'delete':
            options['state'] = 'absent'
        else:
            options.update(template='stack.yaml', parameters={'length': LENGTH[phase]})
        results = os.path.join(self.directory, '%s-results.json' % phase)
        collect = ', '.join('%s: hostvars[%s].result' % (json.dumps(host), json.dumps(host)) for host in self.hosts)
        tasks = [
            {'name': phase, 'heat_rpc.engine.heat_stack': options, 'register': 'result', 'ignore_errors': True},
            {'name': 'collect results', 'run_once': True, 'ansible.builtin.copy': {
                'content': '{{ {%s} | to_json }}' % collect, 'dest': results}},
        ]
        path = os.path.join(self.directory, '%s.yml' % phase)
        with open(path, 'w') as handle:
            json.dump([{'hosts': 'all', 'gather_facts': False, 'tasks': tasks}], handle)
        return path, results

    def run(self, phase, env):
        """Run ``phase`` with ``env`` (the whole environment); a PhaseRun."""
        path, results_file = self.playbook(phase)
        if os.path.exists(results_file):
            os.unlink(results_file)
        command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), path, '-i', self.inventory,
                   '-f', str(self.forks), '-e', 'ansible_python_interpreter=%s' % sys.executable]
        started = time.perf_counter()
        process = subprocess.run(command, capture_output=True, text=True, env=env, timeout=PLAYBOOK_TIMEOUT,
                                 check=False)
        wall = time.perf_counter() - started
        results = {}
        if os.path.exists(results_file):
            with open(results_file) as handle:
                results = json.load(handle)
        return PhaseRun(phase, wall, process.returncode, process.stdout + process.stderr, results, self.hosts)


class PhaseRun:
    """One phase's ansible-playbook run: wall seconds, exit code, output and each host's task result."""

    def __init__(self, phase, wall, returncode, output, results, hosts):
        self.phase = phase
        self.wall = wall
        self.returncode = returncode
        self.output = output
        self.results = results
        self.hosts = hosts

    def outcomes(self):
        """{host: outcome} (see judge)."""
        return dict((host, judge(self.phase, self.results.get(host))) for host in self.hosts)

    def tally(self):
        """How many hosts had each outcome."""
        return collections.Counter(self.outcomes().values())


def judge(phase, result):
    """What one host's task came to: 'ok', 'error: <kind>' of a typed failure, or what else went wrong."""
    if result is None:
        return 'no result'
    if result.get('failed'):
        return 'error: %s' % ((result.get('error') or {}).get('kind') or 'untyped')
    if any(FALLBACK_WARNING in warning for warning in result.get('warnings') or ()):
        return 'connected itself (warning)'
    if result.get('warnings'):
        return 'warning'
    if result.get('changed') is not EXPECTED_CHANGED[phase]:
        return 'changed: %s' % result.get('changed')
    status = (result.get('stack') or {}).get('status')
    if EXPECTED_STATUS[phase] and status != EXPECTED_STATUS[phase]:
        return 'status: %s' % status
    return 'ok'


def stacks_named(client, names):
    """{name: number of top-level stacks of that name} for ``names`` (nested stacks are not listed)."""
    counts = collections.Counter()
    marker = None
    while True:
        page = client.list_stacks(None, limit=500, marker=marker)
        counts.update(raw['stack_name'] for raw in page if raw['stack_name'] in names)
        if len(page) < 500:
            return dict((name, counts[name]) for name in names)
        marker = page[-1]['stack_identity']['stack_id']


class BrokerWatch(BackgroundSampler):
    """Connections and reply queues of one vhost, as rabbitmqctl (of ``ctl``: a command prefix) lists them.

    A connection is the engine's when oslo.messaging named it after heat-engine (its ``connection_name``
    client property, ``<program>:<pid>:<uuid>``); every other one is a client's (module runs, helpers, tests).
    The engine's own pool may grow under load, so "back to the baseline" is judged on the clients' count.
    """

    def __init__(self, vhost, ctl=('rabbitmqctl',), interval=2.0):
        super().__init__(interval)
        self.vhost = vhost
        self.ctl = list(ctl)
        self.peak = {'engine': 0, 'clients': 0, 'total': 0}

    def _list(self, *args):
        return subprocess.run(self.ctl + ['-q'] + list(args), capture_output=True, text=True,
                              timeout=RABBITMQCTL_TIMEOUT, check=True).stdout.splitlines()

    def _vhost_connections(self):
        """(pid, whether it is the engine's) of every connection on the vhost."""
        for line in self._list('list_connections', '--no-table-headers', 'vhost', 'pid', 'client_properties'):
            vhost, pid, properties = (line.split('\t', 2) + ['', ''])[:3]
            if vhost.strip() == self.vhost:
                program = re.search(r'"connection_name","([^":]*):', properties)
                yield pid.strip(), bool(program and program.group(1) == 'heat-engine')

    def connections(self):
        """{'engine': n, 'clients': n, 'total': n} connections on the vhost now (the peaks updated)."""
        count = {'engine': 0, 'clients': 0}
        for _pid, engine in self._vhost_connections():
            count['engine' if engine else 'clients'] += 1
        count['total'] = count['engine'] + count['clients']
        for key, value in count.items():
            self.peak[key] = max(self.peak[key], value)
        return count

    def reply_queues(self):
        """The names of oslo.messaging's reply queues (reply_<id>) on the vhost, but the engine's own: heat-engine
        makes RPC calls too (to itself, for a nested stack) and keeps its reply queue as long as it runs."""
        engine = set(pid for pid, is_engine in self._vhost_connections() if is_engine)
        connection_of = dict((line.split('\t') + [''])[:2] for line in
                             self._list('list_channels', '--no-table-headers', 'pid', 'connection'))
        engine_queues = set()
        for line in self._list('list_consumers', '--no-table-headers', '-p', self.vhost, 'queue_name', 'channel_pid'):
            queue, _tab, channel = line.partition('\t')
            if connection_of.get(channel.strip(), '').strip() in engine:
                engine_queues.add(queue.strip())
        return set(line.strip() for line in self._list('list_queues', '--no-table-headers', '-p', self.vhost, 'name')
                   if line.strip().startswith('reply_')) - engine_queues

    def __enter__(self):
        self.peak = dict.fromkeys(self.peak, 0)
        return super().__enter__()

    def sample(self):
        try:
            self.connections()
        except (subprocess.SubprocessError, OSError):
            pass  # one missed sample; the next may work

# -*- coding: utf-8 -*-
"""Benchmark: what one module task costs over an ansible.builtin.ping task, and where it goes.

Every module figure is printed twice, side by side: the run connecting in its own process
(``persistent: false``), and the run handing its calls to the persistent helper (``persistent: true``;
with ``--helper-by-default``, ``persistent`` not set: the collection's default), warm: started by a
warm-up run that the medians leave out; the cost of that starting run (the first task of a play, cold
helper, new directory) is printed on its own, and so are runs that each start a helper after the last one
exited, with the compiled code an earlier run kept (the first task of a later play).

For a ping play, a heat_stack_info task (one stack), a heat_engine_info task, a heat_stack_hook list,
a heat_stack create (wait) + delete of three resources, an unchanged re-apply and an unchanged re-apply
of a template with a nested template file, prints (interleaved runs, medians):

- whole ansible-playbook run, and the module overhead over the ping play;
- tasks within one play: a play of ping, heat_stack_info, heat_engine_info, heat_stack_hook list and the
  nested re-apply, each six times in turn, timed per task from its start to its result by a callback
  plugin of the benchmark's own: the first task of each module (which also builds the module's payload,
  once per run) and the median of the later ones (what each further task of a play costs);
- client CPU seconds (user + system of ansible-playbook and everything it ran; with persistent, plus
  the helper's, read from /proc/<pid>/stat, as it runs in its own session outside that tree);
- imports: a fresh interpreter importing the module and the transport it uses (in process:
  ``_rpc/transport.py``, which loads oslo.messaging and its RabbitMQ driver; persistent:
  ``_rpc/persistent/client.py``), and whether oslo.messaging, eventlet or oslo_service got imported;
- payload build: ansible's AnsiballZ packaging of the module on the controller (cold cache, after a
  warm-up build), its size and its number of files (the same with persistent);
- broker connections per task: TCP connects to the broker and AMQP handshakes, counted in every
  Python process (module runs and helper) by a sitecustomize hook, in separate runs (and a separate
  helper) so the hook costs nothing in the timed runs;

then an 8-stack create + delete through ``-f 8`` (wall and client CPU, beside two ping tasks per host: what
Ansible itself spends on those 16 tasks) and a heat_stack_info listing
of ``--list-stacks`` stacks (OS::Heat::None stacks named ``bench-list-NNNN``, created once through
the EngineClient and left in place for the next run unless ``--cleanup``).

The helpers live in their own temporary persistent_dir and are ended at the end (their socket file
deleted; the benchmark waits for them to exit). Prints figures (``--json``: the raw report);
asserts nothing. Run against a running test bed:

    python3 tests/testbed/heat_testbed.py up --name bench
    . ~/.cache/heat_rpc/testbeds/bench/connection.env
    $(tests/ensure-venv.sh)/bin/python benchmarks/module_overhead.py [--rounds 5] [--list-stacks 1000]

``--collection-root DIR`` (a directory holding ansible_collections/heat_rpc/engine) measures another
copy of the collection, for before/after figures; ``--no-persistent`` leaves the persistent figures out.
``--helper-by-default`` sets no HEAT_RPC_PERSISTENT for the helper's runs (its directory and idle
timeout only): the default path of a collection whose default is the helper; the warm-up run must then
start a helper, or the benchmark stops (that collection's default is not the helper).
"""

import argparse
import base64
import collections
import glob
import io
import json
import os
import pickle
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
import zipfile
from concurrent import futures

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, 'tests'))

from conftest import COLLECTIONS_ROOT  # noqa: E402  (the default: this checkout)
from helper_processes import HELPER_MARK, helper_pids, process_state  # noqa: E402

TEMPLATE = {
    'heat_template_version': '2018-08-31',
    'resources': dict(('random%d' % index, {'type': 'OS::Heat::RandomString', 'properties': {'length': 8}})
                      for index in range(3)),
}
NONE_TEMPLATE = {'heat_template_version': '2018-08-31', 'resources': {'none': {'type': 'OS::Heat::None'}}}
LIST_PREFIX = 'bench-list-'
MODULES = {'ping': 'ansible.builtin.ping', 'stack_info': 'heat_rpc.engine.heat_stack_info',
           'heat_stack': 'heat_rpc.engine.heat_stack', 'engine_info': 'heat_rpc.engine.heat_engine_info',
           'hook_list': 'heat_rpc.engine.heat_stack_hook'}
NESTED_TEMPLATE = {'heat_template_version': '2018-08-31', 'resources': {'inner': {'type': 'inner.yaml'}}}
INNER_TEMPLATE = {'heat_template_version': '2018-08-31',
                  'resources': {'random': {'type': 'OS::Heat::RandomString', 'properties': {'length': 8}}}}
# Row labels of the printed tables.
CASES = {'ping': 'ping', 'stack_info': 'heat_stack_info (one stack)', 'create_delete': 'heat_stack create + delete',
         'unchanged': 'heat_stack unchanged re-apply', 'heat_stack_unchanged': 'heat_stack unchanged re-apply',
         'engine_info': 'heat_engine_info', 'hook_list': 'heat_stack_hook list',
         'unchanged_nested': 'heat_stack unchanged, nested template',
         'heat_stack': 'heat_stack', 'forks': '8 forks', 'listing': 'listing'}
MODES = ('in_process', 'persistent')
MODULE_UTILS = 'ansible_collections.heat_rpc.engine.plugins.module_utils'
# The code a module run loads to reach the engine, besides the module: in process, transport.py (oslo.messaging
# and its RabbitMQ driver); through the helper, persistent/client.py.
CONNECTION_CODE = {'in_process': MODULE_UTILS + '._rpc.transport', 'persistent': MODULE_UTILS + '._rpc.persistent.client'}

# What a module run warns when it could not use the helper and connected itself (PersistentConnection).
FALLBACK_WARNING = 'persistent: this run connected to the broker itself'
# Longer than any gap between the runs of one helper (creating the listing stacks takes minutes); the
# benchmark ends its helpers itself.
HELPER_IDLE_TIMEOUT = 3600
# Seconds a helper gets to exit once its socket file is gone (it looks every second when idle).
HELPER_EXIT_WAIT = 15
HELPER_REAP_WAIT = 5
CLOCK_TICKS = os.sysconf('SC_CLK_TCK')

# The settings of the connection hook: a file next to it, because the helper gets only PATH, HOME, locale,
# TLS and PYTHON* variables (so it does get PYTHONPATH, and with it the hook).
HOOK_SETTINGS = 'heat_rpc_bench_hook.json'
# Loaded into every Python process of the counting runs (PYTHONPATH), the helper included: logs broker
# connects and AMQP protocol headers as "pid role what" lines, role being "helper" or "run".
CONNECTION_HOOK = textwrap.dedent('''
    import json, os, socket

    def _load_settings():
        try:
            with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), %(settings)r)) as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return None

    def _role(mark):
        try:
            with open('/proc/self/cmdline', 'rb') as handle:
                return 'helper' if mark.encode() in handle.read() else 'run'
        except OSError:
            return 'run'

    _settings = _load_settings()
    _connect, _sendall = socket.socket.connect, socket.socket.sendall

    def _write(what):
        with open(_settings['log'], 'a') as handle:
            handle.write(' '.join((str(os.getpid()), _settings['role'], what)) + '\\n')

    def connect(self, address, *args):
        if isinstance(address, tuple) and len(address) >= 2 and address[1] == _settings['port']:
            _write('tcp')
        return _connect(self, address, *args)

    def sendall(self, data, *args):
        if bytes(data[:4]) == b'AMQP':
            _write('amqp')
        return _sendall(self, data, *args)

    if _settings:
        _settings['role'] = _role(_settings['helper_mark'])
        socket.socket.connect, socket.socket.sendall = connect, sendall
''') % {'settings': HOOK_SETTINGS}

# One ansible-playbook run: wall and client CPU seconds (the helper's share included), the helper's share,
# and whether a helper was started during it.
RunCost = collections.namedtuple('RunCost', 'wall cpu helper_cpu helper_started')


def process_cpu_seconds(pid):
    """utime + stime of a process from /proc/<pid>/stat, or None when it is gone."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class PersistentHelper:
    """The persistent helper one set of benchmark runs shares, in a persistent_dir of its own."""

    def __init__(self, purpose, by_default=False):
        # Short, in /tmp: the socket path must fit in a sockaddr_un (108 bytes).
        self.directory = tempfile.mkdtemp(prefix='hrb-%s-' % purpose, dir='/tmp')
        self.purpose = purpose
        self.by_default = by_default
        self.starts = 0
        self.seen = set()

    @property
    def env(self):
        env = {'HEAT_RPC_PERSISTENT_DIR': self.directory, 'HEAT_RPC_PERSISTENT_IDLE_TIMEOUT': str(HELPER_IDLE_TIMEOUT)}
        if not self.by_default:
            env['HEAT_RPC_PERSISTENT'] = '1'
        return env

    def pids(self):
        """The live helpers of this directory: marked command line, holding a socket bound in the directory."""
        return helper_pids(self.directory)

    def cpu(self):
        """{pid: CPU seconds so far} of this directory's helpers."""
        return dict((pid, process_cpu_seconds(pid)) for pid in self.pids())

    def account(self, before, after):
        """The helpers' CPU seconds between two cpu() readings, and whether a new helper appeared."""
        started = set(after) - set(before)
        self.starts += len(started)
        self.seen.update(after)
        share = sum(seconds - (before.get(pid) or 0.0) for pid, seconds in after.items() if seconds is not None)
        return share, bool(started)

    def ensure_warm(self, runner, path):
        """Start a helper (with one run of ``path``) unless one is already listening; that run's cost."""
        if not self.pids():
            return runner.run(path, helper=self)
        return None

    def end_helpers(self):
        """End the helpers, keeping the directory (its compiled code): delete the socket files (an idle helper then
        exits) and wait; kill one that stays. (pids, seconds until they exited, those killed)."""
        pids = self.pids()
        self.seen.update(pids)
        for path in glob.glob(os.path.join(self.directory, '*.sock')):
            os.unlink(path)
        started = time.monotonic()
        remaining = list(pids)
        while remaining and time.monotonic() - started < HELPER_EXIT_WAIT:
            time.sleep(0.1)
            remaining = [pid for pid in remaining if process_state(pid) not in (None, 'Z')]
        exited_s = round(time.monotonic() - started, 1)
        for pid in remaining:
            os.kill(pid, signal.SIGTERM)
        return pids, exited_s, remaining

    def stop(self):
        """End the helpers and delete the directory."""
        started = time.monotonic()
        pids, exited_s, remaining = self.end_helpers()
        shutil.rmtree(self.directory, ignore_errors=True)
        # An exited helper is reaped by init (its parent, the module run, is gone): give that a moment.
        zombies = [pid for pid in pids if pid not in remaining]
        while zombies and time.monotonic() - started < exited_s + HELPER_REAP_WAIT:
            time.sleep(0.1)
            zombies = [pid for pid in zombies if process_state(pid) == 'Z']
        return {'purpose': self.purpose, 'pids': sorted(self.seen), 'starts': self.starts,
                'running_at_end': pids, 'exited_within_s': exited_s, 'killed': remaining, 'zombies': zombies}


class Runner:
    def __init__(self, collections_root, directory):
        self.root = collections_root
        self.directory = directory
        self.bin = os.path.dirname(sys.executable)

    def playbook(self, name, tasks, hosts='localhost'):
        path = os.path.join(self.directory, name + '.yml')
        with open(path, 'w') as handle:
            json.dump([{'hosts': hosts, 'gather_facts': False, 'tasks': tasks}], handle)
        return path

    def run(self, path, inventory='localhost,', forks=None, extra_env=None, helper=None):
        """RunCost of one ansible-playbook run (through ``helper`` when given)."""
        command = [os.path.join(self.bin, 'ansible-playbook'), path, '-i', inventory, '-c', 'local',
                   '-e', 'ansible_python_interpreter=%s' % sys.executable]
        if forks:
            command += ['-f', str(forks)]
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=self.root, **(extra_env or {}))
        # In process is asked for (whatever the collection's default); the helper's runs set what its env says.
        env.update(helper.env if helper else {'HEAT_RPC_PERSISTENT': '0'})
        helper_before = helper.cpu() if helper else {}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        helper_cpu, helper_started = helper.account(helper_before, helper.cpu()) if helper else (0.0, False)
        if result.returncode != 0:
            sys.exit('playbook %s failed:\n%s%s' % (path, result.stdout[-3000:], result.stderr[-2000:]))
        if helper and FALLBACK_WARNING in result.stdout + result.stderr:
            # Its figures would be an in-process run's.
            sys.exit('playbook %s did not use the persistent helper:\n%s%s'
                     % (path, result.stdout[-3000:], result.stderr[-2000:]))
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return RunCost(wall, cpu + helper_cpu, helper_cpu, helper_started)

    def python(self, code, env=None):
        env = dict(os.environ, **(env or {}))
        return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True,
                              env=env).stdout.strip().splitlines()[-1]


def stack_task(name, **options):
    return {'heat_rpc.engine.heat_stack': dict(name=name, template_body=TEMPLATE, **options)}


def median(values):
    return round(statistics.median(values), 3)


def summary(costs, baseline=None):
    """Medians of RunCosts; ``baseline``: a median wall to give the overhead over."""
    figures = {'wall_s': median([cost.wall for cost in costs]), 'client_cpu_s': median([cost.cpu for cost in costs]),
               'helper_cpu_s': median([cost.helper_cpu for cost in costs])}
    if baseline is not None:
        figures['over_ping_s'] = round(statistics.median([cost.wall for cost in costs]) - baseline, 3)
    return figures


def create_delete_playbook(runner, hosts='localhost'):
    """A heat_stack create (wait) and delete of a stack of a new name (per host, with several hosts)."""
    name = 'bench-cd-%s-{{ inventory_hostname }}' % uuid.uuid4().hex[:8]
    delete = {MODULES['heat_stack']: {'name': name, 'state': 'absent'}}
    return runner.playbook('create_delete', [stack_task(name), delete], hosts=hosts)


def playbook_figures(runner, books, rounds, helper):
    """Interleaved rounds of every playbook (each module one in process and, with ``helper``, through it)."""
    costs = collections.defaultdict(list)
    start = helper and runner.run(books['stack_info'], helper=helper)  # warm-up: starts the helper
    if helper and helper.by_default and not start.helper_started:
        sys.exit('the run with persistent not set started no helper: this collection\'s default is not the helper')
    for _round in range(rounds):
        for step, path in dict(books, create_delete=None).items():
            costs[step, 'in_process'].append(runner.run(path or create_delete_playbook(runner)))
            if helper and step != 'ping':
                costs[step, 'persistent'].append(runner.run(path or create_delete_playbook(runner), helper=helper))
    ping = statistics.median([cost.wall for cost in costs['ping', 'in_process']])
    figures = collections.defaultdict(dict)
    for (step, mode), step_costs in costs.items():
        figures[step][mode] = summary(step_costs, ping)
        figures[step][mode]['helper_starts'] = sum(1 for cost in step_costs if cost.helper_started)
    if start:
        figures['stack_info']['persistent_start'] = dict(summary([start], ping), helper_started=start.helper_started)
    return dict(figures)


def cold_helper_figures(runner, books, rounds, by_default):
    """The first task of a play when the helper has exited (idle) but its directory keeps the compiled code: each
    round ends the helper, runs the ping play, then heat_stack_info, which starts a helper again. Its own helper
    directory, filled by a first run left out of the figures. (figures, the helper's end report)."""
    helper = PersistentHelper('cold', by_default=by_default)
    costs = collections.defaultdict(list)
    try:
        runner.run(books['stack_info'], helper=helper)
        for _round in range(rounds):
            helper.end_helpers()
            costs['ping'].append(runner.run(books['ping']))
            cost = runner.run(books['stack_info'], helper=helper)
            if not cost.helper_started:
                sys.exit('the run after its helper ended started no helper')
            costs['stack_info'].append(cost)
    finally:
        end = helper.stop()
    figures = summary(costs['stack_info'], statistics.median([cost.wall for cost in costs['ping']]))
    figures['helper_starts'] = sum(1 for cost in costs['stack_info'] if cost.helper_started)
    return figures, end


# A callback plugin of the benchmark's own (not the collection's), for the tasks-within-one-play figures: the
# controller's time from a task's start to its result, one JSON line per task.
TIMING_CALLBACK = textwrap.dedent('''
    import json, os, time
    from ansible.plugins.callback import CallbackBase

    class CallbackModule(CallbackBase):
        CALLBACK_VERSION = 2.0
        CALLBACK_TYPE = 'aggregate'
        CALLBACK_NAME = 'heat_rpc_bench_timing'
        CALLBACK_NEEDS_ENABLED = True

        def v2_playbook_on_task_start(self, task, is_conditional):
            self._action, self._started = task.action, time.perf_counter()

        def v2_runner_on_ok(self, result):
            with open(os.environ['HEAT_RPC_BENCH_TIMING'], 'a') as handle:
                handle.write(json.dumps([self._action, time.perf_counter() - self._started]) + '\\n')
''')
# Tasks of each kind in one play of the tasks-within-one-play case, interleaved (ping, then each module in turn).
PLAY_REPEATS = 6


def play_task_figures(runner, tasks, rounds, helper):
    """Seconds per task inside one play of ``tasks`` (key: task) repeated PLAY_REPEATS times, interleaved.

    A module's first task in a play also builds its payload (AnsiballZ, once per module per run); the later
    ones pay only what every task pays. Medians over the rounds: of the first task, and of the later ones.
    """
    plugins = os.path.join(runner.directory, 'callback_plugins')
    os.makedirs(plugins, exist_ok=True)
    with open(os.path.join(plugins, 'heat_rpc_bench_timing.py'), 'w') as handle:
        handle.write(TIMING_CALLBACK)
    keys = list(tasks)
    book = runner.playbook('in_one_play', [tasks[key] for _repeat in range(PLAY_REPEATS) for key in keys])
    samples = collections.defaultdict(list)
    for _round in range(rounds):
        for mode in ('in_process', 'persistent') if helper else ('in_process',):
            log = os.path.join(runner.directory, 'timing-%s.jsonl' % mode)
            if os.path.exists(log):
                os.unlink(log)
            runner.run(book, helper=helper if mode == 'persistent' else None,
                       extra_env={'ANSIBLE_CALLBACK_PLUGINS': plugins, 'ANSIBLE_CALLBACKS_ENABLED': 'heat_rpc_bench_timing',
                                  'HEAT_RPC_BENCH_TIMING': log})
            with open(log) as handle:
                seconds = [json.loads(line)[1] for line in handle]
            if len(seconds) != len(keys) * PLAY_REPEATS:
                sys.exit('the timing callback saw %d tasks of %d' % (len(seconds), len(keys) * PLAY_REPEATS))
            for index, value in enumerate(seconds):
                key = keys[index % len(keys)]
                samples[key, mode, 'first' if index < len(keys) else 'later'].append(value)
    figures = collections.defaultdict(dict)
    for mode in set(mode for _key, mode, _which in samples):
        ping = dict((which, statistics.median(samples['ping', mode, which])) for which in ('first', 'later'))
        for key in keys:
            first, later = (statistics.median(samples[key, mode, which]) for which in ('first', 'later'))
            figures[key][mode] = {'first_task_s': round(first, 3), 'later_task_s': round(later, 3),
                                  'first_over_ping_s': round(first - ping['first'], 3),
                                  'later_over_ping_s': round(later - ping['later'], 3)}
    return dict(figures)


IMPORT_PROBE = '''
import importlib, json, sys, time
sys.path.insert(0, %(root)r)
started = time.perf_counter()
for name in %(modules)r:
    importlib.import_module(name)
elapsed = time.perf_counter() - started
loaded = dict((name, name in sys.modules) for name in ('oslo_messaging', 'eventlet', 'oslo_service.service'))
print(json.dumps(dict(loaded, seconds=elapsed, modules=len(sys.modules))))
'''


def import_figures(runner, rounds, persistent):
    """Fresh-interpreter import of each module's code path: the module and the connection code it runs."""
    targets = {('ping', 'in_process'): ['ansible.modules.ping']}
    for key in ('stack_info', 'heat_stack'):
        module = 'ansible_collections.heat_rpc.engine.plugins.modules.%s' % MODULES[key].rsplit('.', maxsplit=1)[-1]
        for mode in MODES if persistent else MODES[:1]:
            targets[key, mode] = [module, CONNECTION_CODE[mode]]
    samples = collections.defaultdict(list)
    last = {}
    for _round in range(rounds):
        for target, modules in targets.items():
            last[target] = json.loads(runner.python(IMPORT_PROBE % {'root': runner.root, 'modules': modules}))
            samples[target].append(last[target]['seconds'])
    figures = collections.defaultdict(dict)
    for (key, mode), values in samples.items():
        figures[key][mode] = dict(last[key, mode], import_s=median(values))
        del figures[key][mode]['seconds']
    return dict(figures)


PAYLOAD_PROBE = '''
import glob, json, os, shutil, sys, tempfile, time
os.environ['ANSIBLE_COLLECTIONS_PATH'] = %(root)r
os.environ['ANSIBLE_LOCAL_TEMP'] = tempfile.mkdtemp()
from ansible import constants as C
from ansible.executor import module_common
from ansible.plugins.loader import init_plugin_loader, module_loader
from ansible.template import Templar
init_plugin_loader()
task_vars = {'ansible_playbook_python': sys.executable, 'ansible_python_interpreter': sys.executable}

def build(name):
    shutil.rmtree(os.path.join(C.DEFAULT_LOCAL_TMP, 'ansiballz_cache'), ignore_errors=True)
    path = module_loader.find_plugin_with_context(name).plugin_resolved_path
    started = time.perf_counter()
    module_common.modify_module(module_name=name, module_path=path, module_args={}, templar=Templar(loader=None),
                                task_vars=task_vars, module_compression=C.DEFAULT_MODULE_COMPRESSION,
                                remote_is_local=True)
    elapsed = time.perf_counter() - started
    cached = glob.glob(os.path.join(C.DEFAULT_LOCAL_TMP, 'ansiballz_cache', '*'))
    return elapsed, [path for path in cached if not path.endswith('.lock')][0]

build('ansible.builtin.command')  # warm-up: what every playbook run pays once anyway
out = {}
for name in %(names)r:
    times = []
    for _round in range(%(rounds)d):
        elapsed, cached = build(name)
        times.append(elapsed)
    out[name] = (sorted(times)[len(times) // 2], cached and open(cached, 'rb').read())
import base64
print(json.dumps(dict((name, [seconds, base64.b64encode(data).decode()]) for name, (seconds, data) in out.items())))
'''


def payload_zip(data):
    """The zip of a cached AnsiballZ payload (the cache file is the zip, or a pickled object holding it)."""
    if data.startswith(b'PK'):
        return data
    cached = pickle.loads(data)  # ansible-core >= 2.19: a _CachedModule with zip_data
    zip_data = cached.zip_data
    return zip_data if zip_data.startswith(b'PK') else base64.b64decode(zip_data)


def zip_files(zipped):
    """Number of files in a payload's zip, and its size."""
    return len(zipfile.ZipFile(io.BytesIO(zipped)).namelist()), len(zipped)


def payload_figures(runner, rounds):
    probe = PAYLOAD_PROBE % {'root': runner.root, 'rounds': rounds, 'names': list(MODULES.values())}
    output = json.loads(runner.python(probe))
    figures = {}
    for key, name in MODULES.items():
        seconds, data = output[name]
        zipped = payload_zip(base64.b64decode(data))
        files, size = zip_files(zipped)
        figures[key] = {'payload_build_s': round(seconds, 3), 'payload_files': files, 'payload_bytes': size}
        if key != 'ping':
            figures[key].update(payload_import_figures(runner, key, name, zipped, rounds))
    return figures


PAYLOAD_IMPORT_PROBE = '''
import importlib, json, sys, time
sys.path.insert(0, %(zip)r)
import ansible.module_utils.basic  # AnsiballZ's loader has it imported before the module runs
started = time.perf_counter()
importlib.import_module(%(module)r)
print(json.dumps({'seconds': time.perf_counter() - started}))
'''


def payload_import_figures(runner, key, name, zipped, rounds):
    """Seconds a module's own imports take from its payload's zip, as in a module run (its main() not run):
    with no usable compiled-code directory, with an empty one (the first run), and with it filled (every later run)."""
    with tempfile.NamedTemporaryFile(suffix='.zip', dir=runner.directory, delete=False) as handle:
        handle.write(zipped)
    module = 'ansible_collections.heat_rpc.engine.plugins.modules.%s' % name.rsplit('.', maxsplit=1)[-1]
    probe = PAYLOAD_IMPORT_PROBE % {'zip': handle.name, 'module': module}
    unusable = os.path.join(runner.directory, 'not-a-directory')
    open(unusable, 'w').close()
    samples = collections.defaultdict(list)
    for _round in range(rounds):
        fresh = tempfile.mkdtemp(dir=runner.directory, prefix='code-%s-' % key)
        for case, directory in (('no_cache', unusable), ('cache_first_run', fresh), ('cache_later_run', fresh)):
            output = runner.python(probe, env={'HEAT_RPC_PERSISTENT_DIR': directory})
            samples[case].append(json.loads(output)['seconds'])
    return dict(('payload_import_%s_s' % case, median(values)) for case, values in samples.items())


class ConnectionHook:
    """The counting sitecustomize in a directory of its own (for PYTHONPATH), its settings file and its log."""

    def __init__(self, directory, port):
        self.directory = os.path.join(directory, 'hook')
        self.log = os.path.join(directory, 'connections.log')
        os.makedirs(self.directory, exist_ok=True)
        with open(os.path.join(self.directory, 'sitecustomize.py'), 'w') as handle:
            handle.write(CONNECTION_HOOK)
        with open(os.path.join(self.directory, HOOK_SETTINGS), 'w') as handle:
            json.dump({'log': self.log, 'port': port, 'helper_mark': HELPER_MARK.decode()}, handle)
        open(self.log, 'a').close()
        self.env = {'PYTHONPATH': self.directory}

    def events(self, offset=0):
        """(pid, role, what) of every connection logged after ``offset`` bytes of the log."""
        with open(self.log) as handle:
            handle.seek(offset)
            return [tuple(line.split()) for line in handle]

    def events_of_run(self, runner, path, helper=None):
        offset = os.path.getsize(self.log)
        runner.run(path, extra_env=self.env, helper=helper)
        return self.events(offset)


def tally(events):
    """TCP connects and AMQP handshakes, in all and in the helper."""
    def count(what, role=None):
        return sum(1 for _pid, event_role, event in events if event == what and role in (None, event_role))
    return {'broker_tcp_connects': count('tcp'), 'amqp_connections': count('amqp'),
            'helper_tcp_connects': count('tcp', 'helper'), 'helper_amqp_connections': count('amqp', 'helper')}


def connection_figures(runner, stack_name, persistent):
    """TCP connects to the broker and AMQP handshakes made by one task of each kind.

    With ``persistent``, through a helper of its own that has the hook (the timed helper has not): first
    the run that starts it, then one run per task, then the helper's connections over its whole life.
    """
    from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.redaction import ParsedTransportURL
    port = ParsedTransportURL(os.environ['HEAT_RPC_TRANSPORT_URL']).hosts[0].port or 5672
    hook = ConnectionHook(os.path.join(runner.directory, 'counting'), port)
    books = {'stack_info': runner.playbook('count-stack_info', [{MODULES['stack_info']: {'name': stack_name}}]),
             'heat_stack_unchanged': runner.playbook('count-unchanged', [stack_task(stack_name)])}
    figures = collections.defaultdict(dict)
    for key, path in books.items():
        figures[key]['in_process'] = tally(hook.events_of_run(runner, path))
    if persistent:
        helper = PersistentHelper('count')
        try:
            figures['helper']['start_run'] = tally(hook.events_of_run(runner, books['stack_info'], helper=helper))
            for key, path in books.items():
                figures[key]['persistent'] = tally(hook.events_of_run(runner, path, helper=helper))
        finally:
            figures['helper']['end'] = helper.stop()
        figures['helper']['lifetime'] = tally(hook.events())
        figures['helper']['runs'] = 1 + len(books)
    return dict(figures)


def forks_figures(runner, rounds, helper):
    """8 hosts (local) creating and deleting a stack each through ``-f 8``, in process and through the helper."""
    inventory = os.path.join(runner.directory, 'hosts.ini')
    with open(inventory, 'w') as handle:
        handle.write('[all]\n' + ''.join('fork%d ansible_connection=local\n' % index for index in range(8)))
    # The same shape with two ping tasks per host: what Ansible itself spends on 16 tasks of 8 forks.
    pings = runner.playbook('forks_ping', [{'ansible.builtin.ping': {}}] * 2, hosts='all')
    costs = collections.defaultdict(list)
    start = helper and helper.ensure_warm(runner, create_delete_playbook(runner))
    for _round in range(rounds):
        costs['ping'].append(runner.run(pings, inventory=inventory, forks=8))
        for mode in MODES if helper else MODES[:1]:
            costs[mode].append(runner.run(create_delete_playbook(runner, hosts='all'), inventory=inventory, forks=8,
                                          helper=helper if mode == 'persistent' else None))
    figures = dict((mode, dict(summary(mode_costs), rounds=rounds,
                               client_cpu_per_task_s=round(statistics.median([c.cpu for c in mode_costs]) / 16, 3),
                               helper_starts=sum(1 for cost in mode_costs if cost.helper_started)))
                   for mode, mode_costs in costs.items())
    figures['helper_restarted_before'] = bool(start)
    return figures


def engine_client():
    sys.path.insert(0, os.path.join(REPO_ROOT, 'benchmarks'))
    from client_latency import settings_from_environment
    from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient
    return EngineClient(settings_from_environment())


def ensure_list_stacks(count):
    """``count`` OS::Heat::None stacks named bench-list-NNNN (the missing ones are created)."""
    client = engine_client()
    existing = set()
    marker = None
    while True:
        page = client.list_stacks(None, limit=500, marker=marker)
        existing.update(raw['stack_name'] for raw in page)
        if len(page) < 500:
            break
        marker = page[-1]['stack_identity']['stack_id']
    missing = ['%s%04d' % (LIST_PREFIX, index) for index in range(count)
               if '%s%04d' % (LIST_PREFIX, index) not in existing]
    started = time.perf_counter()
    with futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda name: client.create_stack(None, name, NONE_TEMPLATE, {}, {}, {}), missing))
    created_s = time.perf_counter() - started
    client.close()
    return len(missing), created_s


def delete_list_stacks():
    client = engine_client()
    names = []
    marker = None
    while True:
        page = client.list_stacks(None, limit=500, marker=marker)
        names.extend(raw['stack_identity'] for raw in page if raw['stack_name'].startswith(LIST_PREFIX))
        if len(page) < 500:
            break
        marker = page[-1]['stack_identity']['stack_id']
    with futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda identity: client.delete_stack(None, identity, cast=True), names))
    client.close()
    return len(names)


def listing_figures(runner, count, rounds, helper):
    """heat_stack_info listing ``count`` stacks or more, over an assert-only play, in process and through the helper."""
    created, created_s = ensure_list_stacks(count)
    check = {'ansible.builtin.assert': {'that': ['listed.stacks | length >= %d' % count]}}
    listing = runner.playbook('listing', [{MODULES['stack_info']: {'filters': {}}, 'register': 'listed'}, check])
    assert_only = runner.playbook('assert_only', [{'ansible.builtin.assert': {'that': ['true']}}])
    start = helper and helper.ensure_warm(runner, listing)
    costs = collections.defaultdict(list)
    for _round in range(rounds):
        costs['assert_only'].append(runner.run(assert_only))
        costs['in_process'].append(runner.run(listing))
        if helper:
            costs['persistent'].append(runner.run(listing, helper=helper))
    baseline = statistics.median([cost.wall for cost in costs.pop('assert_only')])
    figures = {'stacks': count, 'created_now': created, 'create_s': round(created_s, 1),
               'helper_restarted_before': bool(start)}
    for mode, mode_costs in costs.items():
        figures[mode] = summary(mode_costs)
        figures[mode]['listing_task_s'] = round(statistics.median([cost.wall for cost in mode_costs]) - baseline, 3)
        figures[mode]['helper_starts'] = sum(1 for cost in mode_costs if cost.helper_started)
    return figures


# -- the printed report ----------------------------------------------------------------------------

MODE_LABELS = {'ping': 'ping', 'in_process': 'in process', 'persistent': 'persistent',
               'persistent_start': 'persistent, helper start (1 run)',
               'persistent_cold': 'persistent, helper start, code kept'}


def format_table(title, header, rows, left=2):
    """``title``, then the rows aligned under ``header``: the first ``left`` columns left, the others right."""
    rows = [header] + [[cell if isinstance(cell, str) else figure(cell) for cell in row] for row in rows]
    widths = [max(len(row[index]) for row in rows) for index in range(len(header))]
    lines = [title]
    for row in rows:
        cells = [cell.ljust(width) if index < left else cell.rjust(width)
                 for index, (cell, width) in enumerate(zip(row, widths))]
        lines.append('  ' + '  '.join(cells).rstrip())
    return '\n'.join(lines)


def figure(value):
    if value is None:
        return '-'
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    if isinstance(value, float):
        return '%.3f' % value
    return str(value)


def case_rows(figures, columns, order):
    """One row per case and connection mode: the case named on its first row only."""
    rows = []
    for key in order:
        modes = [mode for mode in MODE_LABELS if mode in figures.get(key, {})]
        for index, mode in enumerate(modes):
            label = '' if index else CASES.get(key, key)
            rows.append([label, MODE_LABELS[mode]] + [figures[key][mode].get(column) for column in columns])
    return rows


def without_in_process_helper(figures):
    """``figures`` with the helper CPU blank on in-process and ping rows (no helper there)."""
    blank = dict((key, dict(case, **dict((mode, dict(case[mode], helper_cpu_s=None))
                                         for mode in ('in_process', 'ping') if mode in case)))
                 for key, case in figures.items())
    return dict(figures, **blank)


def playbook_section(figures):
    return [format_table('ansible-playbook runs (seconds)',
                         ['case', 'connection', 'wall', 'over ping', 'client CPU', 'of it helper'],
                         case_rows(without_in_process_helper(figures),
                                   ['wall_s', 'over_ping_s', 'client_cpu_s', 'helper_cpu_s'],
                                   ['ping', 'stack_info', 'engine_info', 'hook_list', 'create_delete', 'unchanged',
                                    'unchanged_nested'])),
            '  (persistent: a warm helper; the warm-up run that started it is the "helper start" row, left out of '
            'the medians, its directory new;\n'
            '   "code kept": medians of runs each starting a helper after the last one exited, its compiled code kept '
            'from earlier runs)']


def play_section(figures):
    return [format_table('tasks within one play (seconds per task from its start to its result, %d of each kind '
                         'interleaved; the first of each module also builds its payload)' % PLAY_REPEATS,
                         ['case', 'connection', 'first', 'over ping', 'later', 'over ping'],
                         case_rows(figures, ['first_task_s', 'first_over_ping_s', 'later_task_s', 'later_over_ping_s'],
                                   ['ping', 'stack_info', 'engine_info', 'hook_list', 'unchanged_nested']))]


def import_section(figures):
    columns = ['import_s', 'modules', 'oslo_messaging', 'eventlet', 'oslo_service.service']
    return [format_table('imports (fresh interpreter: the module, and transport.py in process or persistent/client.py)',
                         ['case', 'connection', 'seconds', 'modules', 'oslo.messaging', 'eventlet',
                          'oslo_service.service'],
                         case_rows(figures, columns, ['ping', 'stack_info', 'heat_stack']))]


def payload_section(figures):
    rows = [[CASES[key], values['payload_build_s'], values['payload_files'], values['payload_bytes']]
            for key, values in figures.items()]
    cases = ('no_cache', 'cache_first_run', 'cache_later_run')
    imports = [[CASES[key]] + [values['payload_import_%s_s' % case] for case in cases]
               for key, values in figures.items() if 'payload_import_no_cache_s' in values]
    return [format_table('payload build (AnsiballZ on the controller, cold cache; the same with persistent)',
                         ['case', 'seconds', 'files', 'bytes'], rows, left=1),
            format_table("the module's own imports from its payload's zip, seconds (compiled code: none usable, "
                         "first run, later runs)", ['case', 'no cache', 'first run', 'later runs'], imports, left=1)]


def connection_section(figures):
    columns = ['broker_tcp_connects', 'amqp_connections', 'helper_tcp_connects', 'helper_amqp_connections']
    lines = [format_table('broker connections per task (TCP connects to the broker port, AMQP handshakes)',
                          ['case', 'connection', 'TCP', 'AMQP', 'TCP by helper', 'AMQP by helper'],
                          case_rows(figures, columns, ['stack_info', 'heat_stack_unchanged']))]
    helper = figures.get('helper')
    if helper:
        start, lifetime = helper['start_run'], helper['lifetime']
        lines.append('  the run that started the counting helper: TCP %d (helper %d), AMQP %d (helper %d); '
                     'the helper over its life (%d runs): TCP %d, AMQP %d'
                     % (start['broker_tcp_connects'], start['helper_tcp_connects'], start['amqp_connections'],
                        start['helper_amqp_connections'], helper['runs'], lifetime['helper_tcp_connects'],
                        lifetime['helper_amqp_connections']))
    return lines


def forks_section(figures):
    return [format_table('8 forks: one stack create + delete per host, 16 tasks (seconds, %d rounds)'
                         % figures['in_process']['rounds'],
                         ['case', 'connection', 'wall', 'client CPU', 'of it helper', 'CPU per task'],
                         case_rows(without_in_process_helper({'forks': figures}),
                                   ['wall_s', 'client_cpu_s', 'helper_cpu_s', 'client_cpu_per_task_s'], ['forks'])),
            '  (ping: two ping tasks per host instead, what Ansible itself spends on 16 tasks of 8 forks)']


def listing_section(figures):
    return [format_table('heat_stack_info listing %d stacks (seconds; %d created now in %.1f s; listing task: over '
                         'an assert-only play)' % (figures['stacks'], figures['created_now'], figures['create_s']),
                         ['case', 'connection', 'wall', 'listing task', 'client CPU', 'of it helper'],
                         case_rows(without_in_process_helper({'listing': figures}),
                                   ['wall_s', 'listing_task_s', 'client_cpu_s', 'helper_cpu_s'], ['listing']))]


def helper_section(report):
    lines = ['helpers (each started once expected, by its first run; "cold": once per round, and by its first run):']
    for end in report['helpers']:
        lines.append('  %s: pid %s, started %d time(s); at the end %s'
                     % (end['purpose'], pid_list(end['pids']), end['starts'], helper_end(end)))
    for case in ('forks_8_create_delete', 'listing'):
        if report.get(case, {}).get('helper_restarted_before'):
            lines.append('  timed: gone before the %s case; started again by a run left out of its figures' % case)
    return lines


def helper_end(end):
    if not end['running_at_end']:
        return 'none was running'
    if end['killed']:
        return 'still running %.1f s after its socket file was deleted: killed (%s)' % (
            end['exited_within_s'], pid_list(end['killed']))
    text = 'exited within %.1f s of its socket file being deleted' % end['exited_within_s']
    if end['zombies']:
        text += ' (not reaped within %d s: zombie %s)' % (HELPER_REAP_WAIT, pid_list(end['zombies']))
    return text


def pid_list(pids):
    return ', '.join(str(pid) for pid in pids) or '-'


def print_report(report):
    sections = [['heat_rpc.engine module overhead: %s' % report['collection'],
                 'medians of %d interleaved rounds; client CPU: user + system of ansible-playbook and everything it '
                 'ran, plus (persistent) the helper\'s share from /proc/<pid>/stat' % report['rounds']],
                playbook_section(report['playbooks']), play_section(report['in_one_play']),
                import_section(report['imports']),
                payload_section(report['payload']), connection_section(report['connections'])]
    if 'forks_8_create_delete' in report:
        sections.append(forks_section(report['forks_8_create_delete']))
    if 'listing' in report:
        sections.append(listing_section(report['listing']))
    if report['helpers']:
        sections.append(helper_section(report))
    print('\n\n'.join('\n'.join(lines) for lines in sections))


def measure(args, runner, helper, report):
    info_name = 'bench-info-%s' % uuid.uuid4().hex[:8]
    nested_name = 'bench-nested-%s' % uuid.uuid4().hex[:8]
    nested_path = os.path.join(runner.directory, 'nested.yaml')
    for path, template in ((nested_path, NESTED_TEMPLATE), (os.path.join(runner.directory, 'inner.yaml'), INNER_TEMPLATE)):
        with open(path, 'w') as handle:
            json.dump(template, handle)
    nested_task = {MODULES['heat_stack']: {'name': nested_name, 'template': nested_path}}
    runner.run(runner.playbook('setup', [stack_task(info_name), nested_task]))
    tasks = {
        'ping': {'ansible.builtin.ping': {}},
        'stack_info': {MODULES['stack_info']: {'name': info_name}},
        'engine_info': {MODULES['engine_info']: {}},
        'hook_list': {MODULES['hook_list']: {'stack': info_name}},
        'unchanged': stack_task(info_name),
        'unchanged_nested': nested_task,
    }
    books = dict((key, runner.playbook(key, [task])) for key, task in tasks.items())
    report['playbooks'] = playbook_figures(runner, books, args.rounds, helper)
    if helper:
        report['playbooks']['stack_info']['persistent_cold'], cold_end = cold_helper_figures(
            runner, books, args.rounds, helper.by_default)
        report['helpers'].append(cold_end)
    in_one_play = ('ping', 'stack_info', 'engine_info', 'hook_list', 'unchanged_nested')
    report['in_one_play'] = play_task_figures(runner, dict((key, tasks[key]) for key in in_one_play), args.rounds, helper)
    report['imports'] = import_figures(runner, args.rounds, helper is not None)
    report['payload'] = payload_figures(runner, args.rounds)
    report['connections'] = connection_figures(runner, info_name, helper is not None)
    if report['connections'].get('helper'):
        report['helpers'].append(report['connections']['helper']['end'])
    runner.run(runner.playbook('teardown', [{MODULES['heat_stack']: {'name': name, 'state': 'absent'}}
                                            for name in (info_name, nested_name)]))
    if args.forks_rounds:
        report['forks_8_create_delete'] = forks_figures(runner, args.forks_rounds, helper)
    if args.list_stacks:
        report['listing'] = listing_figures(runner, args.list_stacks, args.rounds, helper)
        if args.cleanup:
            report['listing']['deleted'] = delete_list_stacks()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--forks-rounds', type=int, default=3, help='rounds of the 8-forks case (0: skip)')
    parser.add_argument('--list-stacks', type=int, default=1000, help='stacks for the listing case (0: skip)')
    parser.add_argument('--cleanup', action='store_true', help='delete the listing stacks at the end')
    parser.add_argument('--no-persistent', action='store_true', help='leave out the runs through the persistent helper')
    parser.add_argument('--helper-by-default', action='store_true',
                        help="the helper's runs leave persistent unset (the collection's default) instead of true")
    parser.add_argument('--json', action='store_true', help='print the raw report as JSON instead of tables')
    parser.add_argument('--collection-root', default=COLLECTIONS_ROOT,
                        help='directory holding ansible_collections/heat_rpc/engine to measure')
    args = parser.parse_args()
    if not os.environ.get('HEAT_RPC_TRANSPORT_URL'):
        parser.error('set HEAT_RPC_TRANSPORT_URL (source a test bed connection.env)')
    root = os.path.abspath(args.collection_root)
    sys.path.insert(0, root)
    report = {'collection': os.path.realpath(os.path.join(root, 'ansible_collections', 'heat_rpc', 'engine')),
              'rounds': args.rounds, 'helpers': []}
    with tempfile.TemporaryDirectory() as directory:
        runner = Runner(root, directory)
        helper = None if args.no_persistent else PersistentHelper('timed', by_default=args.helper_by_default)
        try:
            measure(args, runner, helper, report)
        finally:
            if helper is not None:
                report['helpers'].insert(0, helper.stop())
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)


if __name__ == '__main__':
    main()

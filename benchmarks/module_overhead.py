# -*- coding: utf-8 -*-
"""Benchmark: what one module task costs over an ansible.builtin.ping task, and where it goes.

For a ping play, a heat_stack_info task (one stack), a heat_stack create (wait) + delete of three
resources and an unchanged re-apply, prints (interleaved runs, medians):

- whole ansible-playbook run, and the module overhead over the ping play;
- client CPU seconds (user + system of ansible-playbook and everything it ran);
- imports: a fresh interpreter importing the module and the RabbitMQ driver it loads, and whether
  eventlet or oslo_service got imported;
- payload build: ansible's AnsiballZ packaging of the module on the controller (cold cache, after a
  warm-up build), its size and its number of files;
- broker connections per task: TCP connects to the broker and AMQP handshakes, counted in the module
  process by a sitecustomize hook, in a separate run so the hook costs nothing in the timed runs;

then an 8-stack create + delete through ``-f 8`` (wall and client CPU) and a heat_stack_info listing
of ``--list-stacks`` stacks (OS::Heat::None stacks named ``bench-list-NNNN``, created once through
the EngineClient and left in place for the next run unless ``--cleanup``).

Prints figures; asserts nothing. Run against a running test bed:

    python3 tests/testbed/heat_testbed.py up --name bench
    . ~/.cache/heat_rpc/testbeds/bench/connection.env
    $(tests/ensure-venv.sh)/bin/python benchmarks/module_overhead.py [--rounds 5] [--list-stacks 1000]

``--collection-root DIR`` (a directory holding ansible_collections/heat_rpc/engine) measures another
copy of the collection, for before/after figures.
"""

import argparse
import base64
import collections
import io
import json
import os
import pickle
import resource
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

TEMPLATE = {
    'heat_template_version': '2018-08-31',
    'resources': dict(('random%d' % index, {'type': 'OS::Heat::RandomString', 'properties': {'length': 8}})
                      for index in range(3)),
}
NONE_TEMPLATE = {'heat_template_version': '2018-08-31', 'resources': {'none': {'type': 'OS::Heat::None'}}}
LIST_PREFIX = 'bench-list-'
MODULES = {'ping': 'ansible.builtin.ping', 'stack_info': 'heat_rpc.engine.heat_stack_info',
           'heat_stack': 'heat_rpc.engine.heat_stack'}

# Loaded into every Python process of the counting run (PYTHONPATH): logs broker connects and AMQP
# protocol headers per process to $HEAT_RPC_BENCH_CONNLOG.
CONNECTION_HOOK = textwrap.dedent('''
    import os, socket
    _log = os.environ.get('HEAT_RPC_BENCH_CONNLOG')
    _port = int(os.environ.get('HEAT_RPC_BENCH_PORT', '5672'))
    _connect, _sendall = socket.socket.connect, socket.socket.sendall

    def _write(what):
        with open(_log, 'a') as handle:
            handle.write('%d %s\\n' % (os.getpid(), what))

    def connect(self, address, *args):
        if isinstance(address, tuple) and len(address) >= 2 and address[1] == _port:
            _write('tcp')
        return _connect(self, address, *args)

    def sendall(self, data, *args):
        if bytes(data[:4]) == b'AMQP':
            _write('amqp')
        return _sendall(self, data, *args)

    if _log:
        socket.socket.connect, socket.socket.sendall = connect, sendall
''')


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

    def run(self, path, inventory='localhost,', forks=None, extra_env=None):
        """(wall seconds, client CPU seconds) of one ansible-playbook run."""
        command = [os.path.join(self.bin, 'ansible-playbook'), path, '-i', inventory, '-c', 'local',
                   '-e', 'ansible_python_interpreter=%s' % sys.executable]
        if forks:
            command += ['-f', str(forks)]
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=self.root, **(extra_env or {}))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode != 0:
            sys.exit('playbook %s failed:\n%s%s' % (path, result.stdout[-3000:], result.stderr[-2000:]))
        return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    def python(self, code, env=None):
        env = dict(os.environ, **(env or {}))
        return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True,
                              env=env).stdout.strip().splitlines()[-1]


def stack_task(name, **options):
    return {'heat_rpc.engine.heat_stack': dict(name=name, template_body=TEMPLATE, **options)}


IMPORT_PROBE = '''
import json, sys, time
sys.path.insert(0, %(root)r)
started = time.perf_counter()
import importlib
importlib.import_module(%(module)r)
if %(driver)r:
    importlib.import_module('oslo_messaging._drivers.impl_rabbit')
elapsed = time.perf_counter() - started
print(json.dumps({'seconds': elapsed, 'modules': len(sys.modules), 'eventlet': 'eventlet' in sys.modules,
                  'oslo_service.service': 'oslo_service.service' in sys.modules}))
'''


def import_figures(runner, rounds):
    """Fresh-interpreter import of each module's code path (plus the RabbitMQ driver for ours)."""
    targets = {'ping': ('ansible.modules.ping', False),
               'stack_info': ('ansible_collections.heat_rpc.engine.plugins.modules.heat_stack_info', True),
               'heat_stack': ('ansible_collections.heat_rpc.engine.plugins.modules.heat_stack', True)}
    samples = collections.defaultdict(list)
    last = {}
    for _round in range(rounds):
        for key, (module, driver) in targets.items():
            last[key] = json.loads(runner.python(IMPORT_PROBE % {'root': runner.root, 'module': module,
                                                                 'driver': driver}))
            samples[key].append(last[key]['seconds'])
    return dict((key, {'import_s': round(statistics.median(values), 3), 'modules': last[key]['modules'],
                       'eventlet': last[key]['eventlet'],
                       'oslo_service.service': last[key]['oslo_service.service']})
                for key, values in samples.items())


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


def zip_files(data):
    """Number of files in a cached AnsiballZ payload (a zip, or a pickled object holding one)."""
    try:
        return len(zipfile.ZipFile(io.BytesIO(data)).namelist()), len(data)
    except zipfile.BadZipFile:
        cached = pickle.loads(data)  # ansible-core >= 2.19: a _CachedModule with zip_data
        zip_data = cached.zip_data
        if not zip_data.startswith(b'PK'):
            zip_data = base64.b64decode(zip_data)
        return len(zipfile.ZipFile(io.BytesIO(zip_data)).namelist()), len(zip_data)


def payload_figures(runner, rounds):
    probe = PAYLOAD_PROBE % {'root': runner.root, 'rounds': rounds, 'names': list(MODULES.values())}
    output = json.loads(runner.python(probe))
    figures = {}
    for key, name in MODULES.items():
        seconds, data = output[name]
        files, size = zip_files(base64.b64decode(data))
        figures[key] = {'payload_build_s': round(seconds, 3), 'payload_files': files, 'payload_bytes': size}
    return figures


def connection_figures(runner, stack_name):
    """TCP connects to the broker and AMQP handshakes made by one task of each kind."""
    from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.redaction import ParsedTransportURL
    port = ParsedTransportURL(os.environ['HEAT_RPC_TRANSPORT_URL']).hosts[0].port or 5672
    hook_dir = os.path.join(runner.directory, 'hook')
    os.makedirs(hook_dir, exist_ok=True)
    with open(os.path.join(hook_dir, 'sitecustomize.py'), 'w') as handle:
        handle.write(CONNECTION_HOOK)
    figures = {}
    for key, tasks in (('stack_info', [{MODULES['stack_info']: {'name': stack_name}}]),
                       ('heat_stack_unchanged', [stack_task(stack_name)])):
        log = os.path.join(runner.directory, 'connections-%s.log' % key)
        runner.run(runner.playbook('count-' + key, tasks), extra_env={
            'PYTHONPATH': hook_dir, 'HEAT_RPC_BENCH_CONNLOG': log, 'HEAT_RPC_BENCH_PORT': str(port)})
        with open(log) as handle:
            events = [line.split() for line in handle]
        figures[key] = {'broker_tcp_connects_per_task': sum(1 for _pid, what in events if what == 'tcp'),
                        'amqp_connections_per_task': sum(1 for _pid, what in events if what == 'amqp')}
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


def median(values):
    return round(statistics.median(values), 3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--forks-rounds', type=int, default=3, help='rounds of the 8-forks case (0: skip)')
    parser.add_argument('--list-stacks', type=int, default=1000, help='stacks for the listing case (0: skip)')
    parser.add_argument('--cleanup', action='store_true', help='delete the listing stacks at the end')
    parser.add_argument('--collection-root', default=COLLECTIONS_ROOT,
                        help='directory holding ansible_collections/heat_rpc/engine to measure')
    args = parser.parse_args()
    if not os.environ.get('HEAT_RPC_TRANSPORT_URL'):
        parser.error('set HEAT_RPC_TRANSPORT_URL (source a test bed connection.env)')
    root = os.path.abspath(args.collection_root)
    sys.path.insert(0, root)
    report = {'collection': os.path.realpath(os.path.join(root, 'ansible_collections', 'heat_rpc', 'engine')),
              'rounds': args.rounds}
    with tempfile.TemporaryDirectory() as directory:
        runner = Runner(root, directory)
        info_name = 'bench-info-%s' % uuid.uuid4().hex[:8]
        runner.run(runner.playbook('setup', [stack_task(info_name)]))
        books = {
            'ping': runner.playbook('ping', [{'ansible.builtin.ping': {}}]),
            'stack_info': runner.playbook('info', [{MODULES['stack_info']: {'name': info_name}}]),
            'unchanged': runner.playbook('unchanged', [stack_task(info_name)]),
        }
        walls = collections.defaultdict(list)
        cpus = collections.defaultdict(list)
        for _round in range(args.rounds):
            name = 'bench-cd-%s' % uuid.uuid4().hex[:8]
            books['create_delete'] = runner.playbook('create_delete', [
                stack_task(name), {MODULES['heat_stack']: {'name': name, 'state': 'absent'}}])
            for step, path in books.items():
                wall, cpu = runner.run(path)
                walls[step].append(wall)
                cpus[step].append(cpu)
        ping = statistics.median(walls['ping'])
        report['playbooks'] = dict((step, {
            'wall_s': median(walls[step]),
            'over_ping_s': round(statistics.median(walls[step]) - ping, 3),
            'client_cpu_s': median(cpus[step]),
        }) for step in walls)
        report['imports'] = import_figures(runner, args.rounds)
        report['payload'] = payload_figures(runner, args.rounds)
        report['connections'] = connection_figures(runner, info_name)
        runner.run(runner.playbook('teardown', [{MODULES['heat_stack']: {'name': info_name, 'state': 'absent'}}]))

        if args.forks_rounds:
            inventory = os.path.join(directory, 'hosts.ini')
            with open(inventory, 'w') as handle:
                handle.write('[all]\n' + ''.join('fork%d ansible_connection=local\n' % index for index in range(8)))
            walls, cpus = [], []
            for _round in range(args.forks_rounds):
                suffix = uuid.uuid4().hex[:6]
                name = 'bench-f8-{{ inventory_hostname }}-%s' % suffix
                path = runner.playbook('forks', [stack_task(name),
                                                 {MODULES['heat_stack']: {'name': name, 'state': 'absent'}}],
                                       hosts='all')
                wall, cpu = runner.run(path, inventory=inventory, forks=8)
                walls.append(wall)
                cpus.append(cpu)
            report['forks_8_create_delete'] = {'wall_s': median(walls), 'client_cpu_s': median(cpus),
                                               'client_cpu_per_task_s': round(statistics.median(cpus) / 16, 3),
                                               'rounds': args.forks_rounds}

        if args.list_stacks:
            created, created_s = ensure_list_stacks(args.list_stacks)
            listing = runner.playbook('listing', [{MODULES['stack_info']: {'filters': {}}, 'register': 'listed'},
                                                  {'ansible.builtin.assert': {'that': [
                                                      'listed.stacks | length >= %d' % args.list_stacks]}}])
            walls = [runner.run(listing)[0] for _round in range(args.rounds)]
            asserts = [runner.run(runner.playbook('assert_only', [{'ansible.builtin.assert': {'that': ['true']}}]))[0]
                       for _round in range(args.rounds)]
            report['listing'] = {'stacks': args.list_stacks, 'created_now': created,
                                 'create_s': round(created_s, 1), 'wall_s': median(walls),
                                 'listing_task_s': round(statistics.median(walls) - statistics.median(asserts), 3)}
            if args.cleanup:
                report['listing']['deleted'] = delete_list_stacks()
    print(json.dumps(report, indent=2))


if __name__ == '__main__':
    main()

# -*- coding: utf-8 -*-
"""Benchmark: heat_stack through ansible-playbook, next to a play that only pings.

For a stack of three OS::Heat::RandomString resources, prints the median wall time of create+wait,
an unchanged re-apply, an update and a delete (each a whole ansible-playbook run), over several
rounds. Prints figures; asserts nothing. Run against a running test bed:

    python3 tests/testbed/heat_testbed.py up --name bench
    . ~/.cache/heat_rpc/testbeds/bench/connection.env
    $(tests/ensure-venv.sh)/bin/python benchmarks/heat_stack_playbook.py [--rounds 5]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, 'tests'))

from conftest import COLLECTIONS_ROOT  # noqa: E402  (sets ANSIBLE_COLLECTIONS_PATH to this checkout)

TEMPLATE = {
    'heat_template_version': '2018-08-31',
    'parameters': {'length': {'type': 'number', 'default': 8}},
    'resources': dict(('random%d' % index, {'type': 'OS::Heat::RandomString',
                                            'properties': {'length': {'get_param': 'length'}}})
                      for index in range(3)),
}


def playbook(directory, name, tasks):
    path = os.path.join(directory, name + '.yml')
    with open(path, 'w') as handle:
        json.dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], handle)
    return path


def timed_run(path):
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), path, '-i', 'localhost,',
               '-c', 'local', '-e', 'ansible_python_interpreter=%s' % sys.executable]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit('playbook %s failed:\n%s%s' % (path, result.stdout[-3000:], result.stderr[-2000:]))
    return elapsed


def stack_task(name, **options):
    return {'heat_rpc.engine.heat_stack': dict(name=name, template_body=TEMPLATE, **options)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=5)
    args = parser.parse_args()
    if not os.environ.get('HEAT_RPC_TRANSPORT_URL'):
        parser.error('set HEAT_RPC_TRANSPORT_URL (source a test bed connection.env)')
    steps = ('ping', 'create', 'unchanged', 'update', 'delete')
    times = dict((step, []) for step in steps)
    with tempfile.TemporaryDirectory() as directory:
        ping = playbook(directory, 'ping', [{'ansible.builtin.ping': {}}])
        for _round in range(args.rounds):
            name = 'bench-%s' % uuid.uuid4().hex[:8]
            books = {
                'ping': ping,
                'create': playbook(directory, 'create', [stack_task(name)]),
                'unchanged': playbook(directory, 'unchanged', [stack_task(name)]),
                'update': playbook(directory, 'update', [stack_task(name, parameters={'length': 12})]),
                'delete': playbook(directory, 'delete', [
                    {'heat_rpc.engine.heat_stack': {'name': name, 'state': 'absent'}}]),
            }
            for step in steps:
                times[step].append(timed_run(books[step]))
    medians = dict((step, round(statistics.median(values), 3)) for step, values in times.items())
    medians['rounds'] = args.rounds
    print(json.dumps(medians, indent=2))


if __name__ == '__main__':
    main()

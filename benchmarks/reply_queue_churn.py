# -*- coding: utf-8 -*-
"""Benchmark: how many reply queues consecutive module runs leave on the broker.

Runs heat_stack_info N times (one ansible-playbook, N tasks: N module processes, each with its own
broker connection and reply queue) while sampling the vhost's queues, then keeps sampling until the
leftovers expire. Prints figures; asserts nothing. Run against a running test bed (needs rabbitmqctl):

    python3 tests/testbed/heat_testbed.py up --name bench
    . ~/.cache/heat_rpc/testbeds/bench/connection.env
    $(tests/ensure-venv.sh)/bin/python benchmarks/reply_queue_churn.py [--runs 200]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, 'tests'))

from conftest import COLLECTIONS_ROOT  # noqa: E402  (sets ANSIBLE_COLLECTIONS_PATH to this checkout)

from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.redaction import ParsedTransportURL  # noqa: E402


def reply_queues(vhost):
    listing = subprocess.run(['rabbitmqctl', '-q', 'list_queues', '-p', vhost, 'name'], capture_output=True,
                             text=True, check=True).stdout.split()
    return sum(1 for name in listing if name.startswith('reply_'))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get('HEAT_RPC_TRANSPORT_URL')
    if not url:
        parser.error('set HEAT_RPC_TRANSPORT_URL (source a test bed connection.env)')
    vhost = ParsedTransportURL(url).virtual_host or '/'
    samples = []
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            samples.append(reply_queues(vhost))
            stop.wait(1.0)

    before = reply_queues(vhost)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, 'churn.yml')
        with open(path, 'w') as handle:
            json.dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': [
                {'heat_rpc.engine.heat_stack_info': {}} for _run in range(args.runs)]}], handle)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), path, '-i', 'localhost,',
                        '-c', 'local', '-e', 'ansible_python_interpreter=%s' % sys.executable],
                       env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT), check=True,
                       capture_output=True)
        elapsed = time.perf_counter() - started
        stop.set()
        sampler.join()
    right_after = reply_queues(vhost)
    waited = 0
    while reply_queues(vhost) > before and waited < 60:
        time.sleep(1)
        waited += 1
    print(json.dumps({'runs': args.runs, 'seconds': round(elapsed, 1), 'reply_queues_before': before,
                      'reply_queues_max_during': max(samples or [0]), 'reply_queues_right_after': right_after,
                      'reply_queues_after_expiry': reply_queues(vhost), 'seconds_until_expired': waited}, indent=2))


if __name__ == '__main__':
    main()

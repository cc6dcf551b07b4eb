# -*- coding: utf-8 -*-
"""Benchmark: EngineClient import time, connect time and per-call latency against a real engine.

Prints figures; asserts nothing. Run it with the test virtualenv's python against a running
test bed (or any engine the HEAT_RPC_* variables point at):

    python3 tests/testbed/heat_testbed.py up --name bench
    . ~/.cache/heat_rpc/testbeds/bench/connection.env
    $(tests/ensure-venv.sh)/bin/python benchmarks/client_latency.py [--calls 200]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, 'tests'))

from conftest import COLLECTIONS_ROOT  # noqa: E402  (makes ansible_collections.heat_rpc.engine importable)

IMPORT_PROBE = (
    'import sys, time; sys.path.insert(0, %r); t = time.perf_counter(); '
    'import ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client; '
    'print(time.perf_counter() - t)' % COLLECTIONS_ROOT
)


def import_seconds(runs):
    """Cold import of the client (with oslo.messaging) in fresh interpreters."""
    times = []
    for _run in range(runs):
        output = subprocess.run([sys.executable, '-c', IMPORT_PROBE], capture_output=True, text=True, check=True)
        times.append(float(output.stdout.strip().splitlines()[-1]))
    return times


def settings_from_environment():
    from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_argument_spec
    from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import settings_from_params

    params = {}
    for name, spec in connection_argument_spec().items():
        env_name = spec.get('fallback', (None, [None]))[1][0]
        value = os.environ.get(env_name) if env_name else None
        if value is not None and spec.get('type') == 'float':
            value = float(value)
        params[name] = value if value is not None else spec.get('default')
    return settings_from_params(params)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--calls', type=int, default=200, help='calls per measured method')
    parser.add_argument('--connects', type=int, default=10, help='fresh connections to time')
    parser.add_argument('--imports', type=int, default=5, help='fresh interpreters to time the import in')
    args = parser.parse_args()
    if not os.environ.get('HEAT_RPC_TRANSPORT_URL'):
        parser.error('set HEAT_RPC_TRANSPORT_URL (source a test bed connection.env)')

    from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient

    figures = {'import_s': statistics.median(import_seconds(args.imports))}

    settings = settings_from_environment()
    connects = []
    for _connect in range(args.connects):
        started = time.perf_counter()
        client = EngineClient(settings)
        client.get_revision(None)  # preflight + transport + reply queue + one round trip
        connects.append(time.perf_counter() - started)
        client.close()
    figures['connect_and_first_call_s'] = statistics.median(connects)

    client = EngineClient(settings)
    client.get_revision(None)
    for method, call in (('get_revision', lambda: client.get_revision(None)),
                         ('list_stacks_limit_50', lambda: client.list_stacks(None, limit=50))):
        latencies = []
        for _call in range(args.calls):
            started = time.perf_counter()
            call()
            latencies.append(time.perf_counter() - started)
        figures['%s_median_ms' % method] = statistics.median(latencies) * 1000
        figures['%s_p95_ms' % method] = percentile(latencies, 0.95) * 1000
    client.close()
    print(json.dumps(dict((key, round(value, 4)) for key, value in figures.items()), indent=2))


if __name__ == '__main__':
    main()

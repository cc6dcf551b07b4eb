# -*- coding: utf-8 -*-
"""Benchmark: how long plain AMQP sent to a TLS listener (and TLS sent to a plain one) takes to fail, and as what.

Prints, for each direction, connection (in process, persistent helper) and call (a read, a write), the
seconds until EngineClient raised, the error kind and its message, and how long closing the client took.
Asserts nothing. Starts a private RabbitMQ node with a plain and a TLS listener
(tests/testbed/rabbit_node.py; the machine's shared broker is not touched) and stops it at the end;
no heat-engine is needed, as no call ever reaches one.

    $(tests/ensure-venv.sh)/bin/python benchmarks/tls_mismatch.py [--connect-timeout 10] [--rpc-timeout 60]
"""

import argparse
import os
import pathlib
import secrets
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, 'tests'))

from conftest import COLLECTIONS_ROOT  # noqa: E402  (makes ansible_collections.heat_rpc.engine importable)

sys.path.insert(0, os.path.join(REPO_ROOT, 'tests', 'integration'))
sys.path.insert(0, os.path.join(REPO_ROOT, 'tests', 'testbed'))

from faults import TestCA  # noqa: E402
from rabbit_node import RabbitNode  # noqa: E402

IDENTITY = {'stack_name': 'never', 'stack_id': 'sent', 'tenant': 'nobody', 'path': ''}


def directions(node, ca, password):
    return [
        ('plain to TLS', {'transport_url': node.url('heat', password, 'heat', tls=True, host='localhost')}),
        ('TLS to plain', {'transport_url': node.url('heat', password, 'heat', host='localhost'), 'ssl': True,
                          'ssl_ca_file': str(ca.ca_file)}),
    ]


def failure_of(settings, write):
    """(seconds to the error, kind, message, seconds to close) of one call."""
    from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient

    client = EngineClient(settings)
    started = time.monotonic()
    try:
        if write:
            client.stack_suspend(None, IDENTITY)
        else:
            client.count_stacks(None)
        kind, message = 'none', 'answered'
    except Exception as exc:  # pylint: disable=broad-except  # the figure is what it raised
        kind, message = getattr(exc, 'kind', type(exc).__name__), str(exc)
    failed_in = time.monotonic() - started
    started = time.monotonic()
    client.close()
    return failed_in, kind, message, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--connect-timeout', type=float, default=10)
    parser.add_argument('--rpc-timeout', type=float, default=60)
    args = parser.parse_args()
    from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_settings

    with tempfile.TemporaryDirectory(prefix='hrpc-') as base:
        ca = TestCA(pathlib.Path(base))
        cert_file, key_file = ca.issue('localhost')
        password = secrets.token_urlsafe(12)
        with RabbitNode(base, 'tls-bench', tls={'cacertfile': str(ca.ca_file), 'certfile': str(cert_file),
                                                'keyfile': str(key_file)}) as node:
            node.start()
            node.add_vhost('heat', 'heat', password)
            print('collection %s; connect_timeout %s s, rpc_timeout %s s (call deadline %s s)' % (
                os.path.realpath(os.path.join(COLLECTIONS_ROOT, 'ansible_collections', 'heat_rpc', 'engine')),
                args.connect_timeout, args.rpc_timeout, args.connect_timeout + args.rpc_timeout + 2))
            for direction, options in directions(node, ca, password):
                for persistent in (False, True):
                    for write in (False, True):
                        settings = connection_settings(
                            timeout=args.rpc_timeout, connect_timeout=args.connect_timeout, persistent=persistent,
                            persistent_dir=os.path.join(base, 'helper'), persistent_idle_timeout=5, **options)
                        failed_in, kind, message, closed_in = failure_of(settings, write)
                        print('%-12s %-10s %-5s %6.1f s  %-20s close %.1f s  %s' % (
                            direction, 'helper' if persistent else 'in process', 'write' if write else 'read',
                            failed_in, kind, closed_in, message.replace(password, '********')))


if __name__ == '__main__':
    main()

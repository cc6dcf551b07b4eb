# -*- coding: utf-8 -*-
"""Benchmark: what a client can see of a heat-engine that is paused (SIGSTOP) or killed (SIGKILL), and when.

Starts a test bed of its own (own vhost and database) plus a second heat-engine on the same heat.conf,
then pauses the second engine for --pause seconds, lets it run again, and finally SIGKILLs it. Every
--every seconds it samples, for the second engine, the three liveness signals there are:

- ``listening``: heat's own liveness check (what heat's stack and resource locks use): an RPC call of
  ``listening`` on topic ``heat-engine-listener`` with server=<engine_id>, with heat's
  engine_life_check_timeout (2 s); ``yes`` or ``no answer``;
- ``status``: the engine's record in ``list_services`` (answered by the first engine): heat's
  ``up``/``down`` rule (down once updated_at is more than 2 x report_interval old);
- ``consumers``: consumers of the engine's own listener queue, from rabbitmqctl (the broker's view; not
  something the engine says over RPC).

Prints a table and the seconds until each signal first called the engine dead; asserts nothing.

    $(tests/ensure-venv.sh)/bin/python benchmarks/engine_liveness_signals.py [--pause 150] [--after-kill 150]
"""

import argparse
import importlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, 'tests'))

importlib.import_module('conftest')  # makes ansible_collections.heat_rpc.engine importable
from conftest_testbed import started_testbed  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import (  # noqa: E402
    connection_settings,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import RequestContext  # noqa: E402

LISTENER_TOPIC = 'heat-engine-listener'
LIFE_CHECK_TIMEOUT = 2


def settings_for(bed):
    context = RequestContext(**dict((key, value) for key, value in bed['context'].items() if key in RequestContext.FIELDS))
    return connection_settings(transport_url=bed['transport_url'], exchange='heat', topic='engine', timeout=30,
                               connect_timeout=5, context=context)


def start_second_engine(bed, meta, work_dir):
    """A second heat-engine on the test bed's heat.conf, with a host name and log file of its own."""
    extra = os.path.join(work_dir, 'engine2.conf')
    with open(extra, 'w', encoding='utf-8') as handle:
        handle.write('[DEFAULT]\nhost = %s-2\nlog_file = %s\n' % (meta['name'], os.path.join(work_dir, 'heat-engine.log')))
    env = dict((key, value) for key, value in os.environ.items() if key not in ('PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV'))
    with open(os.path.join(work_dir, 'console.log'), 'ab') as console:
        return subprocess.Popen(  # pylint: disable=consider-using-with
            [os.path.join(meta['venv'], 'bin', 'python'), os.path.join(meta['venv'], 'bin', 'heat-engine'),
             '--config-file', os.path.join(bed['state_dir'], 'heat.conf'), '--config-file', extra],
            cwd=work_dir, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
            start_new_session=True, env=dict(env, PYTHONWARNINGS='ignore'))


class Signals:
    """Samples the three liveness signals of one engine."""

    def __init__(self, bed, meta, client):
        from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.transport import EngineConnection
        import oslo_messaging
        self.messaging = oslo_messaging
        self.client = client
        self.vhost = meta['vhost']
        self.connection = EngineConnection(settings_for(bed))
        self.transport = self.connection.transport
        self.context = settings_for(bed).context.to_dict()

    def listening(self, engine_id):
        target = self.messaging.Target(exchange='heat', topic=LISTENER_TOPIC, server=engine_id, version='1.0')
        rpc = self.messaging.get_rpc_client(self.transport, target, timeout=LIFE_CHECK_TIMEOUT)
        try:
            return 'yes' if rpc.call(self.context, 'listening') else 'false'
        except self.messaging.MessagingTimeout:
            return 'no answer'

    def status(self, engine_id):
        try:
            records = [record for record in self.client.list_services(None) if record['engine_id'] == engine_id]
        except Exception as exc:  # pylint: disable=broad-except  # a sample, not a judgement
            return 'error %s' % type(exc).__name__
        return records[0]['status'] if records else 'absent'

    def consumers(self, engine_id):
        listing = subprocess.run(['rabbitmqctl', '-q', 'list_queues', '-p', self.vhost, 'name', 'consumers'],
                                 capture_output=True, text=True, timeout=60, check=True).stdout
        for line in listing.splitlines():
            fields = line.split()
            if len(fields) == 2 and fields[0] == '%s.%s' % (LISTENER_TOPIC, engine_id):
                return fields[1]
        return 'no queue'

    def sample(self, engine_id):
        return {'listening': self.listening(engine_id), 'status': self.status(engine_id),
                'consumers': self.consumers(engine_id)}


# A list_services call that a paused engine took (the calls of the shared 'engine' topic go round the engines)
# is no verdict.
DEAD = {'listening': lambda value: value != 'yes', 'status': lambda value: value in ('down', 'absent'),
        'consumers': lambda value: value in ('0', 'no queue')}


def watch(signals, engine_id, phase, seconds, every):
    """Sample for ``seconds``; returns {signal: seconds after the phase began when it first looked dead}."""
    began = time.monotonic()
    first_dead = {}
    while time.monotonic() - began < seconds:
        at = time.monotonic() - began
        sample = signals.sample(engine_id)
        for name, value in sample.items():
            if DEAD[name](value) and name not in first_dead:
                first_dead[name] = round(at, 1)
        print('%-8s %6.1f  listening=%-9s status=%-6s consumers=%s' % (
            phase, at, sample['listening'], sample['status'], sample['consumers']), flush=True)
        time.sleep(max(0.0, every - (time.monotonic() - began - at)))
    return first_dead


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--pause', type=float, default=150, help='seconds the second engine is SIGSTOPped')
    parser.add_argument('--after-resume', type=float, default=20, help='seconds watched after SIGCONT')
    parser.add_argument('--after-kill', type=float, default=150, help='seconds watched after SIGKILL')
    parser.add_argument('--every', type=float, default=3, help='seconds between samples')
    args = parser.parse_args()
    from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient
    name = 'liveness_%d_%s' % (os.getpid(), secrets.token_hex(2))
    with started_testbed(name) as bed, tempfile.TemporaryDirectory() as work_dir:
        with open(os.path.join(bed['state_dir'], 'testbed.json'), encoding='utf-8') as handle:
            meta = json.load(handle)
        first_ids = None
        with EngineClient(settings_for(bed)) as client:
            first_ids = set(record['engine_id'] for record in client.list_services(None))
            second = start_second_engine(bed, meta, work_dir)
            try:
                deadline = time.monotonic() + 120
                while True:
                    records = [record for record in client.list_services(None) if record['engine_id'] not in first_ids]
                    if records or time.monotonic() > deadline:
                        break
                    time.sleep(1)
                engine_id = records[0]['engine_id']
                print('second engine %s, report_interval %ss' % (engine_id, records[0]['report_interval']))
                signals = Signals(bed, meta, client)
                try:
                    watch(signals, engine_id, 'running', 2 * args.every, args.every)
                    os.killpg(second.pid, signal.SIGSTOP)
                    paused = watch(signals, engine_id, 'paused', args.pause, args.every)
                    os.killpg(second.pid, signal.SIGCONT)
                    resumed = watch(signals, engine_id, 'resumed', args.after_resume, args.every)
                    os.killpg(second.pid, signal.SIGKILL)
                    second.wait(timeout=30)
                    killed = watch(signals, engine_id, 'killed', args.after_kill, args.every)
                finally:
                    signals.connection.close()
            finally:
                if second.poll() is None:
                    os.killpg(second.pid, signal.SIGKILL)
                    second.wait(timeout=30)
        print('first seen dead, seconds after SIGSTOP: %s' % paused)
        print('still dead after SIGCONT (first sample, %ss): %s' % (args.after_resume, resumed))
        print('first seen dead, seconds after SIGKILL: %s' % killed)


if __name__ == '__main__':
    main()

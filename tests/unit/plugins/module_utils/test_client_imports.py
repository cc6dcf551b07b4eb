# -*- coding: utf-8 -*-
"""What a module process imports: no eventlet, and of oslo.service only the ServiceBase interface.

Each check runs in a fresh interpreter (the pytest process has imported everything already): it
imports a module's code path as ansible would, opens a transport, sends a cast, and lists
``sys.modules``. CI runs this at both ends of the supported oslo.messaging range.

The cast goes through EngineConnection.invoke, as a module's calls do. oslo.messaging 14.0 starts a
metrics thread on every call, which lives 10 s: started from the main thread it would hold the process's
exit for those 10 s; invoke's calls run on a daemon thread, and a thread started there is a daemon too.
The probe reports every thread that would still hold the exit.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import shutil
import socket
import subprocess
import tempfile
import sys

import pytest

pytest.importorskip('oslo_messaging')

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
# Where the unit tests' doubles (fake_engine.py) live.
HERE = os.path.join(REPO_ROOT, 'tests', 'unit')
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(REPO_ROOT, 'plugins', 'modules'))
                 if name.endswith('.py') and not name.startswith('_'))
PACKAGE = 'ansible_collections.heat_rpc.engine.plugins'
# The only part of oslo.service a client process may load: the abstract ServiceBase and its package.
SERVICE_INTERFACE = {'oslo_service', 'oslo_service._i18n', 'oslo_service.backend', 'oslo_service.backend.base',
                     'oslo_service.backend.exceptions'}

PROBE = '''
import importlib, json, sys
sys.path[:0] = [%(root)r, %(here)r]
before = sys.argv[1:]
for name in before:
    importlib.import_module(name)
importlib.import_module(%(module)r)
connection = importlib.import_module(%(package)r + '.module_utils._rpc.transport')
options = importlib.import_module(%(package)r + '.module_utils._ansible.connection_options')
conn = connection.EngineConnection(options.connection_settings('fake:///'))
conn.invoke('get_revision', {}, '1.0', cast=True, timeout=10)
client_modules = sorted(sys.modules)
guard_active = connection.CLIENT_ONLY_IMPORT.active

# The same process can still serve RPC, and later imports get the real modules.
from fake_engine import FakeEngine
engine = FakeEngine(conn.transport)
engine.start()
try:
    answer = conn.invoke('get_revision', {}, '1.0', timeout=10)
finally:
    engine.stop()
conn.close()
import threading
holding_exit = [thread.name for thread in threading.enumerate()
                if thread.is_alive() and not thread.daemon and thread is not threading.main_thread()]
import oslo_service.service
import oslo_messaging
print(json.dumps({
    'client_modules': client_modules,
    'guard_active': guard_active,
    'holding_exit': holding_exit,
    'answer': answer,
    'server_is_service': issubclass(oslo_messaging.server.MessageHandlingServer, oslo_service.service.ServiceBase),
    'real_service_module': hasattr(oslo_service.service, 'ServiceLauncher'),
}))
'''


def probe(module, preload=()):
    # tests/conftest.py points ANSIBLE_COLLECTIONS_PATH at the collections root it made ('conftest' itself is
    # ambiguous once the integration tests' conftest is loaded too).
    code = PROBE % {'root': os.environ['ANSIBLE_COLLECTIONS_PATH'], 'here': HERE, 'module': module, 'package': PACKAGE}
    result = subprocess.run([sys.executable, '-W', 'ignore', '-c', code] + list(preload), capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def loaded(modules, top):
    return [name for name in modules if name == top or name.startswith(top + '.')]


@pytest.mark.parametrize('module', MODULES)
def test_module_code_path_imports_no_eventlet_and_no_oslo_service(module):
    found = probe('%s.modules.%s' % (PACKAGE, module))
    modules = found['client_modules']
    assert found['guard_active']
    assert loaded(modules, 'eventlet') == []
    assert loaded(modules, 'greenlet') == []
    assert set(loaded(modules, 'oslo_service')) <= SERVICE_INTERFACE
    assert 'oslo_service.service' not in modules
    # The RabbitMQ driver was imported under the guard, so the transport does not import eventlet later.
    assert 'oslo_messaging._drivers.impl_rabbit' in modules
    assert found['answer'] == {'method': 'get_revision', 'kwargs': {}}
    assert found['server_is_service'] and found['real_service_module']
    assert found['holding_exit'] == []


def test_process_that_already_has_eventlet_gets_the_plain_import():
    found = probe('%s.modules.heat_stack_info' % PACKAGE, preload=['eventlet'])
    assert not found['guard_active']
    assert 'oslo_service.service' in found['client_modules']
    assert found['answer'] == {'method': 'get_revision', 'kwargs': {}}


PERSISTENT_PROBE = '''
import importlib, json, sys
sys.path[:0] = [%(root)r]
importlib.import_module(%(module)r)
errors = importlib.import_module(%(package)r + '.module_utils.errors')
options = importlib.import_module(%(package)r + '.module_utils._ansible.connection_options')
client_module = importlib.import_module(%(package)r + '.module_utils.engine_client')
settings = options.connection_settings(%(url)r, connect_timeout=1, timeout=2, persistent=True,
                                      persistent_dir=%(directory)r)
with client_module.EngineClient(settings) as client:
    try:
        client.get_revision(None)
        kind = None
    except errors.HeatRpcError as exc:
        kind = exc.kind
    pid = client.connection.helper_pid
print(json.dumps({'modules': sorted(sys.modules), 'kind': kind, 'helper_pid': pid}))
'''


@pytest.fixture(scope='module')
def helper_for_a_closed_port():
    """One helper for every probe (same settings, a broker port nobody listens on); removing its
    socket at the end makes it exit."""
    directory = tempfile.mkdtemp(prefix='hrpc-')
    with socket.socket() as closed:
        closed.bind(('127.0.0.1', 0))
        port = closed.getsockname()[1]
    yield directory, 'rabbit://u:p@127.0.0.1:%d/v' % port
    shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.parametrize('module', MODULES)
def test_a_run_through_the_persistent_helper_imports_no_oslo_messaging(module, helper_for_a_closed_port):
    directory, url = helper_for_a_closed_port
    code = PERSISTENT_PROBE % {'root': os.environ['ANSIBLE_COLLECTIONS_PATH'], 'package': PACKAGE,
                               'module': '%s.modules.%s' % (PACKAGE, module), 'directory': directory, 'url': url}
    result = subprocess.run([sys.executable, '-W', 'ignore', '-c', code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    # The helper's answer (the port is closed) is the typed error an in-process run gives.
    assert found['kind'] == 'broker_unreachable'
    assert isinstance(found['helper_pid'], int)
    for top in ('oslo_messaging', 'oslo_config', 'kombu', 'amqp', 'eventlet', 'oslo_service'):
        assert loaded(found['modules'], top) == [], top

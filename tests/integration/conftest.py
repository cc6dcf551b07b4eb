# -*- coding: utf-8 -*-
"""Fixtures for tests against the real heat-engine test bed."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.redaction import ParsedTransportURL
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_settings
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import RequestContext
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import StackService
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import wait_for_stack

import target_user
from helper_processes import MAX_SOCKET_PATH, SOCKET_NAME_LENGTH, end_helpers

# Fixtures defined in helper modules, registered here so that every integration test can ask for them.
unprivileged_target = target_user.unprivileged_target

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STACK_WAIT = 120
# The persistent_dir of this session's module runs (set by session_helper_dir).
_SESSION_HELPER_DIR = []


def pytest_collection_modifyitems(items):
    here = os.path.dirname(os.path.abspath(__file__))
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.engine)


def settings_for(testbed, **overrides):
    options = dict(
        transport_url=testbed['transport_url'],
        exchange=testbed.get('exchange', 'heat'),
        topic=testbed.get('topic', 'engine'),
        timeout=30,
        connect_timeout=5,
        context=RequestContext(**dict((key, value) for key, value in testbed['context'].items()
                                      if key in RequestContext.FIELDS)),
    )
    options.update(overrides)
    return connection_settings(**options)


@pytest.fixture(scope='session', autouse=True)
def session_helper_dir():
    """The persistent_dir of the module runs of this session (pytest-xdist: of this worker) that name none.

    A module run that sets nothing hands its calls to the persistent helper (the default): the tests' helpers
    live here (a short path: a socket path has at most 107 bytes), never in ~/.ansible, and end with the session.
    """
    directory = tempfile.mkdtemp(prefix='hrpc-s-')
    _SESSION_HELPER_DIR.append(directory)
    yield directory
    _SESSION_HELPER_DIR.remove(directory)
    end_helpers(directory)
    shutil.rmtree(directory, ignore_errors=True)


def with_session_helper_dir(run_env):
    """``run_env`` with this session's persistent_dir unless it names one (an empty variable names none)."""
    if not run_env.get('HEAT_RPC_PERSISTENT_DIR') and _SESSION_HELPER_DIR:
        run_env['HEAT_RPC_PERSISTENT_DIR'] = _SESSION_HELPER_DIR[0]
    return run_env


@pytest.fixture(scope='session')
def engine_settings(heat_testbed):
    return settings_for(heat_testbed)


@pytest.fixture(scope='session')
def client(engine_settings):
    engine_client = EngineClient(engine_settings)
    yield engine_client
    engine_client.close()


@pytest.fixture(scope='session')
def service(client):
    return StackService(client)


def unique_name(prefix='it'):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:10])


@pytest.fixture
def make_stack(client, service):
    """Create a stack, wait for it to settle, and delete whatever it made at the end."""
    made = []

    def factory(template, params=None, files=None, args=None, name=None, wait=True, **kwargs):
        name = name or unique_name()
        identity = client.create_stack(None, name, template, {'parameters': params or {}}, files or {},
                                       args or {}, **kwargs)
        made.append(identity)
        if wait:
            wait_for_stack(service, identity, STACK_WAIT, actions=('CREATE', 'ROLLBACK'))
        return identity

    yield factory
    for identity in made:
        try:
            if service.show(identity) is not None:
                client.delete_stack(None, identity)
                wait_for_stack(service, identity, STACK_WAIT, actions=('DELETE',))
        except Exception as exc:  # pylint: disable=broad-except  # cleanup must not hide the test's result
            print('cleanup of %s failed: %s' % (identity.get('stack_name'), exc), file=sys.stderr)


@pytest.fixture
def persistent_dir(tmp_path):
    """A helper directory of this test (not yet created) with a short enough socket path; its helpers end with it."""
    directory = str(tmp_path / 'helper')
    short_parent = None
    if len(directory) + SOCKET_NAME_LENGTH > MAX_SOCKET_PATH:
        short_parent = tempfile.mkdtemp(prefix='hrpc-')
        directory = os.path.join(short_parent, 'helper')
    yield directory
    end_helpers(directory)
    if short_parent is not None:
        shutil.rmtree(short_parent, ignore_errors=True)


@pytest.fixture
def env(heat_testbed):
    """HEAT_RPC_* variables pointing module runs at the test bed."""
    return engine_environment(heat_testbed)


def delete_stack_named(client, service, name):
    raw = service.find(name)
    if raw is not None:
        client.delete_stack(None, raw['stack_identity'])
        wait_for_stack(service, raw['stack_identity'], STACK_WAIT, actions=('DELETE',))


@pytest.fixture
def stack_name(client, service):
    """A fresh stack name; whatever stack has it at the end of the test is deleted."""
    name = unique_name('st')
    yield name
    delete_stack_named(client, service, name)


@pytest.fixture
def other_stack_name(client, service):
    """A second fresh stack name, cleaned up as stack_name is."""
    name = unique_name('st')
    yield name
    delete_stack_named(client, service, name)


@pytest.fixture(scope='session')
def engine_python(heat_testbed):
    """The engine virtualenv's python (for introspecting heat itself)."""
    meta_path = os.path.join(heat_testbed['state_dir'], 'testbed.json')
    with open(meta_path) as handle:
        meta = json.load(handle)
    python = meta.get('venv_python') or os.path.join(meta['venv'], 'bin', 'python')
    assert os.access(python, os.X_OK), python
    return python


@pytest.fixture
def engine_group(heat_testbed):
    """The process group of the test bed's heat-engine (for SIGSTOP/SIGCONT)."""
    with open(os.path.join(heat_testbed['state_dir'], 'testbed.json')) as handle:
        return json.load(handle)['pgid']


def broker_address(testbed):
    host = ParsedTransportURL(testbed['transport_url']).hosts[0]
    return host.hostname, host.port


def url_through(testbed, host, port, password=None):
    """The test bed's transport URL, pointed at another host:port (and password)."""
    parsed = ParsedTransportURL(testbed['transport_url'])
    broker = parsed.hosts[0]
    return 'rabbit://%s:%s@%s:%d/%s' % (broker.username, password or broker.password, host, port, parsed.virtual_host)


def run_engine_python(python, code):
    result = subprocess.run([python, '-c', code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def engine_environment(testbed):
    """HEAT_RPC_* variables for a module run against ``testbed`` (the modules' environment fallbacks)."""
    context = testbed['context']
    return {
        'HEAT_RPC_TRANSPORT_URL': testbed['transport_url'],
        'HEAT_RPC_EXCHANGE': testbed.get('exchange', 'heat'),
        'HEAT_RPC_TOPIC': testbed.get('topic', 'engine'),
        'HEAT_RPC_USERNAME': context['username'],
        'HEAT_RPC_PASSWORD': context['password'],
        'HEAT_RPC_USER_ID': context['user_id'],
        'HEAT_RPC_PROJECT_ID': context['project_id'],
        'HEAT_RPC_PROJECT_NAME': context['project_name'],
    }


class PlaybookRun:
    """The outcome of one ansible-playbook run: exit code, output, per-task results and the recap."""

    def __init__(self, returncode, stdout, stderr, results):
        self.returncode = returncode
        self.output = stdout + stderr
        self.results = results
        self.stats = {}
        recap = re.search(r'^localhost\s*:\s*(.*)$', stdout, re.MULTILINE)
        if recap:
            self.stats = dict((key, int(value)) for key, value in re.findall(r'(\w+)=(\d+)', recap.group(1)))


def run_playbook(tmp_path, tasks, env=None, verbosity=0, check=False, diff=False, timeout=300, play=None,
                 interpreter=None):
    """Run ``tasks`` in a localhost play with ansible-playbook and collect each task's result.

    Every task is registered and may fail (ignore_errors), so that all results can be asserted; a last
    task writes them, by task name, to a JSON file. A failed task shows as ``failed`` in its result and
    as ``ignored`` in the recap. ``play`` adds play keywords (e.g. become, see target_user.py; the last
    task then runs without become) and ``interpreter`` replaces sys.executable as ansible_python_interpreter.
    """
    return start_playbook(tmp_path, tasks, env, verbosity, check, diff, play=play,
                          interpreter=interpreter).finish(timeout)


class RunningPlaybook:
    """An ansible-playbook process started by start_playbook; finish() waits and collects."""

    def __init__(self, process, tmp_path, results_file):
        self.process = process
        self.tmp_path = tmp_path
        self.results_file = results_file

    def finish(self, timeout=300):
        stdout, stderr = self.process.communicate(timeout=timeout)
        results = json.loads(self.results_file.read_text()) if self.results_file.exists() else {}
        run = PlaybookRun(self.process.returncode, stdout, stderr, results)
        # The collect task itself counts as changed when it writes the file the first time.
        if 'changed' in run.stats:
            run.stats['changed'] -= 1
        log = self.tmp_path / 'ansible.log'
        run.log = log.read_text() if log.exists() else ''
        return run


def run_example_playbook(tmp_path, env, name, *args, timeout=300):
    """ansible-playbook examples/NAME ARGS against the test bed whose HEAT_RPC_* variables ``env`` holds."""
    playbook = os.path.join(REPO_ROOT, 'examples', name)
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), playbook, '-i', 'localhost,',
               '-c', 'local', '-e', 'ansible_python_interpreter=%s' % sys.executable] + list(args)
    run_env = dict((key, value) for key, value in os.environ.items() if not key.startswith('HEAT_RPC_'))
    run_env.update(env, ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='0',
                   ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-tmp'))
    proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=with_session_helper_dir(run_env),
                          check=False)
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr, {})


def start_playbook(tmp_path, tasks, env=None, verbosity=0, check=False, diff=False, play=None, interpreter=None):
    """Start ansible-playbook on ``tasks`` (see run_playbook) without waiting for it."""
    import yaml
    tmp_path.mkdir(parents=True, exist_ok=True)
    results_file = tmp_path / 'results.json'
    play_tasks = []
    for index, task in enumerate(tasks):
        task = dict(task, register='task_%d' % index, ignore_errors=True)
        play_tasks.append(task)
    collected = ', '.join("%s: task_%d" % (json.dumps(task['name']), index) for index, task in enumerate(tasks))
    collect = {'name': 'collect results', 'ansible.builtin.copy': {
        'content': '{{ {%s} | to_json }}' % collected, 'dest': str(results_file)}, 'check_mode': False,
        'diff': False}
    if play:
        collect['become'] = False  # tmp_path is the test's (root's): a become user may not write there
    play_tasks.append(collect)
    playbook = [dict({'hosts': 'localhost', 'gather_facts': False}, **(play or {}), tasks=play_tasks)]
    path = tmp_path / 'playbook.yml'
    path.write_text(yaml.safe_dump(playbook, sort_keys=False))
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), str(path),
               '-i', 'localhost,', '-c', 'local', '-e', 'ansible_python_interpreter=%s' % (interpreter or sys.executable)]
    if verbosity:
        command.append('-' + 'v' * verbosity)
    if check:
        command.append('--check')
    if diff:
        command.append('--diff')
    run_env = dict((key, value) for key, value in os.environ.items() if not key.startswith('HEAT_RPC_'))
    run_env.update({'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
                    'ANSIBLE_RETRY_FILES_ENABLED': '0', 'ANSIBLE_LOG_PATH': str(tmp_path / 'ansible.log')})
    run_env.update(env or {})
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=with_session_helper_dir(run_env))
    return RunningPlaybook(process, tmp_path, results_file)

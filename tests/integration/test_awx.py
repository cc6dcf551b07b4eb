# -*- coding: utf-8 -*-
"""The AWX / Automation Controller credential type (docs/awx): its injectors set exactly the variables the
modules read, and a job run the way AWX runs it (ansible-runner, private data dir) gets its whole
connection from the credential."""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from types import SimpleNamespace

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_argument_spec
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_settings
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import RequestContext
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.redaction import ParsedTransportURL
from conftest import REPO_ROOT, engine_environment, run_playbook, unique_name
from helper_processes import helper_pids, process_state
from test_engine_api import TEMPLATE

BIN = os.path.dirname(sys.executable)
AWX_DIR = os.path.join(REPO_ROOT, 'docs', 'awx')
# The jobs' helper idle timeout, and a generous bound on top of it for the helper to be gone after the last job
# (a bound to wait, never asserted as a duration).
JOB_HELPER_IDLE_TIMEOUT = 5
HELPER_EXIT_SLACK = 20


def _awx_files():
    with open(os.path.join(AWX_DIR, 'inputs.yml')) as handle:
        inputs = yaml.safe_load(handle)
    with open(os.path.join(AWX_DIR, 'injectors.yml')) as handle:
        injectors = yaml.safe_load(handle)
    return inputs, injectors


def render_awx_injectors(inputs, injectors, values, file_dir):
    """Render the injectors as AWX does: empty inputs are left undefined, unset booleans are False,
    each file template is written to a file whose path is ``tower.filename.<label>``."""
    namespace = dict((key, value) for key, value in values.items() if value not in ('', None))
    for field in inputs['fields']:
        if field['type'] == 'boolean':
            namespace.setdefault(field['id'], False)
    sandbox = ImmutableSandboxedEnvironment()
    filenames = {}
    for label, template in injectors.get('file', {}).items():
        path = os.path.join(str(file_dir), label.replace('.', '_'))
        with open(path, 'w') as handle:
            handle.write(sandbox.from_string(template).render(**namespace))
        filenames[label.split('.', 1)[1]] = path
    namespace['tower'] = SimpleNamespace(filename=SimpleNamespace(**filenames))
    env = dict((name, sandbox.from_string(template).render(**namespace))
               for name, template in injectors['env'].items())
    return env, filenames


def _module_env_names():
    return dict((option['fallback'][1][0], name) for name, option in connection_argument_spec().items()
                if option.get('fallback'))


def test_awx_injectors_set_only_variables_the_modules_read_and_use_every_field():
    inputs, injectors = _awx_files()
    module_env = _module_env_names()
    assert sorted(set(injectors['env']) - set(module_env)) == []
    # ... and every one the modules read can come from the credential, so a job needs no extra vars.
    assert sorted(set(module_env) - set(injectors['env'])) == []
    # No secret in extra vars: everything goes through the environment and files.
    assert set(injectors) <= {'env', 'file'}
    field_ids = [field['id'] for field in inputs['fields']]
    assert len(field_ids) == len(set(field_ids))
    templates = ' '.join(list(injectors['env'].values()) + list(injectors.get('file', {}).values()))
    assert [field for field in field_ids if not re.search(r'\b%s\b' % field, templates)] == []
    assert set(inputs['required']) <= set(field_ids)
    for field in inputs['fields']:
        if field['id'] in ('transport_url', 'password', 'broker_password', 'ssl_client_key'):
            assert field.get('secret') is True, field['id']
    # The options that are secret in the modules are secret in the credential.
    for name, option in connection_argument_spec().items():
        if option.get('no_log') and name in field_ids:
            assert [f for f in inputs['fields'] if f['id'] == name][0].get('secret') is True, name


def test_awx_credential_built_from_broker_fields_gives_the_same_url(tmp_path, heat_testbed):
    inputs, injectors = _awx_files()
    url = ParsedTransportURL(heat_testbed['transport_url'])
    [host] = url.hosts
    env, _files = render_awx_injectors(inputs, injectors, {
        'broker_hosts': '%s:%d' % (host.hostname, host.port), 'broker_username': host.username,
        'broker_password': host.password, 'broker_vhost': url.virtual_host,
        'username': 'u', 'password': 'p', 'project_id': 'x'}, tmp_path)
    assert env['HEAT_RPC_TRANSPORT_URL'] == heat_testbed['transport_url']
    # Several hosts, and a password and vhost that need quoting.
    env, _files = render_awx_injectors(inputs, injectors, {
        'broker_hosts': 'b1:5671, [fd00::2]:5672', 'broker_username': 'heat', 'broker_password': 'p@ss/w:rd%',
        'broker_vhost': 'heat/prod', 'username': 'u', 'password': 'p', 'project_id': 'x'}, tmp_path)
    parsed = ParsedTransportURL(env['HEAT_RPC_TRANSPORT_URL'])
    assert [(h.hostname, h.port, h.username, h.password) for h in parsed.hosts] == [
        ('b1', 5671, 'heat', 'p@ss/w:rd%'), ('fd00::2', 5672, 'heat', 'p@ss/w:rd%')]
    assert parsed.virtual_host == 'heat/prod'


def test_awx_tls_fields_become_files_the_connection_accepts(tmp_path):
    inputs, injectors = _awx_files()
    pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
    env, files = render_awx_injectors(inputs, injectors, {
        'transport_url': 'rabbit://heat:secret@broker:5671/heat', 'username': 'u', 'password': 'p',
        'project_id': 'x', 'ssl': True, 'ssl_ca_cert': pem}, tmp_path)
    assert (env['HEAT_RPC_SSL'], env['HEAT_RPC_SSL_CA_FILE']) == ('true', files['ca'])
    assert (env['HEAT_RPC_SSL_CERT_FILE'], env['HEAT_RPC_SSL_KEY_FILE']) == ('', '')
    with open(files['ca']) as handle:
        assert handle.read() == pem
    settings = connection_settings(env['HEAT_RPC_TRANSPORT_URL'], ssl=True, ssl_ca_file=env['HEAT_RPC_SSL_CA_FILE'],
                                   context=RequestContext(username='u', password='p', project_id='x'))
    assert settings.ssl and settings.ssl_ca_file == files['ca']
    # Without TLS no file variable is set, so plain AMQP is not refused for carrying a CA.
    env, _files = render_awx_injectors(inputs, injectors, {
        'transport_url': 'rabbit://heat:secret@broker:5672/heat', 'username': 'u', 'password': 'p',
        'project_id': 'x'}, tmp_path)
    assert (env['HEAT_RPC_SSL'], env['HEAT_RPC_SSL_CA_FILE'], env['HEAT_RPC_SSL_TRUST_SYSTEM_STORE']) == (
        'false', '', 'false')


# (the persistent box, the no-persistent box, HEAT_RPC_PERSISTENT, the modules' setting): neither box leaves the
# variable empty, so the modules' default (the helper when it can be used) applies.
PERSISTENT_BOXES = [
    (False, False, '', None),
    (True, False, 'true', True),
    (False, True, 'false', False),
    (True, True, 'false', False),
]


@pytest.mark.parametrize('persistent, persistent_off, variable, setting', PERSISTENT_BOXES)
def test_awx_persistent_boxes_set_the_modules_persistent(tmp_path, monkeypatch, persistent, persistent_off, variable,
                                                         setting):
    inputs, injectors = _awx_files()
    env, _files = render_awx_injectors(inputs, injectors, {
        'transport_url': 'rabbit://heat:secret@broker:5672/heat', 'persistent': persistent,
        'persistent_off': persistent_off}, tmp_path)
    assert env['HEAT_RPC_PERSISTENT'] == variable
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    params = ArgumentSpecValidator(connection_argument_spec()).validate({}).validated_parameters
    assert params['persistent'] is setting


def test_awx_credential_environment_alone_drives_a_module(tmp_path, heat_testbed, make_stack):
    """A job template with only the credential: the rendered environment is all the module gets."""
    inputs, injectors = _awx_files()
    name = unique_name('awx')
    make_stack(TEMPLATE, params={'word': 'awx'}, name=name)
    context = heat_testbed['context']
    env, _files = render_awx_injectors(inputs, injectors, {
        'transport_url': heat_testbed['transport_url'], 'username': context['username'],
        'password': context['password'], 'project_id': context['project_id']}, tmp_path)
    assert set(env) >= set(engine_environment(heat_testbed))
    run = run_playbook(tmp_path, [{'name': 'show', 'heat_rpc.engine.heat_stack_info': {'name': name}}], env=env)
    assert run.returncode == 0, run.output
    [stack] = run.results['show']['stacks']
    assert (stack['status'], stack['outputs']['test_output']) == ('CREATE_COMPLETE', 'awx')


# --- a job as AWX runs it: ansible-runner and a private data dir --------------------------------------

def awx_private_data_dir(root, credential_env):
    """The private data dir AWX hands to ansible-runner for a job: the project checkout in ``project/``,
    the inventory, and the credential's environment in ``env/envvars`` (its files are already in
    ``env/``, where AWX writes them). The execution environment's collection path is a symlink here."""
    for name in ('env', 'inventory', 'requirements_collections/ansible_collections/heat_rpc'):
        os.makedirs(os.path.join(root, name), exist_ok=True)
    shutil.copytree(os.path.join(REPO_ROOT, 'examples'), os.path.join(root, 'project'))
    os.symlink(REPO_ROOT, os.path.join(root, 'requirements_collections', 'ansible_collections', 'heat_rpc', 'engine'))
    with open(os.path.join(root, 'inventory', 'hosts'), 'w') as handle:
        handle.write('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    envvars = dict(credential_env, ANSIBLE_COLLECTIONS_PATH=os.path.join(root, 'requirements_collections'),
                   ANSIBLE_NOCOLOR='1')
    with open(os.path.join(root, 'env', 'envvars'), 'w') as handle:
        yaml.safe_dump(envvars, handle)


def run_awx_job(root, ident, extravars):
    """``ansible-runner run`` of examples/stack_lifecycle.yml with ``extravars`` (written to env/extravars,
    as AWX writes the job's extra vars); returns (exit code, the job's events, its stdout)."""
    with open(os.path.join(root, 'env', 'extravars'), 'w') as handle:
        yaml.safe_dump(extravars, handle)
    # Nothing of this test run's own HEAT_RPC_* environment reaches the job: only env/envvars.
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith('HEAT_RPC_'))
    env['PATH'] = BIN + os.pathsep + env.get('PATH', '')
    proc = subprocess.run([os.path.join(BIN, 'ansible-runner'), 'run', root, '-p', 'stack_lifecycle.yml',
                           '--ident', ident], capture_output=True, text=True, timeout=300, env=env, check=False)
    artifacts = os.path.join(root, 'artifacts', ident)
    events = []
    for path in sorted(glob.glob(os.path.join(artifacts, 'job_events', '*.json'))):
        with open(path) as handle:
            events.append(json.load(handle))
    events.sort(key=lambda event: event['counter'])
    with open(os.path.join(artifacts, 'stdout')) as handle:
        stdout = handle.read()
    return proc.returncode, events, stdout


def wait_until_gone(pid, seconds):
    """Whether process ``pid`` is gone (or a zombie) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while process_state(pid) not in (None, 'Z'):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def stack_task_result(events):
    [event] = [e for e in events if e['event'] in ('runner_on_ok', 'runner_on_failed')
               and e['event_data']['task'].startswith('Stack ')]
    return event['event_data']['res']


def test_awx_job_through_ansible_runner_gets_its_connection_from_the_credential(tmp_path, heat_testbed, service,
                                                                                stack_name):
    inputs, injectors = _awx_files()
    context = heat_testbed['context']
    token = 'gAAAA-awx-test-token-' + unique_name('t')
    root = str(tmp_path / 'job')
    os.makedirs(os.path.join(root, 'env'))
    # The jobs' tasks go through the persistent helper, as by default (a short directory: a socket path has at
    # most 107 bytes).
    helper_dir = tempfile.mkdtemp(prefix='hrpc-awx-')
    credential_env, _files = render_awx_injectors(inputs, injectors, {
        'transport_url': heat_testbed['transport_url'], 'username': context['username'],
        'password': context['password'], 'project_id': context['project_id'], 'user_id': context['user_id'],
        'project_name': context['project_name'], 'roles': 'member', 'auth_token': token, 'is_admin': True,
        'api_version_cap': ' 1.36 ', 'rpc_timeout': '45', 'connect_timeout': '7', 'call_monitor_timeout': '20',
        'persistent_idle_timeout': ' %d ' % JOB_HELPER_IDLE_TIMEOUT, 'persistent_dir': helper_dir,
    }, os.path.join(root, 'env'))
    try:
        awx_job_lifecycle(root, credential_env, context, token, heat_testbed, service, stack_name, helper_dir)
    finally:
        for name in os.listdir(helper_dir):
            if not os.path.isdir(os.path.join(helper_dir, name)):  # code/: the modules' compiled code
                os.unlink(os.path.join(helper_dir, name))  # an idle helper whose socket is gone exits
        shutil.rmtree(helper_dir, ignore_errors=True)


def awx_job_lifecycle(root, credential_env, context, token, heat_testbed, service, stack_name, helper_dir):
    """Create, re-apply and delete a stack through three AWX jobs with ``credential_env``; nothing secret shown."""
    awx_private_data_dir(root, credential_env)
    # Extra vars as AWX writes them for a job template: its own awx_* variables and the survey's answers.
    extravars = {'awx_job_id': 42, 'awx_job_template_name': 'Heat demo stack', 'awx_user_name': 'admin',
                 'demo_stack_name': stack_name, 'demo_greeting': 'from-awx'}
    assert not set(extravars) & set(connection_argument_spec())
    with open(os.path.join(root, 'project', 'stack_lifecycle.yml')) as handle:
        assert not set(re.findall(r'\w+', handle.read())) & {'transport_url', 'password', 'module_defaults'}

    code, events, stdout = run_awx_job(root, 'create', extravars)
    assert code == 0, stdout
    created = stack_task_result(events)
    assert created['changed'] is True
    assert created['stack']['outputs']['message'].startswith('from-awx from a nested stack')
    # Every setting of the credential reached the module (secrets masked in the job's events).
    args = created['invocation']['module_args']
    assert (args['rpc_timeout'], args['connect_timeout'], args['call_monitor_timeout']) == (45, 7, 20)
    assert (args['api_version_cap'], args['is_admin'], args['roles']) == ('1.36', True, ['member'])
    assert (args['username'], args['project_id']) == (context['username'], context['project_id'])
    assert args['auth_token'] == args['password'] == args['transport_url'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert (args['persistent'], args['persistent_idle_timeout'], args['persistent_dir']) == (
        None, JOB_HELPER_IDLE_TIMEOUT, helper_dir)
    # The helper served the task (persistent not set: the default), and it is there.
    assert not created.get('warnings'), created['warnings']
    [helper] = helper_pids(helper_dir)
    assert service.find(stack_name)['stack_status'] == 'COMPLETE'

    code, events, stdout = run_awx_job(root, 'reapply', extravars)
    assert code == 0, stdout
    assert stack_task_result(events)['changed'] is False
    [stats] = [e for e in events if e['event'] == 'playbook_on_stats']
    assert stats['event_data']['changed'] == {} and stats['event_data']['ok'] == {'localhost': 2}

    code, events, stdout = run_awx_job(root, 'delete', dict(extravars, demo_state='absent'))
    assert code == 0, stdout
    assert stack_task_result(events)['changed'] is True
    assert service.find(stack_name) is None
    # The three jobs shared the one helper; the last job ended while it still ran (a job's end does not wait
    # for it), and it ends on its own idle timeout after the job.
    assert helper_pids(helper_dir) == [helper]
    assert wait_until_gone(helper, JOB_HELPER_IDLE_TIMEOUT + HELPER_EXIT_SLACK)
    assert [name for name in os.listdir(helper_dir) if name.endswith('.sock')] == []

    # What AWX shows and stores of a job (its stdout and events) carries none of the credential's secrets.
    shown = ''
    for ident in ('create', 'reapply', 'delete'):
        for path in glob.glob(os.path.join(root, 'artifacts', ident, 'job_events', '*.json')) + [
                os.path.join(root, 'artifacts', ident, 'stdout')]:
            with open(path) as handle:
                shown += handle.read()
    assert 'from-awx from a nested stack' in shown
    for secret in (context['password'], token, heat_testbed['transport_url']):
        assert secret not in shown

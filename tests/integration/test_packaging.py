# -*- coding: utf-8 -*-
"""What a user installs: the collection tarball, used by FQCN from a fresh collections path, and the
AWX credential type (docs/awx), whose injectors must set the variables the modules read."""

import json
import os
import re
import subprocess
import sys
import tarfile
from types import SimpleNamespace

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.heat_rpc.engine.plugins.module_utils.common import connection_argument_spec
from ansible_collections.heat_rpc.engine.plugins.module_utils.connection import ConnectionSettings, RequestContext
from ansible_collections.heat_rpc.engine.plugins.module_utils.redaction import ParsedTransportURL
from conftest import REPO_ROOT, engine_environment, run_playbook, unique_name
from test_engine_api import TEMPLATE

BIN = os.path.dirname(sys.executable)
AWX_DIR = os.path.join(REPO_ROOT, 'docs', 'awx')

# Paths that must never ship: CI, test output, caches, VCS and virtualenv leftovers.
FORBIDDEN = re.compile(r'(^|/)(\.ci|tests/output|\.git|\.pytest_cache|__pycache__|\.mypy_cache|\.tox|\.venv|'
                       r'\.ansible|\.cache)(/|$)|\.pyc$|\.tar\.gz$')


def _run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, **kwargs)
    assert result.returncode == 0, '%s failed:\n%s%s' % (' '.join(command), result.stdout, result.stderr)
    return result


@pytest.fixture(scope='module')
def tarball(tmp_path_factory):
    """``ansible-galaxy collection build`` of this checkout, as a user (or a release job) runs it."""
    out = tmp_path_factory.mktemp('build')
    _run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(out), REPO_ROOT])
    with open(os.path.join(REPO_ROOT, 'galaxy.yml')) as handle:
        galaxy = yaml.safe_load(handle)
    path = out / ('%s-%s-%s.tar.gz' % (galaxy['namespace'], galaxy['name'], galaxy['version']))
    assert path.is_file(), os.listdir(str(out))
    return path


def test_tarball_has_the_plugins_and_metadata_and_nothing_else(tarball):
    with tarfile.open(str(tarball)) as archive:
        names = set(name[2:] if name.startswith('./') else name for name in archive.getnames())
        manifest = json.load(archive.extractfile('MANIFEST.json'))
    shipped_junk = sorted(name for name in names if FORBIDDEN.search(name))
    assert shipped_junk == [], 'add these to build_ignore in galaxy.yml: %s' % shipped_junk
    expected = {'MANIFEST.json', 'FILES.json', 'README.md', 'meta/runtime.yml', 'meta/execution-environment.yml',
                'requirements.txt', 'bindep.txt', 'plugins/doc_fragments/connection.py'}
    for directory in ('plugins/modules', 'plugins/module_utils', 'plugins/doc_fragments'):
        expected.update('%s/%s' % (directory, name) for name in os.listdir(os.path.join(REPO_ROOT, directory))
                        if name.endswith('.py'))
    assert sorted(expected - names) == []
    info = manifest['collection_info']
    assert (info['namespace'], info['name']) == ('heat_rpc', 'engine')


def test_installed_tarball_runs_a_playbook_by_fqcn_with_the_action_group(tmp_path, tarball, heat_testbed,
                                                                         make_stack):
    install_root = tmp_path / 'collections'
    # Only the fresh path is configured, so a copy of the collection found elsewhere (this checkout, on
    # the test run's ANSIBLE_COLLECTIONS_PATH) cannot make the install a no-op.
    _run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '--offline', '-p', str(install_root),
          str(tarball)], env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(install_root)))
    installed = install_root / 'ansible_collections' / 'heat_rpc' / 'engine'
    assert (installed / 'MANIFEST.json').is_file() and not installed.is_symlink()

    name = unique_name('pkg')
    make_stack(TEMPLATE, params={'word': 'installed'}, name=name)
    env = engine_environment(heat_testbed)
    connection = {'transport_url': env['HEAT_RPC_TRANSPORT_URL'], 'exchange': env['HEAT_RPC_EXCHANGE'],
                  'topic': env['HEAT_RPC_TOPIC'], 'username': env['HEAT_RPC_USERNAME'],
                  'password': env['HEAT_RPC_PASSWORD'], 'project_id': env['HEAT_RPC_PROJECT_ID']}
    # No HEAT_RPC_* variables: the connection comes from module_defaults for the action group, which
    # only works when the installed meta/runtime.yml declares it.
    run = run_playbook(tmp_path, [{
        'name': 'show', 'heat_rpc.engine.heat_stack_info': {'name': name},
        'module_defaults': {'group/heat_rpc.engine.heat': connection},
    }], env={'ANSIBLE_COLLECTIONS_PATH': str(install_root)}, verbosity=3)
    assert run.returncode == 0, run.output
    [stack] = run.results['show']['stacks']
    assert (stack['name'], stack['status']) == (name, 'CREATE_COMPLETE')
    assert stack['outputs']['test_output'] == 'installed'
    # The module ran from the installed copy, not from this checkout.
    used = [path for path in re.findall(r'Using module file (\S+)', run.output) if 'heat_stack_info' in path]
    assert used and all(path.startswith(str(installed) + os.sep) for path in used), used


# --- AWX credential type -------------------------------------------------------------------------

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
    settings = ConnectionSettings(env['HEAT_RPC_TRANSPORT_URL'], ssl=True, ssl_ca_file=env['HEAT_RPC_SSL_CA_FILE'],
                                  context=RequestContext(username='u', password='p', project_id='x'))
    assert settings.ssl and settings.ssl_ca_file == files['ca']
    # Without TLS no file variable is set, so plain AMQP is not refused for carrying a CA.
    env, _files = render_awx_injectors(inputs, injectors, {
        'transport_url': 'rabbit://heat:secret@broker:5672/heat', 'username': 'u', 'password': 'p',
        'project_id': 'x'}, tmp_path)
    assert (env['HEAT_RPC_SSL'], env['HEAT_RPC_SSL_CA_FILE'], env['HEAT_RPC_SSL_TRUST_SYSTEM_STORE']) == (
        'false', '', 'false')


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


# --- ansible-core range ----------------------------------------------------------------------------

def test_requires_ansible_is_the_range_ci_tests():
    """meta/runtime.yml admits exactly the ansible-core minor versions from the oldest to the newest CI
    runs: sanity (.ci/run) and the pytest virtualenvs (tests/requirements*.txt)."""
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version
    with open(os.path.join(REPO_ROOT, 'meta', 'runtime.yml')) as handle:
        admitted = SpecifierSet(yaml.safe_load(handle)['requires_ansible'])
    with open(os.path.join(REPO_ROOT, '.ci', 'run')) as handle:
        tested = re.findall(r'tests/sanity/run-sanity\.sh (\d+\.\d+\.\d+)', handle.read())
    for name in os.listdir(os.path.join(REPO_ROOT, 'tests')):
        if name.startswith('requirements') and name.endswith('.txt'):
            with open(os.path.join(REPO_ROOT, 'tests', name)) as handle:
                tested += re.findall(r'^ansible-core==(\S+)', handle.read(), re.MULTILINE)
    versions = sorted(set(Version(v) for v in tested))
    assert len(versions) >= 3, tested
    assert all(version in admitted for version in versions), (admitted, versions)
    oldest, newest = versions[0], versions[-1]
    assert Version('%d.%d.0' % (oldest.major, oldest.minor - 1)) not in admitted
    assert Version('%d.%d.0' % (oldest.major, oldest.minor)) in admitted
    assert Version('%d.%d.0' % (newest.major, newest.minor + 1)) not in admitted

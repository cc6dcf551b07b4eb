# -*- coding: utf-8 -*-
"""What a user installs: the collection tarball, used by FQCN from a fresh collections path, and the
ansible-core range it declares (the AWX credential type is tested in test_awx.py)."""

import json
import os
import re
import subprocess
import sys
import tarfile

import pytest
import yaml

from conftest import REPO_ROOT, engine_environment, run_playbook, unique_name
from test_engine_api import TEMPLATE

BIN = os.path.dirname(sys.executable)

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
                'requirements.txt', 'bindep.txt', 'plugins/doc_fragments/connection.py', 'CHANGELOG.rst',
                'changelogs/changelog.yaml'}
    for directory in ('plugins/modules', 'plugins/module_utils', 'plugins/doc_fragments', 'plugins/action',
                      'plugins/plugin_utils'):
        expected.update('%s/%s' % (directory, name) for name in os.listdir(os.path.join(REPO_ROOT, directory))
                        if name.endswith('.py'))
    assert sorted(expected - names) == []
    info = manifest['collection_info']
    assert (info['namespace'], info['name']) == ('heat_rpc', 'engine')


def test_the_readme_installs_the_tarball_the_build_makes_and_the_changelog_has_its_release(tarball):
    with open(os.path.join(REPO_ROOT, 'README.md'), encoding='utf-8') as handle:
        assert 'ansible-galaxy collection install %s' % tarball.name in handle.read()
    with open(os.path.join(REPO_ROOT, 'changelogs', 'changelog.yaml'), encoding='utf-8') as handle:
        releases = yaml.safe_load(handle)['releases']
    version = tarball.name[len('heat_rpc-engine-'):-len('.tar.gz')]
    assert version in releases
    with open(os.path.join(REPO_ROOT, 'CHANGELOG.rst'), encoding='utf-8') as handle:
        assert '\nv%s\n' % version in handle.read()


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

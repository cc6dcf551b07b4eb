# -*- coding: utf-8 -*-
"""ansible-doc renders every module of the collection, with every documented option."""

import ast
import os
import re
import subprocess
import sys

import pytest
import yaml

from conftest import REPO_ROOT

MODULES_DIR = os.path.join(REPO_ROOT, 'plugins', 'modules')
MODULES = sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.endswith('.py') and not name.startswith('_'))


def documentation_of(module):
    """The module's DOCUMENTATION, parsed without importing the module."""
    with open(os.path.join(MODULES_DIR, module + '.py')) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == 'DOCUMENTATION' for t in node.targets):
            return yaml.safe_load(node.value.value)
    raise AssertionError('%s has no DOCUMENTATION' % module)


def test_there_are_modules():
    assert {'heat_stack_info', 'heat_template_validate', 'heat_engine_info'} <= set(MODULES)


@pytest.mark.parametrize('module', MODULES)
def test_ansible_doc_renders_the_module_and_its_options(module):
    ansible_doc = os.path.join(os.path.dirname(sys.executable), 'ansible-doc')
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0')
    result = subprocess.run([ansible_doc, '-t', 'module', 'heat_rpc.engine.' + module], capture_output=True,
                            text=True, timeout=120, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert '[WARNING]' not in result.stderr and '[ERROR]' not in result.stderr, result.stderr
    text = result.stdout
    assert re.search(r'^> MODULE heat_rpc\.engine\.%s ' % module, text, re.MULTILINE), text[:300]
    documented = documentation_of(module)
    # The module's own options and the shared connection options from the doc fragment.
    for option in list(documented.get('options') or {}) + ['transport_url', 'rpc_timeout', 'password']:
        # Top-level options start a line, after '- ' (optional) or '= ' (required) without colours.
        assert re.search(r'^(?:[-=] )?%s\s' % re.escape(option), text, re.MULTILINE), '%s: option %s not shown' % (
            module, option)
    for section in ('EXAMPLES', 'RETURN VALUES'):
        assert section in text, '%s: no %s section' % (module, section)


@pytest.mark.parametrize('plugin_type,name,options', [
    ('inventory', 'heat_stack', ['stack', 'hosts_output', 'resources', 'compose', 'keyed_groups', 'cache',
                                 'transport_url', 'rpc_timeout', 'password']),
    ('lookup', 'heat_stack_output', ['stack', 'transport_url', 'rpc_timeout', 'password']),
])
def test_ansible_doc_renders_the_controller_plugins(plugin_type, name, options):
    ansible_doc = os.path.join(os.path.dirname(sys.executable), 'ansible-doc')
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0')
    result = subprocess.run([ansible_doc, '-t', plugin_type, 'heat_rpc.engine.' + name], capture_output=True,
                            text=True, timeout=120, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert '[WARNING]' not in result.stderr and '[ERROR]' not in result.stderr, result.stderr
    text = result.stdout
    assert re.search(r'^> %s heat_rpc\.engine\.%s ' % (plugin_type.upper(), name), text, re.MULTILINE), text[:300]
    for option in options:
        assert re.search(r'^(?:[-=] )?%s\s' % re.escape(option), text, re.MULTILINE), '%s: option %s not shown' % (
            name, option)
    assert 'HEAT_RPC_TRANSPORT_URL' in text and 'EXAMPLES' in text

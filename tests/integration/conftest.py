# -*- coding: utf-8 -*-
"""Fixtures for tests against the real heat-engine test bed."""

import json
import os
import subprocess
import sys
import uuid

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils.connection import ConnectionSettings, RequestContext
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient
from ansible_collections.heat_rpc.engine.plugins.module_utils.stacks import StackService
from ansible_collections.heat_rpc.engine.plugins.module_utils.waiters import wait_for_stack

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STACK_WAIT = 120


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
    return ConnectionSettings(**options)


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


@pytest.fixture(scope='session')
def engine_python(heat_testbed):
    """The engine virtualenv's python (for introspecting heat itself)."""
    meta_path = os.path.join(heat_testbed['state_dir'], 'testbed.json')
    with open(meta_path) as handle:
        meta = json.load(handle)
    python = meta.get('venv_python') or os.path.join(meta['venv'], 'bin', 'python')
    assert os.access(python, os.X_OK), python
    return python


def run_engine_python(python, code):
    result = subprocess.run([python, '-c', code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])

# -*- coding: utf-8 -*-
"""pytest plugin: the session-scoped ``heat_testbed`` fixture (a real heat-engine, see tests/testbed/).

Load it with ``pytest_plugins = ['conftest_testbed']`` in tests/conftest.py.

The fixture returns the test bed's connection.json as a dict (``transport_url``, ``exchange``,
``topic``, ``context``) plus ``name`` and ``state_dir``. By default it starts a test bed of its
own, named ``t<pid>_<random>`` (own RabbitMQ vhost and MariaDB database, so several test runs on
one machine do not interfere), with tests/testbed/heat_testbed.py, and takes it down at the end of
the session. With ``HEAT_RPC_TESTBED`` set to the path of an existing connection.json (or of its
state dir), that test bed is used as it is and left running, e.g. for a fast dev loop::

    python3 tests/testbed/heat_testbed.py up --name dev
    . ~/.cache/heat_rpc/testbeds/dev/connection.env   # sets HEAT_RPC_TESTBED among others
    pytest -m engine
"""

import contextlib
import json
import os
import secrets
import subprocess
import sys

import pytest

TESTBED_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'testbed', 'heat_testbed.py')
UP_TIMEOUT = 1800  # a first run builds the engine virtualenv
DOWN_TIMEOUT = 180


def _run_testbed(*args, timeout):
    """Run heat_testbed.py; returns (exit code, stdout, stderr)."""
    try:
        proc = subprocess.run([sys.executable, TESTBED_SCRIPT] + list(args), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        def text(data):
            return data.decode('utf-8', 'replace') if isinstance(data, bytes) else (data or '')
        return -1, text(exc.stdout), f'{text(exc.stderr)}\n(timed out after {timeout}s)'
    return proc.returncode, proc.stdout, proc.stderr


def _load_existing(location):
    """Settings of the test bed whose connection.json (or state dir) HEAT_RPC_TESTBED names."""
    path = os.path.abspath(os.path.expanduser(location))
    if os.path.isdir(path):
        path = os.path.join(path, 'connection.json')
    try:
        with open(path, encoding='utf-8') as handle:
            settings = json.load(handle)
    except (OSError, ValueError) as exc:
        pytest.fail(f'HEAT_RPC_TESTBED={location}: cannot read a connection.json: {exc}', pytrace=False)
    state_dir = os.path.dirname(path)
    name = os.path.basename(state_dir)
    try:
        with open(os.path.join(state_dir, 'testbed.json'), encoding='utf-8') as handle:
            name = json.load(handle).get('name') or name
    except (OSError, ValueError):
        pass
    return dict(settings, name=name, state_dir=state_dir)


@contextlib.contextmanager
def started_testbed(name, *up_args):
    """Start test bed ``name`` (heat_testbed.py up NAME UP_ARGS), yield its settings, take it down at the end.

    The settings are connection.json as a dict plus ``name`` and ``state_dir``. Fault tests use it
    for a test bed of their own, e.g. with ``'--transport-url', url`` for an engine on a private broker.
    """
    try:
        code, out, err = _run_testbed('up', '--name', name, *up_args, timeout=UP_TIMEOUT)
        sys.stderr.write(err)
        paths = [line for line in out.splitlines() if line.endswith('connection.json')]
        if code != 0 or not paths:
            pytest.fail(f'heat_testbed.py up --name {name} failed (exit {code}):\n{out}{err}', pytrace=False)
        with open(paths[0], encoding='utf-8') as handle:
            settings = json.load(handle)
        yield dict(settings, name=name, state_dir=os.path.dirname(paths[0]))
    finally:
        code, out, err = _run_testbed('down', '--name', name, timeout=DOWN_TIMEOUT)
        if code != 0:
            sys.stderr.write(f'heat_testbed.py down --name {name} failed (exit {code}):\n{out}{err}\n')


@pytest.fixture(scope='session')
def heat_testbed():
    """A running heat-engine test bed: connection.json as a dict plus ``name`` and ``state_dir``."""
    existing = os.environ.get('HEAT_RPC_TESTBED')
    if existing:
        settings = _load_existing(existing)
        if os.path.exists(os.path.join(settings['state_dir'], 'testbed.json')):
            code, out, _err = _run_testbed('status', '--state-dir', settings['state_dir'], timeout=60)
            if code != 0:
                pytest.fail(f'HEAT_RPC_TESTBED={existing}: the test bed does not answer (heat_testbed.py status):\n{out}'
                            f'Start it with: {TESTBED_SCRIPT} up --name {settings["name"]}', pytrace=False)
        yield settings
        return
    with started_testbed(f't{os.getpid()}_{secrets.token_hex(2)}') as settings:
        yield settings

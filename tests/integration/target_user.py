# -*- coding: utf-8 -*-
"""pytest fixture ``unprivileged_target``: run a playbook's tasks as another, unprivileged local user.

The user (``heatrpc-target``, a system user with a home of its own) cannot read the directories the
tests write their playbooks in (pytest's tmp_path, under /tmp/pytest-of-root, mode 0700), nor the test
virtualenv or pyenv's interpreters (under /root, mode 0700). The fixture gives it an interpreter of its
own: a virtualenv of a system python3 (outside /root) with the modules' runtime requirements at the
versions tests/requirements.txt pins (oslo.messaging and PyYAML; ansible.module_utils travels inside
each module's AnsiballZ payload, keystoneauth1 is only for the auth_url options). The virtualenv lives
under /var/cache/heat_rpc (HEAT_RPC_TARGET_CACHE_DIR), owned by root and readable by everybody, in a
directory named after a hash of the pins and the interpreter: built once, then reused, rebuilt when a
pin changes. It is built in a temporary directory and renamed when complete (so an interrupted build
is never used), under a lock file (pytest-xdist workers may want it at the same time).

A test hands the fixture's tasks to run_playbook::

    def test_something(tmp_path, env, unprivileged_target):
        run = run_playbook(tmp_path, env=env, **unprivileged_target.playbook_args(tasks))

so that the play runs with ``become: true``, ``become_method: su``, ``become_user: heatrpc-target``
and ``ansible_python_interpreter`` is the user's virtualenv; run_playbook's last task (which writes the
results into tmp_path) runs without become. ``su`` (util-linux, without ``-``/``--login``) keeps the
environment but HOME, SHELL, USER and LOGNAME, so the HEAT_RPC_* variables run_playbook passes to
ansible-playbook reach the modules, as without become (tests/integration/test_target_user.py checks it).
Ansible puts each module's AnsiballZ file for the user in /var/tmp (its system_tmpdirs) and, with no
setfacl here, chowns it to the user. HEAT_RPC_TARGET_PYTHON names another base interpreter.

Needs root (useradd, su without a password); skips otherwise.
"""

import contextlib
import fcntl
import hashlib
import json
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys

import pytest

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUIREMENTS = os.path.join(TESTS_DIR, 'requirements.txt')
USER = 'heatrpc-target'
# What the modules import on a target (see plugins/module_utils): the pins come from tests/requirements.txt.
TARGET_REQUIREMENTS = ('oslo.messaging', 'PyYAML')
# System interpreters outside /root (pyenv's and the test virtualenv's are unreadable to other users).
PYTHON_CANDIDATES = ('/usr/bin/python3', '/usr/local/bin/python3')
BUILD_TIMEOUT = 900


def canonical(name):
    return re.sub(r'[-_.]+', '-', name).lower()


def pinned_requirements(path=REQUIREMENTS, names=TARGET_REQUIREMENTS):
    """The ``name==version`` lines of ``names`` in ``path``, in the order of ``names``."""
    pins = {}
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            line = line.split('#', 1)[0].strip()
            match = re.match(r'^([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*(\S+)$', line)
            if match:
                pins[canonical(match.group(1))] = '%s==%s' % (match.group(1), match.group(2))
    missing = [name for name in names if canonical(name) not in pins]
    if missing:
        pytest.fail('%s pins no version of %s' % (path, ', '.join(missing)), pytrace=False)
    return [pins[canonical(name)] for name in names]


def run(command, timeout=120, **kwargs):
    """Run ``command`` (a list); fail the test with its output when it exits non-zero."""
    proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False,
                          stdin=subprocess.DEVNULL, **kwargs)
    if proc.returncode != 0:
        pytest.fail('%s failed (exit %d):\n%s%s' % (shlex.join(command), proc.returncode, proc.stdout, proc.stderr),
                    pytrace=False)
    return proc.stdout


def as_user(user, command, timeout=120):
    """Run ``command`` (a list) as ``user`` with su, as Ansible's su become does; returns the CompletedProcess."""
    return subprocess.run(['su', user, '-c', shlex.join(command)], capture_output=True, text=True, timeout=timeout,
                          check=False, stdin=subprocess.DEVNULL)


@contextlib.contextmanager
def locked(path):
    with open(path, 'a') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_user(name=USER):
    """Create system user ``name`` with a home and a shell su can run (nothing when it exists); its pwd entry."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    run(['useradd', '--system', '--user-group', '--create-home', '--home-dir', '/home/%s' % name,
         '--shell', '/bin/sh', '--comment', 'heat_rpc.engine tests, unprivileged target user', name])
    return pwd.getpwnam(name)


def readable_by_others(path):
    """Whether every directory from / down to ``path`` lets other users through (o+x) and ``path`` in (o+rx)."""
    path = os.path.realpath(path)
    parts = path.split(os.sep)
    for index in range(2, len(parts) + 1):
        mode = os.stat(os.sep.join(parts[:index]) or os.sep).st_mode
        if not mode & 0o001:
            return False
    return bool(os.stat(path).st_mode & 0o004)


def system_python(user):
    """A python3 outside /root that ``user`` can run (HEAT_RPC_TARGET_PYTHON, else the first of PYTHON_CANDIDATES)."""
    chosen = os.environ.get('HEAT_RPC_TARGET_PYTHON')
    candidates = [chosen] if chosen else PYTHON_CANDIDATES
    tried = []
    for candidate in candidates:
        if not os.access(candidate, os.X_OK):
            tried.append('%s: not there' % candidate)
            continue
        proc = as_user(user, [candidate, '-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])'])
        if proc.returncode == 0:
            return candidate, proc.stdout.strip()
        tried.append('%s: %s' % (candidate, (proc.stdout + proc.stderr).strip()))
    pytest.fail('no python3 that %s can run (with the venv module): %s' % (user, '; '.join(tried)), pytrace=False)
    return None  # not reached


def venv_key(python, version, pins):
    text = '\n'.join([os.path.realpath(python), version] + pins)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]


IMPORT_CHECK = 'import json, sys, oslo_messaging, yaml; print(json.dumps(sys.prefix))'


def venv_works(user, venv):
    """Whether ``user`` can run the virtualenv's python and import the modules' requirements with it."""
    python = os.path.join(venv, 'bin', 'python')
    if not os.path.exists(os.path.join(venv, '.complete')):
        return False
    proc = as_user(user, [python, '-c', IMPORT_CHECK])
    return proc.returncode == 0 and json.loads(proc.stdout.strip().splitlines()[-1]) == venv


def build_venv(base_python, pins, venv):
    """Build the virtualenv in a temporary directory beside ``venv`` and rename it to ``venv`` once complete.

    ``python -m venv --without-pip`` needs no ensurepip (Debian ships that apart, in python3-venv): the test
    virtualenv's pip installs into it (``pip --python``, pip >= 22.3). Only bin/python is used afterwards,
    which finds its virtualenv from where it lies, so the rename is safe (pip's console scripts in bin/, not
    used, keep the temporary path in their #! lines).
    """
    parent = os.path.dirname(venv)
    prefix = '.%s.tmp-' % os.path.basename(venv)
    for entry in os.listdir(parent):  # left by an interrupted build (we hold the lock)
        if entry.startswith(prefix):
            shutil.rmtree(os.path.join(parent, entry), ignore_errors=True)
    building = os.path.join(parent, '%s%d' % (prefix, os.getpid()))
    run([base_python, '-m', 'venv', '--without-pip', building], umask=0o022)
    run([sys.executable, '-m', 'pip', '--python', os.path.join(building, 'bin', 'python'), 'install', '--quiet',
         '--disable-pip-version-check', '--no-input'] + pins, timeout=BUILD_TIMEOUT, umask=0o022)
    with open(os.path.join(building, '.complete'), 'w', encoding='utf-8') as handle:
        handle.write('\n'.join(pins) + '\n')
    os.chmod(os.path.join(building, '.complete'), 0o644)
    if os.path.lexists(venv):
        shutil.rmtree(venv)
    os.rename(building, venv)


class UnprivilegedTarget:
    """What ``unprivileged_target`` yields: ``user``, ``uid``, ``home``, ``python`` (the user's interpreter)
    and ``playbook_args(tasks)``."""

    def __init__(self, user, uid, home, python):
        self.user = user
        self.uid = uid
        self.home = home
        self.python = python

    def play_keywords(self):
        """The play keywords that make every task run as ``user`` through su."""
        return {'become': True, 'become_method': 'su', 'become_user': self.user}

    def playbook_args(self, tasks):
        """run_playbook's keyword arguments running ``tasks`` as ``user`` with ``python``: tasks, play, interpreter."""
        return {'tasks': list(tasks), 'play': self.play_keywords(), 'interpreter': self.python}

    def __repr__(self):
        return 'UnprivilegedTarget(user=%r, python=%r)' % (self.user, self.python)


def prepare_target(base, user=USER):
    """Create ``user`` and its virtualenv under ``base`` (or reuse them); the UnprivilegedTarget."""
    os.makedirs(base, mode=0o755, exist_ok=True)
    os.chmod(base, 0o755)
    if not readable_by_others(base):
        pytest.fail('%s: other users cannot get into it (HEAT_RPC_TARGET_CACHE_DIR)' % base, pytrace=False)
    pins = pinned_requirements()
    with locked(os.path.join(base, 'target-venv.lock')):
        entry = ensure_user(user)
        base_python, version = system_python(user)
        venv = os.path.join(base, 'target-venv-py%s-%s' % (version, venv_key(base_python, version, pins)))
        if not venv_works(user, venv):
            sys.stderr.write('building the target user\'s virtualenv in %s\n' % venv)
            build_venv(base_python, pins, venv)
            if not venv_works(user, venv):
                proc = as_user(user, [os.path.join(venv, 'bin', 'python'), '-c', IMPORT_CHECK])
                pytest.fail('%s cannot use the virtualenv just built in %s:\n%s%s' % (
                    user, venv, proc.stdout, proc.stderr), pytrace=False)
    return UnprivilegedTarget(user, entry.pw_uid, entry.pw_dir, os.path.join(venv, 'bin', 'python'))


@pytest.fixture(scope='session')
def unprivileged_target():
    """A local user who cannot read the tests' files, and a python with the modules' requirements it can run."""
    if os.geteuid() != 0:
        pytest.skip('unprivileged_target needs root (useradd, su without a password)')
    if not shutil.which('su') or not shutil.which('useradd'):
        pytest.skip('unprivileged_target needs su and useradd')
    return prepare_target(os.path.abspath(os.environ.get('HEAT_RPC_TARGET_CACHE_DIR', '/var/cache/heat_rpc')))

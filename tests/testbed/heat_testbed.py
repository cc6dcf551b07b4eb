# -*- coding: utf-8 -*-
"""Local heat-engine test bed: a real heat-engine on this machine's RabbitMQ and MariaDB.

Standard library only; runs under any python3 >= 3.10. The engine itself runs in its own
virtualenv (openstack-heat needs python >= 3.11), built on first use from
engine-requirements.txt (+ engine-constraints.txt) beside this script into
``${HEAT_RPC_CACHE_DIR:-~/.cache/heat_rpc}/engine-venv-heat<version>-py<X.Y>-<key>``.

Usage::

    heat_testbed.py up     [--name NAME] [--state-dir DIR] [--timeout SECONDS] [--transport-url URL] [--keystone]
    heat_testbed.py down   [--name NAME] [--state-dir DIR]
    heat_testbed.py status [--name NAME] [--state-dir DIR]
    heat_testbed.py env    [--name NAME] [--state-dir DIR]
    heat_testbed.py list

Each test bed (default NAME ``dev``) gets its own RabbitMQ vhost and MariaDB database, both
named ``heat_<NAME>`` (NAME sanitised to [a-z0-9_]), so several test beds can share one broker
and one database server. ``up`` prints the paths of connection.json and connection.env (in the
state dir, default ``${HEAT_RPC_CACHE_DIR:-~/.cache/heat_rpc}/testbeds/<NAME>``); timings and
progress go to stderr. ``up`` is idempotent: a running, answering test bed is left as it is.

``--transport-url URL`` points the engine at another broker (for example a private RabbitMQ node of
a fault test, tests/testbed/rabbit_node.py) instead of a vhost of its own on the local one: the URL
is used as it is (its vhost and user must exist) and ``down`` does not touch that broker.

``up --keystone`` also runs a real Keystone (keystone_testbed.py: its own virtualenv, database
``keystone_<NAME>``, gunicorn on 127.0.0.1) and configures the engine against it, as production
clouds run it: ``deferred_auth_method = trusts``, the default keystone backend, a stack domain.
connection.json then has a ``keystone`` entry (auth_url and the users ``demo``, ``alt_demo`` and
``admin`` with their passwords and projects) and connection.env the demo user's Keystone options.

Environment: HEAT_RPC_CACHE_DIR (cache root), HEAT_RPC_ENGINE_PYTHON (interpreter for the engine
virtualenv, default: the first python >= 3.11 of python3.11, this interpreter, python3.12,
python3.13, python3), HEAT_RPC_ENGINE_DEBUG=1 (debug logging in the engine log),
HEAT_RPC_ENGINE_WORKERS (num_engine_workers, default 1), HEAT_RPC_ENGINE_MAX_STACKS_PER_TENANT
(max_stacks_per_tenant, default 512), HEAT_RPC_ENGINE_PERIODIC_INTERVAL (periodic_interval: how often
the engine refreshes its service record, default 60).
"""

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REQUIREMENTS_FILE = os.path.join(HERE, 'engine-requirements.txt')
CONSTRAINTS_FILE = os.path.join(HERE, 'engine-constraints.txt')
MIN_ENGINE_PYTHON = (3, 11)

RABBIT_HOST = '127.0.0.1'
RABBIT_PORT = 5672
RABBIT_USER = 'guest'
RABBIT_PASSWORD = 'guest'
DB_HOST = '127.0.0.1'
DB_PORT = 3306
DB_USER = 'root'
DB_PASSWORD = ''

EXCHANGE = 'heat'
TOPIC = 'engine'
DEFAULT_NAME = 'dev'
DEFAULT_UP_TIMEOUT = 90.0
# Grace after SIGTERM. heat-engine's graceful stop takes 2-15 s (each of its 3 RPC servers can take
# ~5 s to stop); the vhost and database are deleted right after anyway, so do not wait for it.
STOP_TIMEOUT = 3.0
SERVICE_START_TIMEOUT = 90.0

META_FILE = 'testbed.json'
CONNECTION_JSON = 'connection.json'
CONNECTION_ENV = 'connection.env'
ENGINE_LOG = 'heat-engine.log'
ENGINE_CONSOLE_LOG = 'heat-engine.console.log'
PROBE_FILE = 'rpc_probe.py'
VENV_MARKER = '.heat-testbed-complete'

# Runs inside the engine virtualenv (which has oslo.messaging): calls list_services on the
# engine until it answers or the deadline passes; prints one JSON line; exit 0 when answered.
PROBE_SOURCE = '''\
"""RPC probe of the heat-engine test bed (run with the engine virtualenv's python)."""
import json
import sys
import time
import warnings

warnings.simplefilter('ignore')


def main():
    url, exchange, topic, deadline = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    import oslo_messaging
    from oslo_config import cfg
    cfg.CONF([], project='heat-testbed-probe', default_config_files=[], default_config_dirs=[])
    transport = oslo_messaging.get_rpc_transport(cfg.CONF, url=url)
    target = oslo_messaging.Target(exchange=exchange, topic=topic, version='1.0')
    client = oslo_messaging.get_rpc_client(transport, target).prepare(retry=3)
    end = time.monotonic() + deadline
    attempts = 0
    while True:
        attempts += 1
        # A call sent before the engine has bound its queue is lost: start with short timeouts.
        timeout = min(attempts, 5, max(1, int(end - time.monotonic())))
        try:
            services = client.prepare(timeout=timeout).call({}, 'list_services')
        except Exception as exc:  # pylint: disable=broad-except
            error = '%s: %s' % (type(exc).__name__, str(exc).splitlines()[0] if str(exc) else '')
            if time.monotonic() >= end:
                print(json.dumps({'ok': False, 'attempts': attempts, 'error': error}))
                sys.stdout.flush()
                return 1
            if not isinstance(exc, oslo_messaging.MessagingTimeout):
                time.sleep(1)
            continue
        print(json.dumps({'ok': True, 'attempts': attempts, 'services': len(services)}))
        sys.stdout.flush()
        transport.cleanup()
        return 0


if __name__ == '__main__':
    sys.exit(main())
'''


class TestbedError(Exception):
    """A failure to report to the user (without a traceback)."""


def log(msg):
    """Progress message to stderr."""
    sys.stderr.write(f'heat-testbed: {msg}\n')
    sys.stderr.flush()


def cache_dir():
    """Root of everything this script keeps (virtualenvs, test bed state dirs, locks)."""
    return os.path.abspath(os.path.expanduser(os.environ.get('HEAT_RPC_CACHE_DIR') or '~/.cache/heat_rpc'))


def sanitise(name):
    """Test bed name as used in vhost, database and directory names: [a-z0-9_], at most 48 chars."""
    clean = re.sub(r'[^a-z0-9_]', '_', name.lower()).strip('_')[:48]
    if not clean:
        raise TestbedError(f'invalid test bed name {name!r}')
    return clean


def read_text(path):
    """Content of a text file."""
    with open(path, encoding='utf-8') as handle:
        return handle.read()


def write_text(path, text, mode=0o600):
    """Write a file atomically (temp file + rename) with the given permissions."""
    tmp = f'{path}.tmp-{os.getpid()}'
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, 'w', encoding='utf-8') as handle:
        handle.write(text)
    os.replace(tmp, path)


def write_json(path, data):
    """Write a JSON file (mode 0600)."""
    write_text(path, json.dumps(data, indent=2, sort_keys=True) + '\n')


def remove_path(path):
    """Remove a file, symlink or directory tree if it exists."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def tail(path, lines=40, skip=None):
    """Last lines of a file, leaving out those that contain skip (or a note that it is missing)."""
    try:
        with open(path, encoding='utf-8', errors='replace') as handle:
            return ''.join([line for line in handle if not skip or skip not in line][-lines:])
    except OSError as exc:
        return f'({path}: {exc.strerror})\n'


@contextlib.contextmanager
def file_lock(name):
    """Exclusive lock (flock) on ``<cache>/locks/<name>.lock``, held for the with-block."""
    lock_dir = os.path.join(cache_dir(), 'locks')
    os.makedirs(lock_dir, exist_ok=True)
    with open(os.path.join(lock_dir, name + '.lock'), 'a', encoding='utf-8') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run(cmd, timeout=120, env=None, output_file=None):
    """Run a command; raise TestbedError with its output when it fails. Returns its output."""
    shown = ' '.join(cmd[:4])
    try:
        if output_file:
            with open(output_file, 'a', encoding='utf-8') as out:
                proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                      timeout=timeout, env=env, check=False)
            text = tail(output_file)
        else:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=timeout, env=env, check=False, text=True)
            text = proc.stdout
    except FileNotFoundError as exc:
        raise TestbedError(f'{cmd[0]}: command not found') from exc
    except subprocess.TimeoutExpired as exc:
        raise TestbedError(f'{shown} timed out after {timeout}s') from exc
    if proc.returncode:
        raise TestbedError(f'{shown} failed (exit {proc.returncode}):\n{text}')
    return text


# ---------------------------------------------------------------- services: RabbitMQ, MariaDB

def port_open(host, port, timeout=1.0):
    """True when a TCP connection to host:port succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(host, port, what, timeout=SERVICE_START_TIMEOUT):
    """Wait until host:port accepts connections."""
    end = time.monotonic() + timeout
    while not port_open(host, port):
        if time.monotonic() >= end:
            raise TestbedError(f'{what} did not come up on {host}:{port} within {timeout:.0f}s')
        time.sleep(0.5)


def start_daemon(what, cmd):
    """Run a command that starts a daemon in the background."""
    log(f'{what} is not reachable: starting it ({" ".join(cmd)})')
    try:
        subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TestbedError(f'cannot start {what}: {exc}') from exc


def ensure_rabbitmq():
    """Make sure RabbitMQ answers on RABBIT_PORT; start it (rabbitmq-server -detached) if not."""
    if port_open(RABBIT_HOST, RABBIT_PORT):
        return
    started = time.monotonic()
    start_daemon('RabbitMQ', ['rabbitmq-server', '-detached'])
    wait_for_port(RABBIT_HOST, RABBIT_PORT, 'RabbitMQ')
    try:
        run(['rabbitmqctl', 'await_startup'], timeout=SERVICE_START_TIMEOUT)
    except TestbedError as exc:
        log(f'warning: rabbitmqctl await_startup: {exc}')
    log(f'RabbitMQ is up ({time.monotonic() - started:.1f}s)')


def ensure_mariadb():
    """Make sure MariaDB answers on DB_PORT; start it (start-stop-daemon ... mariadbd) if not."""
    if port_open(DB_HOST, DB_PORT):
        return
    started = time.monotonic()
    if not os.path.isdir('/run/mysqld'):
        with contextlib.suppress(OSError, KeyError):
            os.makedirs('/run/mysqld', exist_ok=True)
            entry = pwd.getpwnam('mysql')
            os.chown('/run/mysqld', entry.pw_uid, entry.pw_gid)
    start_daemon('MariaDB', ['start-stop-daemon', '--start', '--oknodo', '--background', '--exec', '/usr/sbin/mariadbd'])
    wait_for_port(DB_HOST, DB_PORT, 'MariaDB')
    log(f'MariaDB is up ({time.monotonic() - started:.1f}s)')


def rabbitmqctl(*args):
    """Run rabbitmqctl (quietly) and return its output."""
    return run(['rabbitmqctl', '-q'] + list(args), timeout=60)


def vhost_exists(vhost):
    """True when the RabbitMQ vhost exists."""
    out = rabbitmqctl('list_vhosts', 'name')
    return vhost in [line.strip() for line in out.splitlines()]


def create_vhost(vhost):
    """(Re)create a vhost with full permissions for RABBIT_USER."""
    if vhost_exists(vhost):
        rabbitmqctl('delete_vhost', vhost)
    rabbitmqctl('add_vhost', vhost)
    rabbitmqctl('set_permissions', '-p', vhost, RABBIT_USER, '.*', '.*', '.*')


def delete_vhost(vhost):
    """Delete a vhost if it exists."""
    if vhost_exists(vhost):
        rabbitmqctl('delete_vhost', vhost)


def sql(statement, venv=None):
    """Run one SQL statement as DB_USER, with the mariadb/mysql client or else PyMySQL from the venv."""
    client = shutil.which('mariadb') or shutil.which('mysql')
    if client:
        env = dict(os.environ)
        if DB_PASSWORD:
            env['MYSQL_PWD'] = DB_PASSWORD
        run([client, '-h', DB_HOST, '-P', str(DB_PORT), '-u', DB_USER, '-e', statement], timeout=60, env=env)
        return
    python = venv_python(venv) if venv else None
    if not python or not os.path.exists(python):
        raise TestbedError(f'no mariadb/mysql client and no engine virtualenv to run: {statement}')
    code = ('import sys, pymysql\n'
            'c = pymysql.connect(host=sys.argv[1], port=int(sys.argv[2]), user=sys.argv[3], password=sys.argv[4])\n'
            'c.cursor().execute(sys.argv[5])\n'
            'c.close()\n')
    run([python, '-c', code, DB_HOST, str(DB_PORT), DB_USER, DB_PASSWORD, statement], timeout=60)


# ---------------------------------------------------------------- engine virtualenv

def python_info(python):
    """(version tuple, real base executable) of an interpreter, or None when it does not run."""
    code = ('import os, sys; print(*sys.version_info[:3]); '
            'print(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))')
    try:
        proc = subprocess.run([python, '-c', code], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, timeout=30, check=False, text=True)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = proc.stdout.split('\n')
    if proc.returncode or len(lines) < 2:
        return None
    return tuple(int(part) for part in lines[0].split()), lines[1].strip()


def find_engine_python():
    """Interpreter for the engine virtualenv: (path, version tuple, real base executable)."""
    wanted = os.environ.get('HEAT_RPC_ENGINE_PYTHON')
    candidates = [wanted] if wanted else ['python3.11', sys.executable, 'python3.12', 'python3.13', 'python3']
    minimum = '.'.join(map(str, MIN_ENGINE_PYTHON))
    for candidate in candidates:
        path = shutil.which(candidate) or candidate
        info = python_info(path)
        if info and info[0][:2] >= MIN_ENGINE_PYTHON:
            return path, info[0], info[1]
    if wanted:
        raise TestbedError(f'HEAT_RPC_ENGINE_PYTHON={wanted} is not a python >= {minimum}')
    raise TestbedError(f'no python >= {minimum} found for the engine virtualenv (set HEAT_RPC_ENGINE_PYTHON)')


def venv_python(venv):
    """The python of a virtualenv."""
    return os.path.join(venv, 'bin', 'python')


def venv_location(requirements_file=REQUIREMENTS_FILE, constraints_file=CONSTRAINTS_FILE,
                  prefix='engine-venv-heat', pin='openstack-heat'):
    """(path, python to build it with) of a virtualenv for a pinned requirement list (default: the engine's)."""
    python, version, base = find_engine_python()
    requirements = read_text(requirements_file)
    match = re.search(r'^\s*%s\s*==\s*(\S+)' % re.escape(pin), requirements, re.M | re.I)
    pinned = match.group(1) if match else 'unpinned'
    key = hashlib.sha256()
    for part in (requirements, read_text(constraints_file), base, '.'.join(map(str, version))):
        key.update(part.encode('utf-8') + b'\0')
    name = f'{prefix}{pinned}-py{version[0]}.{version[1]}-{key.hexdigest()[:10]}'
    return os.path.join(cache_dir(), name), python


def venv_complete(venv):
    """True when venv is a completely built engine virtualenv."""
    return os.path.exists(os.path.join(venv, VENV_MARKER)) and os.path.exists(venv_python(venv))


def ensure_venv(requirements_file=REQUIREMENTS_FILE, constraints_file=CONSTRAINTS_FILE, prefix='engine-venv-heat',
                pin='openstack-heat', imports='heat.cmd.engine, heat.cmd.manage, oslo_messaging, pymysql',
                lock='engine-venv', what='engine'):
    """Build a virtualenv (default: the engine's) unless a complete one exists; returns (path, seconds spent building or None)."""
    venv, python = venv_location(requirements_file, constraints_file, prefix, pin)
    if venv_complete(venv):
        return venv, None
    with file_lock(lock):
        if venv_complete(venv):
            return venv, None
        started = time.monotonic()
        parent, base = os.path.split(venv)
        os.makedirs(parent, exist_ok=True)
        # Whatever is there now is a leftover of an interrupted build (we hold the lock): remove it.
        for entry in os.listdir(parent):
            if entry == base or entry.startswith(base + '.tmp-'):
                remove_path(os.path.join(parent, entry))
        tmp = tempfile.mkdtemp(prefix=base + '.tmp-', dir=parent)
        build_log = tmp + '.log'
        log(f'building the {what} virtualenv {venv} with {python} (log: {build_log})')
        try:
            run([python, '-m', 'venv', tmp], timeout=300, output_file=build_log)
            # The scripts in bin/ get the temporary path in their shebang: everything is run as
            # "VENV/bin/python VENV/bin/SCRIPT", which does not depend on it.
            run([venv_python(tmp), '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input',
                 '-r', requirements_file], timeout=1800, output_file=build_log)
            run([venv_python(tmp), '-c', 'import ' + imports],
                timeout=120, output_file=build_log)
            write_text(os.path.join(tmp, VENV_MARKER), time.strftime('%Y-%m-%dT%H:%M:%S\n'), mode=0o644)
            os.chmod(tmp, 0o755)  # mkdtemp made it 0700
            os.rename(tmp, venv)
        except BaseException:
            remove_path(tmp)
            raise
        remove_path(build_log)
        return venv, time.monotonic() - started


# ---------------------------------------------------------------- engine process

def proc_stat(pid):
    """(state, pgrp) of a process from /proc, or None."""
    try:
        data = read_text(f'/proc/{pid}/stat')
    except (OSError, ValueError):
        return None
    fields = data[data.rindex(')') + 2:].split()
    return fields[0], int(fields[2])


def group_members(pgid, state_dir):
    """Live (non-zombie) processes of process group pgid that run in state_dir: our engine's processes.

    The engine is started in its own session (pgid = its pid) with the state dir as working directory,
    which its workers inherit; checking both never mistakes an unrelated process for ours.
    """
    if not pgid:
        return []
    real = os.path.realpath(state_dir)
    members = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        stat = proc_stat(int(entry))
        if not stat or stat[1] != pgid or stat[0] == 'Z':
            continue
        try:
            cwd = os.readlink(f'/proc/{entry}/cwd')
        except OSError:
            continue
        if cwd in (real, real + ' (deleted)'):
            members.append(int(entry))
    return members


def engine_running(meta, state_dir):
    """True when the test bed's engine processes are alive."""
    return bool(group_members(meta.get('pgid'), state_dir))


def stop_engine(pgid, state_dir):
    """SIGTERM the engine's process group, wait, SIGKILL after STOP_TIMEOUT. Returns seconds taken (None: not running)."""
    if not group_members(pgid, state_dir):
        return None
    started = time.monotonic()
    for sig, bound in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, sig)
        end = time.monotonic() + bound
        while time.monotonic() < end:
            if not group_members(pgid, state_dir):
                return time.monotonic() - started
            time.sleep(0.2)
        if sig == signal.SIGTERM:
            log(f'engine (process group {pgid}) still running {STOP_TIMEOUT:g}s after SIGTERM: SIGKILL')
    raise TestbedError(f'engine process group {pgid} survived SIGKILL')


def keystone_module():
    """keystone_testbed (beside this script), importing it against this very module."""
    sys.modules.setdefault('heat_testbed', sys.modules[__name__])
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    import keystone_testbed  # pylint: disable=import-outside-toplevel
    return keystone_testbed


def heat_conf(meta):
    """Content of heat.conf for a test bed."""
    def esc(value):
        return str(value).replace('$', '$$')
    state_dir = meta['state_dir']
    db_auth = DB_USER + (':' + DB_PASSWORD if DB_PASSWORD else '')
    connection = f'mysql+pymysql://{db_auth}@{DB_HOST}:{DB_PORT}/{meta["database"]}?charset=utf8'
    workers = int(os.environ.get('HEAT_RPC_ENGINE_WORKERS') or 1)
    debug = 'false' if os.environ.get('HEAT_RPC_ENGINE_DEBUG', '') in ('', '0', 'false') else 'true'
    # heat's default is 512 stacks per project; benchmarks/module_overhead.py lists 1,000.
    max_stacks = int(os.environ.get('HEAT_RPC_ENGINE_MAX_STACKS_PER_TENANT') or 512)
    periodic_interval = int(os.environ.get('HEAT_RPC_ENGINE_PERIODIC_INTERVAL') or 60)
    lines = [
        '# heat.conf of a heat-engine test bed, written by heat_testbed.py',
        '[DEFAULT]',
        'transport_url = ' + esc(meta['transport_url']),
        'host = testbed-' + meta['name'],
    ] + (keystone_module().heat_conf_default_lines(meta['keystone']) if meta.get('keystone') else [
        '# No Keystone: the fake client stands in for it (stack users, domain projects, ...).',
        'keystone_backend = heat.engine.clients.os.keystone.fake_keystoneclient.FakeKeystoneClient',
        '# Store username+password of the RPC context for deferred operations (trusts need Keystone).',
        'deferred_auth_method = password',
    ]) + [
        'auth_encryption_key = ' + secrets.token_hex(16),
        f'num_engine_workers = {workers}',
        f'max_stacks_per_tenant = {max_stacks}',
        f'periodic_interval = {periodic_interval}',
        '# Let tests exercise abandon/adopt (off by default).',
        'enable_stack_abandon = true',
        'enable_stack_adopt = true',
        'debug = ' + debug,
        'use_stderr = false',
        'log_file = ' + esc(os.path.join(state_dir, ENGINE_LOG)),
        '',
        '[database]',
        'connection = ' + esc(connection),
        '',
        '[oslo_concurrency]',
        'lock_path = ' + esc(os.path.join(state_dir, 'locks')),
        '',
    ]
    if meta.get('keystone'):
        lines += keystone_module().heat_conf_sections(meta['keystone'])
    return '\n'.join(lines)


def venv_env():
    """Environment for the engine virtualenv's processes."""
    env = dict(os.environ, PYTHONWARNINGS='ignore', PYTHONUNBUFFERED='1')
    for key in ('PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV'):
        env.pop(key, None)
    return env


def start_engine(venv, state_dir):
    """Start heat-engine detached in its own session, cwd = state dir; returns the Popen (pid = process group id)."""
    conf = os.path.join(state_dir, 'heat.conf')
    with open(os.path.join(state_dir, ENGINE_CONSOLE_LOG), 'ab') as out:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with  # it outlives this script
            [venv_python(venv), os.path.join(venv, 'bin', 'heat-engine'), '--config-file', conf],
            cwd=state_dir, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, close_fds=True, env=venv_env())
    write_text(os.path.join(state_dir, 'heat-engine.pid'), f'{proc.pid}\n', mode=0o644)
    return proc


def probe(meta, deadline, alive):
    """Run the RPC probe with the venv's python until the engine answers; returns (ok, detail).

    alive() is polled meanwhile: when it turns false (the engine died) the probe is cut short.
    """
    venv, state_dir = meta['venv'], meta['state_dir']
    if not os.path.exists(venv_python(venv)):
        return False, f'the engine virtualenv {venv} is missing'
    probe_file = os.path.join(state_dir, PROBE_FILE)
    if not os.path.exists(probe_file):
        write_text(probe_file, PROBE_SOURCE, mode=0o644)
    with subprocess.Popen([venv_python(venv), probe_file, meta['transport_url'], EXCHANGE, TOPIC, str(deadline)],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          cwd=state_dir, env=venv_env()) as proc:
        end = time.monotonic() + deadline + 30
        while proc.poll() is None:
            dead = not alive()
            if dead or time.monotonic() >= end:
                proc.kill()
                proc.communicate()
                return False, 'the engine exited' if dead else 'the probe hung'
            time.sleep(0.2)
        out, err = proc.communicate()
    lines = [line for line in out.splitlines() if line.startswith('{')]
    if proc.returncode == 0 and lines:
        return True, lines[-1]
    return False, (lines[-1] if lines else err.strip()[-2000:] or f'probe exit {proc.returncode}')


# ---------------------------------------------------------------- state

def default_state_dir(sname):
    """Default state dir of a test bed."""
    return os.path.join(cache_dir(), 'testbeds', sname)


def load_meta(state_dir):
    """testbed.json of a state dir, or {}."""
    try:
        return json.loads(read_text(os.path.join(state_dir, META_FILE)))
    except (OSError, ValueError):
        return {}


def resolve(args):
    """(sanitised name, state dir) from --name / --state-dir."""
    if args.state_dir:
        state_dir = os.path.abspath(os.path.expanduser(args.state_dir))
        name = args.name or load_meta(state_dir).get('name') or (DEFAULT_NAME if args.command == 'up' else None)
        if not name:
            raise TestbedError(f'{state_dir} has no {META_FILE}: give --name')
        return sanitise(name), state_dir
    sname = sanitise(args.name or DEFAULT_NAME)
    state_dir = default_state_dir(sname)
    if os.path.islink(state_dir):
        state_dir = os.path.realpath(state_dir)
    return sname, state_dir


def remove_state_dir(state_dir):
    """Remove a state dir, but only one that is a test bed's (has testbed.json, is empty or is under the cache)."""
    if not os.path.isdir(state_dir):
        return
    under_cache = os.path.realpath(state_dir).startswith(os.path.realpath(os.path.join(cache_dir(), 'testbeds')) + os.sep)
    if under_cache or os.path.exists(os.path.join(state_dir, META_FILE)) or not os.listdir(state_dir):
        shutil.rmtree(state_dir, ignore_errors=True)
    else:
        log(f'warning: {state_dir} does not look like a test bed state dir: not removed')


def teardown(sname, state_dir, remove_state):
    """Stop the engine and delete vhost and database (from testbed.json, else derived from the name)."""
    meta = load_meta(state_dir)
    pgid = meta.get('pgid')
    if not pgid:
        with contextlib.suppress(OSError, ValueError):
            pgid = int(read_text(os.path.join(state_dir, 'heat-engine.pid')).strip())
    if os.path.isdir(state_dir):
        took = stop_engine(pgid, state_dir)
        if took is not None:
            log(f'engine stopped ({took:.1f}s)')
    vhost = meta.get('vhost') or 'heat_' + sname
    database = meta.get('database') or 'heat_' + sname
    if meta.get('external_broker'):
        pass  # the broker of --transport-url is not ours to clean up
    elif port_open(RABBIT_HOST, RABBIT_PORT):
        delete_vhost(vhost)
    else:
        log(f'warning: RabbitMQ is not reachable: vhost {vhost} not deleted')
    if port_open(DB_HOST, DB_PORT):
        sql(f'DROP DATABASE IF EXISTS `{database}`', venv=meta.get('venv'))
    else:
        log(f'warning: MariaDB is not reachable: database {database} not dropped')
    if meta.get('keystone'):
        keystone_module().teardown(meta['keystone'])
    if remove_state:
        remove_state_dir(state_dir)
        link = default_state_dir(sname)
        if os.path.islink(link):
            os.unlink(link)


def write_connection_files(meta):
    """Write connection.json and connection.env into the state dir; returns their paths."""
    settings = {
        'transport_url': meta['transport_url'],
        'exchange': EXCHANGE,
        'topic': TOPIC,
        'context': meta['context'],
    }
    json_path = os.path.join(meta['state_dir'], CONNECTION_JSON)
    env_path = os.path.join(meta['state_dir'], CONNECTION_ENV)
    keystone = meta.get('keystone')
    if keystone:
        testbed_keystone = keystone_module()
        settings['keystone'] = {'auth_url': keystone['auth_url'], 'region_name': keystone['region'],
                                'users': dict((user, testbed_keystone.context(keystone, user))
                                              for user in keystone['users'])}
    write_json(json_path, settings)
    ctx = settings['context']
    exports = [
        ('HEAT_RPC_TRANSPORT_URL', settings['transport_url']),
        ('HEAT_RPC_EXCHANGE', settings['exchange']),
        ('HEAT_RPC_TOPIC', settings['topic']),
    ]
    if keystone:
        demo = settings['keystone']['users']['demo']
        exports += [('HEAT_RPC_' + key.upper(), demo[key]) for key in ('auth_url', 'username', 'password', 'project_name')]
    else:
        exports += [('HEAT_RPC_' + key.upper(), ctx[key])
                    for key in ('username', 'password', 'user_id', 'project_id', 'project_name')]
    exports.append(('HEAT_RPC_TESTBED', json_path))
    text = f'# heat-engine test bed {meta["name"]}: source this file\n'
    text += ''.join(f'export {key}={shlex.quote(value)}\n' for key, value in exports)
    write_text(env_path, text)
    return json_path, env_path


def new_meta(sname, state_dir, venv, transport_url=None):
    """testbed.json content of a new test bed: names, venv and fresh random credentials.

    With transport_url (--transport-url) the engine uses that broker as it is: no vhost of its own.
    """
    vhost = 'heat_' + sname
    return {
        'name': sname,
        'state_dir': state_dir,
        'vhost': None if transport_url else vhost,
        'external_broker': bool(transport_url),
        'database': 'heat_' + sname,
        'venv': venv,
        'transport_url': transport_url or f'rabbit://{RABBIT_USER}:{RABBIT_PASSWORD}@{RABBIT_HOST}:{RABBIT_PORT}/{vhost}',
        'context': {
            'username': 'testbed',
            'password': secrets.token_urlsafe(18),
            'user_id': uuid.uuid4().hex,
            'project_id': uuid.uuid4().hex,
            'project_name': 'testbed_' + sname,
            'user_domain_id': 'default',
            'project_domain_id': 'default',
            'roles': ['admin', 'member'],
            'is_admin': False,
        },
        'created': time.strftime('%Y-%m-%dT%H:%M:%S'),
    }


# ---------------------------------------------------------------- commands

def cmd_up(args):
    """Start (or reuse) a test bed and print the paths of connection.json and connection.env."""
    sname, state_dir = resolve(args)
    with file_lock('testbed-' + sname):
        meta = load_meta(state_dir)
        wanted_url = args.transport_url
        same_kind = bool(meta.get('keystone')) == bool(args.keystone)
        if meta.get('ready') and wanted_url and meta.get('transport_url') != wanted_url:
            log(f'test bed {sname} runs on another broker than --transport-url: recreating it')
        elif meta.get('ready') and not wanted_url and meta.get('external_broker'):
            log(f'test bed {sname} runs on the broker of a --transport-url: recreating it on the local one')
        elif meta.get('ready') and same_kind and engine_running(meta, state_dir) and (
                not args.keystone or keystone_module().running(meta['keystone'])):
            ok, detail = probe(meta, 15, lambda: engine_running(meta, state_dir))
            if ok:
                log(f'test bed {sname} is already running (engine pid {meta["pgid"]})')
                print('\n'.join(write_connection_files(meta)))
                return 0
            log(f'test bed {sname} is running but does not answer ({detail}): recreating it')
        if not wanted_url:
            ensure_rabbitmq()
        ensure_mariadb()
        if meta or os.path.exists(state_dir) or os.path.islink(default_state_dir(sname)):
            teardown(sname, state_dir, remove_state=True)
        return _up(sname, state_dir, args.timeout, wanted_url, args.keystone)


def cmd_restart(args):
    """Stop the test bed's engine (SIGTERM, or it is already gone) and start it again on the same vhost and database.

    What a crashed and restarted heat-engine does to work in progress is what this is for: nothing else
    is reset.
    """
    sname, state_dir = resolve(args)
    with file_lock('testbed-' + sname):
        meta = load_meta(state_dir)
        if not meta.get('ready'):
            raise TestbedError(f'test bed {sname} is not up: nothing to restart')
        stop_engine(meta.get('pgid'), state_dir)
        engine = start_engine(meta['venv'], state_dir)
        meta['pgid'] = engine.pid
        write_json(os.path.join(state_dir, META_FILE), meta)
        ok, detail = probe(meta, args.timeout, lambda: engine.poll() is None)
        if not ok:
            raise TestbedError(f'restarted heat-engine did not answer RPC within {args.timeout:g}s ({detail})')
        log(f'test bed {sname}: engine restarted (pid {engine.pid})')
        print('\n'.join(write_connection_files(meta)))
        return 0


def _up(sname, state_dir, timeout, transport_url=None, keystone=False):
    """Create a fresh test bed (the caller holds its lock and has cleaned up leftovers)."""
    total = time.monotonic()
    venv, built = ensure_venv()
    log(f'engine virtualenv: reusing {venv}' if built is None else f'timing: engine virtualenv build {built:.1f}s')
    os.makedirs(state_dir, mode=0o700, exist_ok=True)
    if os.listdir(state_dir):
        raise TestbedError(f'state dir {state_dir} exists and is not empty')
    if state_dir != default_state_dir(sname):
        os.makedirs(os.path.dirname(default_state_dir(sname)), exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.symlink(state_dir, default_state_dir(sname))
    meta = new_meta(sname, state_dir, venv, transport_url)
    meta_path = os.path.join(state_dir, META_FILE)
    write_json(meta_path, meta)
    try:
        if not meta['external_broker']:
            create_vhost(meta['vhost'])
        sql(f'DROP DATABASE IF EXISTS `{meta["database"]}`', venv=venv)
        sql(f'CREATE DATABASE `{meta["database"]}` CHARACTER SET utf8', venv=venv)
        if keystone:
            meta['keystone'] = keystone_module().prepare(sname, state_dir)
            write_json(meta_path, meta)
            keystone_module().up(meta['keystone'], lambda: write_json(meta_path, meta))
        conf = os.path.join(state_dir, 'heat.conf')
        write_text(conf, heat_conf(meta))
        started = time.monotonic()
        run([venv_python(venv), os.path.join(venv, 'bin', 'heat-manage'), '--config-file', conf, 'db_sync'],
            timeout=300, env=venv_env(), output_file=os.path.join(state_dir, 'db_sync.log'))
        log(f'timing: db_sync {time.monotonic() - started:.1f}s')
        started = time.monotonic()
        engine = start_engine(venv, state_dir)
        meta['pgid'] = engine.pid
        write_json(meta_path, meta)
        ok, detail = probe(meta, timeout, lambda: engine.poll() is None)
        if not ok:
            engine_log = os.path.join(state_dir, ENGINE_LOG)
            raise TestbedError(f'heat-engine did not answer RPC within {timeout:g}s ({detail}). Tail of {engine_log}:\n'
                               + tail(engine_log, skip=' heat.engine.environment ') + tail(os.path.join(state_dir, ENGINE_CONSOLE_LOG), 15))
        log(f'timing: engine start-to-answer {time.monotonic() - started:.1f}s ({detail})')
    except BaseException:
        log(f'up failed: stopping the engine (and Keystone), deleting vhost and databases; logs are kept in {state_dir}')
        with contextlib.suppress(Exception):
            teardown(sname, state_dir, remove_state=False)
        raise
    meta['ready'] = True
    write_json(meta_path, meta)
    paths = write_connection_files(meta)
    broker = 'broker of --transport-url' if meta['external_broker'] else f'vhost {meta["vhost"]}'
    log(f'test bed {sname} is up (total {time.monotonic() - total:.1f}s): {broker}, '
        f'database {meta["database"]}, engine pid {meta["pgid"]}')
    print('\n'.join(paths))
    return 0


def cmd_down(args):
    """Stop the engine, delete vhost and database, remove the state dir (idempotent)."""
    if args.state_dir and not args.name and not os.path.exists(os.path.expanduser(args.state_dir)):
        log(f'{args.state_dir} does not exist: nothing to do')
        return 0
    sname, state_dir = resolve(args)
    with file_lock('testbed-' + sname):
        teardown(sname, state_dir, remove_state=True)
    log(f'test bed {sname} is down')
    return 0


def cmd_status(args):
    """Print the state of a test bed. Exit 0: answering, 1: running but not answering, 3: not running."""
    sname, state_dir = resolve(args)
    meta = load_meta(state_dir)
    running = bool(meta) and engine_running(meta, state_dir)
    answering = running and probe(meta, 5, lambda: engine_running(meta, state_dir))[0]
    print(f'name: {sname}')
    print(f'state_dir: {state_dir}' + ('' if os.path.isdir(state_dir) else ' (missing)'))
    if meta:
        for key in ('vhost', 'database', 'venv', 'pgid'):
            print(f'{key}: {meta.get(key)}')
        if meta.get('keystone'):
            print(f'keystone: {meta["keystone"]["auth_url"]} '
                  f'({"running" if keystone_module().running(meta["keystone"]) else "not running"})')
        print(f'engine_log: {os.path.join(state_dir, ENGINE_LOG)}')
    print(f'running: {"yes" if running else "no"}')
    print(f'answering: {"yes" if answering else "no"}')
    if answering:
        print(f'connection: {os.path.join(state_dir, CONNECTION_JSON)}')
    if answering:
        return 0
    return 1 if running else 3


def cmd_env(args):
    """Print connection.env of a test bed."""
    _name, state_dir = resolve(args)
    path = os.path.join(state_dir, CONNECTION_ENV)
    if not os.path.exists(path):
        raise TestbedError(f'{path} does not exist: is the test bed up?')
    sys.stdout.write(read_text(path))
    return 0


def cmd_list(_args):
    """List the test beds that have a state dir under the cache dir (name, running/stopped, state dir)."""
    root = os.path.join(cache_dir(), 'testbeds')
    for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        state_dir = os.path.realpath(os.path.join(root, name))
        meta = load_meta(state_dir)
        running = bool(meta) and engine_running(meta, state_dir)
        print(f'{name}\t{"running" if running else "stopped"}\t{state_dir}')
    return 0


def _terminate(signum, _frame):
    """SIGTERM handler: unwind, so that an interrupted up cleans up after itself."""
    raise SystemExit(128 + signum)


def main(argv=None):
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    sub = parser.add_subparsers(dest='command', required=True)
    for command, func in (('up', cmd_up), ('restart', cmd_restart), ('down', cmd_down), ('status', cmd_status),
                          ('env', cmd_env), ('list', cmd_list)):
        cmd = sub.add_parser(command, help=func.__doc__.split('\n', 1)[0])
        cmd.set_defaults(func=func)
        if command != 'list':
            cmd.add_argument('--name', help=f'test bed name (default: {DEFAULT_NAME})')
            cmd.add_argument('--state-dir', help='state directory (default: <cache>/testbeds/<NAME>)')
        if command in ('up', 'restart'):
            cmd.add_argument('--timeout', type=float, default=DEFAULT_UP_TIMEOUT,
                             help='seconds to wait for the engine to answer RPC (default: %(default)s)')
        if command == 'up':
            cmd.add_argument('--keystone', action='store_true',
                             help='with a real Keystone and a trusts-mode engine (see keystone_testbed.py)')
            cmd.add_argument('--transport-url',
                             help='broker for the engine, used as it is (its vhost and user must exist); '
                                  'default: a vhost of its own on the local RabbitMQ')
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return args.func(args)
    except TestbedError as exc:
        log(f'error: {exc}')
        return 1
    except KeyboardInterrupt:
        log('interrupted')
        return 130


if __name__ == '__main__':
    sys.exit(main())

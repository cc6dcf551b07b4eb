# -*- coding: utf-8 -*-
"""A private RabbitMQ node for fault tests: its own node name, ports, cookie and data dir.

Standard library only. The node runs from the installed RabbitMQ (``rabbitmq-server -detached``)
beside the machine's shared broker, which it never touches: a test may stop and start it, list it
twice in a transport URL, or give it a TLS listener.

    node = RabbitNode('/tmp/x', 'restart')       # heatrpc_restart@localhost, free ports
    node.start()                                 # bounded: raises RabbitNodeError with the log tail
    node.add_vhost('heat', 'heat', 'secret')
    node.url('heat', 'secret', 'heat')           # rabbit://heat:secret@127.0.0.1:<port>/heat
    node.stop(); node.start()                    # same node, same data: users and vhosts survive
    node.close()                                 # stop (SIGKILL if it will not stop), always safe

Two nodes made with the same ``cookie`` can form a RabbitMQ cluster: ``second.join(first)``.

Details:

- The RabbitMQ scripts are those of ``HEAT_RPC_RABBITMQ_SCRIPTS`` (a directory), else Debian's
  ``/usr/lib/rabbitmq/bin`` (the ``/usr/sbin`` wrappers would switch to the rabbitmq user and its
  cookie), else the directory of ``rabbitmq-server`` on PATH. They run as the current user.
- Everything the node reads or writes is under ``<base>/<name>``: ``HOME`` (with its own Erlang
  cookie, shared only with the ``rabbitmqctl`` calls made here), ``rabbitmq.conf``, an empty
  ``rabbitmq-env.conf`` and plugin list (the machine's ``/etc/rabbitmq`` files are not read),
  mnesia and log dirs and the pid file.
- Ports: AMQP (``port``), Erlang distribution (``dist_port``) and, with ``tls``, AMQPS
  (``tls_port``) are free ports picked at construction, all on 127.0.0.1; ports in rabbitmqctl's
  own range (35672-35682) are avoided. epmd is the machine's (started by Erlang when missing).
"""

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time

CTL_DIST_PORTS = range(35672, 35683)
START_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
CTL_TIMEOUT = 60.0


class RabbitNodeError(Exception):
    """The node could not be started, stopped or configured."""


def free_port():
    """A TCP port that is free on 127.0.0.1 now (and not in rabbitmqctl's distribution range)."""
    while True:
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            port = sock.getsockname()[1]
        if port not in CTL_DIST_PORTS:
            return port


def port_open(port, timeout=1.0):
    """True when 127.0.0.1:port accepts a TCP connection."""
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=timeout):
            return True
    except OSError:
        return False


def scripts_dir():
    """Directory of the RabbitMQ scripts to run (see the module docstring)."""
    wanted = os.environ.get('HEAT_RPC_RABBITMQ_SCRIPTS')
    if wanted:
        return wanted
    if os.path.exists('/usr/lib/rabbitmq/bin/rabbitmq-server'):
        return '/usr/lib/rabbitmq/bin'
    found = shutil.which('rabbitmq-server')
    if not found:
        raise RabbitNodeError('rabbitmq-server is not installed (or set HEAT_RPC_RABBITMQ_SCRIPTS)')
    return os.path.dirname(os.path.realpath(found))


class RabbitNode:
    """One private RabbitMQ node (see the module docstring).

    ``tls``, when given, is a dict with ``cacertfile``, ``certfile`` and ``keyfile``: the node then
    also listens for AMQPS on ``tls_port``, verifies a client certificate against ``cacertfile`` when
    one is sent and does not require one.
    """

    def __init__(self, base_dir, name, tls=None, cookie=None):
        short = re.sub(r'[^a-z0-9_]', '_', name.lower())
        self.nodename = 'heatrpc_%s_%s' % (short, secrets.token_hex(3))
        self.node = self.nodename + '@localhost'
        self.directory = os.path.join(str(base_dir), 'rabbit-' + short)
        self.home = os.path.join(self.directory, 'home')
        self.port = free_port()
        self.dist_port = free_port()
        self.tls = tls
        self.tls_port = free_port() if tls else None
        self.scripts = scripts_dir()
        self.pid = None
        self.starts = 0
        os.makedirs(self.home, mode=0o700, exist_ok=True)
        cookie_file = os.path.join(self.home, '.erlang.cookie')
        if not os.path.exists(cookie_file):
            fd = os.open(cookie_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
            with os.fdopen(fd, 'w') as handle:
                handle.write(cookie or secrets.token_hex(20).upper())
        self._write('rabbitmq.conf', self.config())
        self._write('rabbitmq-env.conf', '')
        self._write('enabled_plugins', '[].\n')

    # -- files and environment ---------------------------------------------------------------------

    def _path(self, name):
        return os.path.join(self.directory, name)

    def _write(self, name, text):
        with open(self._path(name), 'w', encoding='utf-8') as handle:
            handle.write(text)

    def config(self):
        """rabbitmq.conf of the node."""
        lines = [
            'listeners.tcp.default = 127.0.0.1:%d' % self.port,
            'loopback_users = none',
            'log.console = false',
            'log.file.level = info',
            # The whole machine's disk is shared: do not let the default 50 MB watermark surprise a test.
            'disk_free_limit.absolute = 1MB',
        ]
        if self.tls:
            lines += [
                'listeners.ssl.default = 127.0.0.1:%d' % self.tls_port,
                'ssl_options.cacertfile = %s' % self.tls['cacertfile'],
                'ssl_options.certfile = %s' % self.tls['certfile'],
                'ssl_options.keyfile = %s' % self.tls['keyfile'],
                'ssl_options.verify = verify_peer',
                'ssl_options.fail_if_no_peer_cert = false',
            ]
        return '\n'.join(lines) + '\n'

    def environment(self):
        """Environment of the node's scripts (server and rabbitmqctl)."""
        env = dict((key, value) for key, value in os.environ.items()
                   if not key.startswith(('RABBITMQ_', 'ERL_')))
        env.update({
            'HOME': self.home,
            'RABBITMQ_NODENAME': self.node,
            'RABBITMQ_NODE_IP_ADDRESS': '127.0.0.1',
            'RABBITMQ_NODE_PORT': str(self.port),
            'RABBITMQ_DIST_PORT': str(self.dist_port),
            'RABBITMQ_CONF_ENV_FILE': self._path('rabbitmq-env.conf'),
            'RABBITMQ_CONFIG_FILE': self._path('rabbitmq.conf'),
            'RABBITMQ_ADVANCED_CONFIG_FILE': self._path('advanced.config'),
            'RABBITMQ_ENABLED_PLUGINS_FILE': self._path('enabled_plugins'),
            'RABBITMQ_MNESIA_BASE': self._path('mnesia'),
            'RABBITMQ_LOG_BASE': self._path('log'),
            'RABBITMQ_PID_FILE': self._path('rabbitmq.pid'),
            'ERL_EPMD_ADDRESS': '127.0.0.1',
            'ERL_FLAGS': '-kernel inet_dist_use_interface {127,0,0,1}',
        })
        return env

    def log_file(self):
        """The node's log file."""
        return os.path.join(self._path('log'), self.node + '.log')

    def log_tail(self, lines=30):
        """Last lines of the node's log (for error messages)."""
        path = self.log_file()
        try:
            with open(path, encoding='utf-8', errors='replace') as handle:
                return ''.join(handle.readlines()[-lines:])
        except OSError as exc:
            return '(%s: %s)\n' % (path, exc.strerror)

    # -- processes ---------------------------------------------------------------------------------

    def _run(self, script, *args, timeout=CTL_TIMEOUT):
        command = [os.path.join(self.scripts, script)] + list(args)
        try:
            proc = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=timeout, env=self.environment(), cwd=self.directory, check=False)
        except subprocess.TimeoutExpired as exc:
            raise RabbitNodeError('%s %s timed out after %ss' % (script, ' '.join(args[:3]), timeout)) from exc
        if proc.returncode:
            raise RabbitNodeError('%s %s failed (exit %d): %s%s' % (script, ' '.join(args[:3]), proc.returncode,
                                                                    proc.stdout, proc.stderr))
        return proc.stdout

    def ctl(self, *args, timeout=CTL_TIMEOUT):
        """Run ``rabbitmqctl -n <node> -q ARGS`` and return its output."""
        return self._run('rabbitmqctl', '-n', self.node, '-q', *args, timeout=timeout)

    def _read_pid(self):
        with contextlib.suppress(OSError, ValueError):
            with open(self._path('rabbitmq.pid'), encoding='utf-8') as handle:
                return int(handle.read().strip())
        return None

    def alive(self):
        """True when the node's Erlang VM is running."""
        pid = self.pid or self._read_pid()
        if not pid:
            return False
        try:
            with open('/proc/%d/stat' % pid, encoding='utf-8') as handle:
                state = handle.read().rsplit(')', 1)[1].split()[0]
        except OSError:
            return False
        return state != 'Z'

    def start(self, timeout=START_TIMEOUT):
        """Start the node and wait (at most ``timeout`` s) until it accepts AMQP connections."""
        if self.alive():
            raise RabbitNodeError('node %s is already running' % self.node)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._path('rabbitmq.pid'))
        started = time.monotonic()
        self._run('rabbitmq-server', '-detached', timeout=timeout)
        deadline = started + timeout
        ports = [self.port] + ([self.tls_port] if self.tls_port else [])
        while True:
            self.pid = self._read_pid()
            if all(port_open(port) for port in ports):
                break
            if time.monotonic() >= deadline:
                self.kill()
                raise RabbitNodeError('node %s did not listen on %s within %ss; its log:\n%s'
                                      % (self.node, ports, timeout, self.log_tail()))
            if self.pid and not self.alive():
                raise RabbitNodeError('node %s exited while starting; its log:\n%s' % (self.node, self.log_tail()))
            time.sleep(0.2)
        # The listeners open last, but confirm that the boot is over before configuring anything.
        self.ctl('await_startup', timeout=max(5.0, deadline - time.monotonic()))
        self.starts += 1
        return time.monotonic() - started

    def stop(self, timeout=STOP_TIMEOUT):
        """Stop the node gracefully (``rabbitmqctl stop``), SIGKILL after ``timeout`` s. Returns seconds taken."""
        started = time.monotonic()
        if not self.alive():
            return 0.0
        with contextlib.suppress(RabbitNodeError):
            self.ctl('stop', timeout=timeout)
        deadline = started + timeout
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        if self.alive():
            self.kill()
        return time.monotonic() - started

    def kill(self):
        """SIGKILL the node's Erlang VM (a crash, or cleanup of a node that will not stop)."""
        pid = self.pid or self._read_pid()
        if pid and self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while self.alive() and time.monotonic() < deadline:
                time.sleep(0.1)

    def close(self):
        """Stop the node if it runs (always safe to call, e.g. from a fixture finaliser)."""
        self.stop()

    # -- configuration -----------------------------------------------------------------------------

    def add_vhost(self, vhost, user, password):
        """Create ``vhost`` and ``user`` (if missing) with full permissions on it."""
        users = self.ctl('list_users').split()
        if user not in users:
            self.ctl('add_user', user, password)
        if vhost not in self.ctl('list_vhosts', 'name').split():
            self.ctl('add_vhost', vhost)
        self.ctl('set_permissions', '-p', vhost, user, '.*', '.*', '.*')

    def join(self, other):
        """Make this (running) node a member of ``other``'s cluster; its own data is reset. Needs the same cookie."""
        self.ctl('stop_app')
        self.ctl('reset')
        self.ctl('join_cluster', other.node)
        self.ctl('start_app')
        self.ctl('await_startup')

    def queue_nodes(self, vhost):
        """{queue name: node name} of the queues of ``vhost`` (in a cluster: the node each queue lives on)."""
        nodes = {}
        for line in self.ctl('list_queues', '-p', vhost, 'name', 'pid').splitlines():
            match = re.match(r'^(\S+)\s+<([^.>]+@[^.>]+)\.', line)
            if match:
                nodes[match.group(1)] = match.group(2)
        return nodes

    def address(self, tls=False):
        """host:port of the node's AMQP (or, with tls, AMQPS) listener."""
        return '127.0.0.1:%d' % (self.tls_port if tls else self.port)

    def url(self, user, password, vhost, tls=False, host='127.0.0.1'):
        """A transport URL for ``vhost`` on this node."""
        return 'rabbit://%s:%s@%s:%d/%s' % (user, password, host, self.tls_port if tls else self.port, vhost)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

# -*- coding: utf-8 -*-
"""Where a helper lives and how a run starts one (``_rpc/persistent/launch.py``): its key, the settings
and environment it is started with, the private directory, and real starts (rabbit:// to a port nobody
listens on)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import builtins
import hashlib
import json
import os
import stat
import sys
import threading
import zipfile

import pytest

pytest.importorskip('oslo_messaging')

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent import client, launch  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_settings  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import ConnectionSettings, RequestContext  # noqa: E402

from .doubles import InProcessDouble, free_port, make_settings, refuse_fallback, wait_until_gone  # noqa: E402


# -- what one helper serves, and where it lives -----------------------------------------------------------------------


KEY_CHANGES = [
    ('transport_url', 'rabbit://u:p@other:5672/v'),
    # Other broker credentials on the same broker (two credentials in one play).
    ('transport_url', 'rabbit://other:p@broker:5672/v'),
    ('transport_url', 'rabbit://u:other@broker:5672/v'),
    ('exchange', 'openstack'),
    ('topic', 'engine2'),
    ('timeout', 7),
    ('connect_timeout', 3),
    ('call_monitor_timeout', 9),
    ('persistent_idle_timeout', 5),
]


@pytest.mark.parametrize('field, value', KEY_CHANGES)
def test_settings_the_transport_depends_on_get_their_own_helper(field, value):
    base = dict(transport_url='rabbit://u:p@broker:5672/v', timeout=5, connect_timeout=2, persistent=True)
    assert launch.helper_key(connection_settings(**base)) != launch.helper_key(
        connection_settings(**dict(base, **{field: value})))


def upgraded_code(monkeypatch):
    """The helper's server.py as a newer collection would have it."""
    real = launch.source_of

    def source_of(name):
        source = real(name)
        return source + '\n# a newer version\n' if name.endswith('._rpc.persistent.server') else source
    monkeypatch.setattr(launch, 'source_of', source_of)


# (what differs in the run, how to make it differ): each gets a helper of its own, even with the same settings.
RUN_CHANGES = [
    ('another user (become)', lambda monkeypatch: monkeypatch.setattr(launch.os, 'geteuid', lambda: 4242)),
    ('another Python', lambda monkeypatch: monkeypatch.setattr(launch.sys, 'executable', '/other/python3')),
    ('the collection upgraded', upgraded_code),
]


@pytest.mark.parametrize('change', [row[1] for row in RUN_CHANGES], ids=[row[0] for row in RUN_CHANGES])
def test_runs_that_differ_in_user_python_or_code_get_their_own_helper(monkeypatch, change):
    settings = connection_settings(transport_url='rabbit://u:p@broker:5672/v', persistent=None)
    before = launch.helper_key(settings)
    change(monkeypatch)
    assert launch.helper_key(settings) != before


def test_tls_files_are_part_of_the_key_by_absolute_path(tmp_path, monkeypatch):
    ca = tmp_path / 'ca.pem'
    ca.write_text('x')
    base = dict(transport_url='rabbit://u:p@broker:5672/v', persistent=True, ssl=True)
    monkeypatch.chdir(tmp_path)
    relative = launch.helper_key(connection_settings(ssl_ca_file='ca.pem', **base))
    assert relative == launch.helper_key(connection_settings(ssl_ca_file=str(ca), **base))
    assert relative != launch.helper_key(connection_settings(ssl_trust_system_store=True, **base))


def test_the_request_context_and_the_api_cap_do_not_change_the_helper():
    base = dict(transport_url='rabbit://u:p@broker:5672/v', persistent=True)
    keys = {launch.helper_key(connection_settings(**base)),
            launch.helper_key(connection_settings(context=RequestContext(username='x', password='y'), **base)),
            launch.helper_key(connection_settings(api_version_cap='1.20', **base))}
    assert len(keys) == 1


def test_a_helper_is_started_with_the_transport_settings_and_no_request_context(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'ca.pem').write_text('x')
    settings = connection_settings('rabbit://u:p@broker:5672/v?ssl=1', ssl_ca_file='ca.pem', persistent=True,
                                   context=RequestContext(username='demo', password='s3cret'))
    started = launch.helper_settings(settings)
    assert 's3cret' not in json.dumps(started)
    assert started['ssl'] is True and started['ssl_ca_file'] == str(tmp_path / 'ca.pem')
    rebuilt = ConnectionSettings(started, persistent=False)  # as the helper builds it
    assert launch.helper_key(rebuilt) == launch.helper_key(settings)


ENVIRONMENT_KEPT = {'PATH': '/bin', 'HOME': '/root', 'LANG': 'C.UTF-8', 'LC_ALL': 'C', 'TZ': 'UTC', 'TMPDIR': '/t',
                    'PYTHONPATH': '/p', 'SSL_CERT_FILE': '/c.pem', 'SSL_CERT_DIR': '/certs'}
ENVIRONMENT_DROPPED = {'HEAT_RPC_PASSWORD': 'pw', 'HEAT_RPC_TRANSPORT_URL': 'rabbit://u:pw@h/', 'OS_PASSWORD': 'pw',
                       'ANSIBLE_VAULT_PASSWORD_FILE': '/v', 'AWS_SECRET_ACCESS_KEY': 'k', 'SSH_AUTH_SOCK': '/s'}


def test_the_helper_environment_keeps_what_python_needs_and_none_of_the_run_secrets():
    assert launch.helper_environment(dict(ENVIRONMENT_KEPT, **ENVIRONMENT_DROPPED)) == ENVIRONMENT_KEPT


def test_an_unusable_directory_leaves_the_run_to_connect_itself(short_dir):
    path = os.path.join(short_dir, 'pc')
    os.mkdir(path, 0o755)
    with pytest.raises(launch.HelperUnavailable, match='is open to other users'):
        launch.private_directory(path)


def test_the_socket_path_is_in_the_directory_and_short(short_dir):
    settings = make_settings(short_dir)
    path = launch.socket_path(settings, launch.helper_key(settings))
    assert os.path.dirname(path) == short_dir and len(os.path.basename(path)) == len('heat-rpc-.sock') + 24


def test_a_helper_that_cannot_start_says_why_and_the_run_connects_itself(short_dir, monkeypatch):
    # The helper validates its settings again; a CA file gone since the run checked it stops the start.
    ca = os.path.join(short_dir, 'ca.pem')
    with open(ca, 'w') as handle:
        handle.write('x')
    settings = connection_settings('rabbit://u:s3cret@127.0.0.1:%d/v?ssl=1' % free_port(), ssl_ca_file=ca,
                                   persistent=True, persistent_dir=short_dir, connect_timeout=1)
    os.unlink(ca)
    doubles = []
    connection = client.PersistentConnection(
        settings, fallback_factory=lambda given: doubles.append(InProcessDouble(given)) or doubles[-1])
    assert connection.invoke('get_revision', {}, '1.0') == 'from in process'
    assert len(connection.notices) == 1
    assert 'the helper could not start: ConfigurationError: ssl_ca_file %s cannot be read' % ca in connection.notices[0]
    assert 's3cret' not in connection.notices[0]


def test_runs_that_start_at_once_share_one_helper(short_dir):
    url = 'rabbit://u:s3cret@127.0.0.1:%d/v' % free_port()
    settings_list = [connection_settings(url, connect_timeout=1, timeout=2, persistent=True, persistent_dir=short_dir)
                     for _run in range(4)]
    connections = [client.PersistentConnection(settings, fallback_factory=refuse_fallback)
                   for settings in settings_list]
    kinds = []

    def run(connection):
        try:
            connection.invoke('get_revision', {}, '1.0')
        except errors.HeatRpcError as exc:
            kinds.append(exc.kind)

    threads = [threading.Thread(target=run, args=(connection,)) for connection in connections]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    pids = set(connection.helper_pid for connection in connections)
    for connection in connections:
        connection.close()
    assert kinds == ['broker_unreachable'] * 4
    assert len(pids) == 1
    assert sorted(os.listdir(short_dir)) == sorted([launch.START_LOCK, os.path.basename(
        launch.socket_path(settings_list[0], launch.helper_key(settings_list[0])))])
    os.unlink(launch.socket_path(settings_list[0], launch.helper_key(settings_list[0])))
    assert wait_until_gone(pids.pop(), 10)


# -- a helper that failed to start is not tried again by every run ----------------------------------------------------


# (seconds since a start failed: None for never, whether this run starts a helper)
START_AFTER_FAILURE = [
    (None, True),
    (5, False),
    (launch.START_BACKOFF - 1, False),
    (launch.START_BACKOFF + 1, True),
    # A failure stamped in the future (a clock set back) is not trusted to hold runs off.
    (-60, True),
]


@pytest.mark.parametrize('failed_ago, starts', START_AFTER_FAILURE)
def test_a_start_is_tried_again_only_after_the_backoff(short_dir, monkeypatch, failed_ago, starts):
    settings = make_settings(short_dir)
    path = launch.socket_path(settings, launch.helper_key(settings))
    failed = launch.failed_start_path(path)
    if failed_ago is not None:
        with open(failed, 'w') as handle:
            handle.write('the helper could not start: it said no')
        os.utime(failed, (1000.0, 1000.0))
    started = []
    monkeypatch.setattr(launch, '_start_helper', lambda *args: started.append(args))
    if starts:
        launch._start_unless_failed_lately(settings, path, 'key', now=lambda: 1000.0 + (failed_ago or 0))
        assert started and not os.path.exists(failed)  # a start that worked forgets the failure
    else:
        with pytest.raises(launch.HelperUnavailable) as refused:
            launch._start_unless_failed_lately(settings, path, 'key', now=lambda: 1000.0 + failed_ago)
        assert not started
        assert 'a helper failed to start %d s ago (the helper could not start: it said no)' % failed_ago in str(refused.value)


def test_a_failed_start_is_kept_privately_with_its_reason(short_dir, monkeypatch):
    settings = make_settings(short_dir)
    path = launch.socket_path(settings, launch.helper_key(settings))

    def fails(*_args):
        raise launch.HelperUnavailable('the helper did not start within 30 s')
    monkeypatch.setattr(launch, '_start_helper', fails)
    with pytest.raises(launch.HelperUnavailable):
        launch._start_unless_failed_lately(settings, path, 'key')
    failed = launch.failed_start_path(path)
    assert stat.S_IMODE(os.stat(failed).st_mode) == 0o600
    with open(failed) as handle:
        assert handle.read() == 'the helper did not start within 30 s'
    # The next run does not try again: it is told why at once.
    monkeypatch.setattr(launch, '_start_helper', lambda *args: pytest.fail('started again within the back-off'))
    with pytest.raises(launch.HelperUnavailable, match='the helper did not start within 30 s'):
        launch._start_unless_failed_lately(settings, path, 'key')


def test_the_code_digest_is_of_the_helper_sources_as_they_are():
    module_utils = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(launch.__file__))))
    digest = hashlib.sha256()
    for name in launch._HELPER_CODE:
        with open(os.path.join(module_utils, *name.split('.')) + '.py', encoding='utf-8') as handle:
            digest.update(handle.read().encode('utf-8'))
    assert launch._code_digest() == digest.hexdigest()


ZIP_SOURCES = {'zippkg/__init__.py': '', 'zippkg/used.py': 'USED = 1\n', 'zippkg/alone.py': 'ALONE = 1\n'}


@pytest.fixture
def zip_package(tmp_path, monkeypatch):
    """A package imported from a zip (as a module run imports the collection from its payload), zippkg.used with it."""
    path = str(tmp_path / 'payload.zip')
    with zipfile.ZipFile(path, 'w') as archive:
        for name, source in ZIP_SOURCES.items():
            archive.writestr(name, source)
    monkeypatch.syspath_prepend(path)
    __import__('zippkg.used')
    yield
    for name in [name for name in sys.modules if name.split('.')[0] == 'zippkg']:
        del sys.modules[name]


def test_a_source_in_a_zip_is_read_and_never_compiled(zip_package, monkeypatch):
    compiled = []
    real = builtins.compile
    monkeypatch.setattr(builtins, 'compile', lambda *args, **kwargs: compiled.append(args[1]) or real(*args, **kwargs))
    sources = [launch.source_of(name) for name in ('zippkg.used', 'zippkg.alone', 'zippkg', 'zippkg.missing')]
    monkeypatch.setattr(builtins, 'compile', real)
    assert sources == ['USED = 1\n', 'ALONE = 1\n', '', None]
    assert compiled == []  # zipimport's find_spec would have compiled zippkg.alone to name it
    assert 'zippkg.alone' not in sys.modules


def test_a_source_of_a_package_from_files_is_read_from_its_file(tmp_path, monkeypatch):
    (tmp_path / 'filepkg').mkdir()
    (tmp_path / 'filepkg' / '__init__.py').write_text('')
    (tmp_path / 'filepkg' / 'mod.py').write_text('VALUE = 3\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__('filepkg')
    try:
        assert [launch.source_of(name) for name in ('filepkg.mod', 'filepkg.missing')] == ['VALUE = 3\n', None]
        assert 'filepkg.mod' not in sys.modules
    finally:
        sys.modules.pop('filepkg', None)

# -*- coding: utf-8 -*-
"""A real Keystone for a heat-engine test bed (``heat_testbed.py up --keystone``).

Standard library only. Keystone (keystone-requirements.txt + keystone-constraints.txt beside this
file) runs from its own virtualenv, cached like the engine's under
``${HEAT_RPC_CACHE_DIR:-~/.cache/heat_rpc}/keystone-venv-keystone<version>-py<X.Y>-<key>``, on its
own MariaDB database ``keystone_<NAME>``, with fernet token and credential keys in the test bed's
state dir (``<state dir>/keystone``), served by gunicorn on 127.0.0.1 (a free port).

``setup()`` bootstraps it (admin user, project and the RegionOne identity endpoint), then creates
what a trusts-mode heat-engine and the tests need: the ``service`` project and ``heat`` service user
(admin there: keystonemiddleware and the trustee), the ``heat`` stack domain with its domain admin,
the ``heat_stack_user`` role, and two ordinary projects with one member each (``demo`` and
``alt_demo``). ``heat_conf_default_lines()`` and ``heat_conf_sections()`` are the engine's
configuration against it; ``teardown()`` stops
gunicorn and drops the database. heat_testbed.py calls these; nothing here runs on its own.
"""

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import time

import heat_testbed as bed

HERE = os.path.dirname(os.path.abspath(__file__))
REQUIREMENTS_FILE = os.path.join(HERE, 'keystone-requirements.txt')
CONSTRAINTS_FILE = os.path.join(HERE, 'keystone-constraints.txt')
SUBDIR = 'keystone'
REGION = 'RegionOne'
START_TIMEOUT = 90.0
STOP_TIMEOUT = 5.0
DOMAIN_ADMIN = 'heat_domain_admin'

# Runs in the Keystone virtualenv (keystoneauth1 + python-keystoneclient come with keystone's
# keystonemiddleware): creates the service user, stack domain and test projects; prints their ids.
SETUP_SOURCE = '''\
"""Keystone set-up of the heat-engine test bed (run with the Keystone virtualenv's python)."""
import json
import sys
import time
import warnings

warnings.simplefilter('ignore')


def main():
    spec = json.load(sys.stdin)
    from keystoneauth1 import session
    from keystoneauth1.identity import v3
    from keystoneclient.v3 import client
    auth = v3.Password(auth_url=spec['auth_url'], username='admin', password=spec['admin_password'],
                       project_name='admin', user_domain_id='default', project_domain_id='default')
    ks = client.Client(session=session.Session(auth=auth, timeout=30))
    deadline = time.monotonic() + 60
    while True:
        try:
            ks.projects.list()
            break
        except Exception:  # gunicorn may still be loading the application
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    roles = dict((role.name, role) for role in ks.roles.list())
    for name in ('member', 'reader', 'heat_stack_user', 'heat_stack_owner'):
        if name not in roles:
            roles[name] = ks.roles.create(name)
    out = {'users': {}}
    service = ks.projects.create('service', 'default', description='service users')
    for user, password in (('heat', spec['heat_password']),):
        created = ks.users.create(user, domain='default', password=password, default_project=service)
        ks.roles.grant(roles['admin'], user=created, project=service)
    for project_name, user_name, password in spec['projects']:
        project = ks.projects.create(project_name, 'default')
        user = ks.users.create(user_name, domain='default', password=password, default_project=project)
        ks.roles.grant(roles['member'], user=user, project=project)
        ks.roles.grant(roles['heat_stack_owner'], user=user, project=project)
        out['users'][user_name] = {'user_id': user.id, 'project_id': project.id, 'project_name': project_name}
    admin = [user for user in ks.users.list(name='admin')][0]
    admin_project = [project for project in ks.projects.list(name='admin')][0]
    out['users']['admin'] = {'user_id': admin.id, 'project_id': admin_project.id, 'project_name': 'admin'}
    # heat-keystone-setup-domain: the domain of the users heat creates for stacks, and its admin.
    domain = ks.domains.create('heat', description='Owns users and projects created by heat')
    domain_admin = ks.users.create(spec['domain_admin'], domain=domain, password=spec['domain_admin_password'])
    ks.roles.grant(roles['admin'], user=domain_admin, domain=domain)
    out['stack_domain_id'] = domain.id
    print(json.dumps(out))


if __name__ == '__main__':
    main()
'''


def log(msg):
    """Progress message to stderr."""
    bed.log(f'keystone: {msg}')


def ensure_venv():
    """Build (or reuse) Keystone's virtualenv; returns (path, seconds spent building or None)."""
    return bed.ensure_venv(REQUIREMENTS_FILE, CONSTRAINTS_FILE, prefix='keystone-venv-keystone', pin='keystone',
                           imports='keystone.server.wsgi, keystoneclient.v3.client, pymysql, gunicorn',
                           lock='keystone-venv', what='Keystone')


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def new_meta(sname, state_dir, venv):
    """The ``keystone`` part of a test bed's testbed.json: names, port and fresh random passwords."""
    port = free_port()
    users = dict((name, secrets.token_urlsafe(18)) for name in ('admin', 'demo', 'alt_demo'))
    return {
        'dir': os.path.join(state_dir, SUBDIR),
        'venv': venv,
        'database': 'keystone_' + sname,
        'port': port,
        'auth_url': f'http://127.0.0.1:{port}/v3',
        'region': REGION,
        'passwords': users,
        'heat_password': secrets.token_urlsafe(18),
        'domain_admin': DOMAIN_ADMIN,
        'domain_admin_password': secrets.token_urlsafe(18),
        'pgid': None,
    }


def keystone_conf(meta):
    """Content of keystone.conf."""
    def esc(value):
        return str(value).replace('$', '$$')
    kdir = meta['dir']
    db_auth = bed.DB_USER + (':' + bed.DB_PASSWORD if bed.DB_PASSWORD else '')
    lines = [
        '# keystone.conf of a heat-engine test bed, written by keystone_testbed.py',
        '[DEFAULT]',
        'use_stderr = false',
        'log_file = ' + esc(os.path.join(kdir, 'keystone.log')),
        '',
        '[database]',
        f'connection = mysql+pymysql://{esc(db_auth)}@{bed.DB_HOST}:{bed.DB_PORT}/{meta["database"]}?charset=utf8',
        '',
        '[token]',
        'provider = fernet',
        'expiration = 7200',
        '',
        '[fernet_tokens]',
        'key_repository = ' + esc(os.path.join(kdir, 'fernet-keys')),
        '',
        '[fernet_receipts]',
        'key_repository = ' + esc(os.path.join(kdir, 'fernet-keys')),
        '',
        '[credential]',
        'key_repository = ' + esc(os.path.join(kdir, 'credential-keys')),
        '',
        '[cache]',
        'enabled = false',
        '',
    ]
    return '\n'.join(lines)


def manage(meta, *args, timeout=300):
    """Run keystone-manage with the test bed's keystone.conf (output appended to keystone-manage.log)."""
    venv = meta['venv']
    bed.run([bed.venv_python(venv), os.path.join(venv, 'bin', 'keystone-manage'),
             '--config-file', os.path.join(meta['dir'], 'keystone.conf')] + list(args),
            timeout=timeout, env=bed.venv_env(), output_file=os.path.join(meta['dir'], 'keystone-manage.log'))


# The WSGI entry point gunicorn loads: Keystone parses sys.argv with oslo.config, which would take
# gunicorn's own arguments for its options and refuse them.
WSGI_SOURCE = '''\
"""Keystone's public WSGI application for the heat-engine test bed (loaded by gunicorn)."""
import sys

sys.argv = sys.argv[:1]
from keystone.server.wsgi import initialize_public_application  # noqa: E402

application = initialize_public_application()
'''


def start(meta):
    """Start gunicorn serving Keystone, detached in its own session (cwd = Keystone's dir); returns the Popen."""
    venv, kdir = meta['venv'], meta['dir']
    bed.write_text(os.path.join(kdir, 'keystone_wsgi.py'), WSGI_SOURCE, mode=0o644)
    env = dict(bed.venv_env(), OS_KEYSTONE_CONFIG_DIR=kdir, OS_KEYSTONE_CONFIG_FILES='keystone.conf')
    with open(os.path.join(kdir, 'gunicorn.log'), 'ab') as out:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with  # it outlives this script
            [bed.venv_python(venv), os.path.join(venv, 'bin', 'gunicorn'), '--bind', f'127.0.0.1:{meta["port"]}',
             '--workers', '1', '--threads', '4', '--timeout', '120', '--no-control-socket', '--chdir', kdir,
             'keystone_wsgi:application'],
            cwd=kdir, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, close_fds=True, env=env)
    return proc


def running(meta):
    """True when the test bed's gunicorn processes are alive."""
    return bool(meta and bed.group_members(meta.get('pgid'), meta['dir']))


def wait_answering(meta, proc, timeout=START_TIMEOUT):
    """Wait until Keystone answers GET /v3 with 200 (or the server dies)."""
    import urllib.request  # pylint: disable=import-outside-toplevel
    end = time.monotonic() + timeout
    last = 'no answer yet'
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise bed.TestbedError(f'gunicorn exited ({proc.returncode}). Tail of its log:\n'
                                   + bed.tail(os.path.join(meta['dir'], 'gunicorn.log'), 20)
                                   + bed.tail(os.path.join(meta['dir'], 'keystone.log'), 20))
        try:
            with urllib.request.urlopen(meta['auth_url'], timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError as exc:
            last = str(exc)
        time.sleep(0.5)
    raise bed.TestbedError(f'Keystone did not answer {meta["auth_url"]} within {timeout:.0f}s ({last})')


def prepare(sname, state_dir):
    """Virtualenv (built or reused) and the meta of test bed sname's Keystone; the caller records it in testbed.json."""
    venv, built = ensure_venv()
    log(f'virtualenv: reusing {venv}' if built is None else f'timing: virtualenv build {built:.1f}s')
    meta = new_meta(sname, state_dir, venv)
    os.makedirs(meta['dir'], mode=0o700, exist_ok=True)
    return meta


def up(meta, save):
    """Database, keys, bootstrap, gunicorn, then the heat and test identities; fills meta in place.

    save() is called as soon as gunicorn runs (so that its pid is on record for teardown); on failure
    the caller tears down.
    """
    started = time.monotonic()
    kdir = meta['dir']
    bed.write_text(os.path.join(kdir, 'keystone.conf'), keystone_conf(meta))
    bed.sql(f'DROP DATABASE IF EXISTS `{meta["database"]}`', venv=meta['venv'])
    bed.sql(f'CREATE DATABASE `{meta["database"]}` CHARACTER SET utf8', venv=meta['venv'])
    manage(meta, 'db_sync')
    owner = ['--keystone-user', str(os.getuid()), '--keystone-group', str(os.getgid())]
    manage(meta, 'fernet_setup', *owner)
    manage(meta, 'credential_setup', *owner)
    # One argument, so that a password that starts with '-' is not read as an option.
    manage(meta, 'bootstrap', '--bootstrap-password=' + meta['passwords']['admin'],
           '--bootstrap-admin-url', meta['auth_url'], '--bootstrap-public-url', meta['auth_url'],
           '--bootstrap-internal-url', meta['auth_url'], '--bootstrap-region-id', REGION)
    log(f'timing: db_sync + keys + bootstrap {time.monotonic() - started:.1f}s')
    started = time.monotonic()
    proc = start(meta)
    meta['pgid'] = proc.pid
    save()
    wait_answering(meta, proc)
    create_identities(meta)
    save()
    log(f'timing: Keystone start-to-answer + identities {time.monotonic() - started:.1f}s ({meta["auth_url"]})')


def create_identities(meta):
    """Create the heat service user, stack domain and test projects (Keystone answers)."""
    spec = {
        'auth_url': meta['auth_url'],
        'admin_password': meta['passwords']['admin'],
        'heat_password': meta['heat_password'],
        'domain_admin': meta['domain_admin'],
        'domain_admin_password': meta['domain_admin_password'],
        'projects': [['demo', 'demo', meta['passwords']['demo']], ['alt_demo', 'alt_demo', meta['passwords']['alt_demo']]],
    }
    script = os.path.join(meta['dir'], 'setup_identities.py')
    bed.write_text(script, SETUP_SOURCE, mode=0o644)
    try:
        out = subprocess.run([bed.venv_python(meta['venv']), script], input=json.dumps(spec), text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180, check=False,
                             env=bed.venv_env(), cwd=meta['dir'])
    except subprocess.TimeoutExpired as exc:
        raise bed.TestbedError('Keystone set-up (users, projects, stack domain) timed out') from exc
    if out.returncode:
        raise bed.TestbedError(f'Keystone set-up failed (exit {out.returncode}):\n{out.stderr[-3000:]}')
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    meta['users'] = answer['users']
    meta['stack_domain_id'] = answer['stack_domain_id']


def heat_conf_default_lines(meta):
    """[DEFAULT] lines of heat.conf for a trusts-mode engine against this Keystone (instead of the fake one's)."""
    return [
        '# A real Keystone (keystone_testbed.py): the default keystone_backend, trusts for deferred operations.',
        'deferred_auth_method = trusts',
        f'region_name_for_services = {meta["region"]}',
        '# heat-keystone-setup-domain: the domain of the users and projects heat creates for stacks.',
        'stack_user_domain_id = ' + meta['stack_domain_id'],
        'stack_domain_admin = ' + meta['domain_admin'],
        'stack_domain_admin_password = ' + meta['domain_admin_password'],
    ]


def heat_conf_sections(meta):
    """The Keystone sections of heat.conf: keystonemiddleware's, the trustee (heat's service user), clients."""
    url = meta['auth_url']
    base = url.rsplit('/v3', 1)[0]
    heat = ['auth_type = password', f'auth_url = {base}', 'username = heat', 'password = ' + meta['heat_password'],
            'user_domain_id = default']
    return (['[keystone_authtoken]', f'www_authenticate_uri = {url}'] + heat
            + ['project_name = service', 'project_domain_id = default', '', '[trustee]'] + heat
            + ['', '[clients_keystone]', f'auth_uri = {base}', '', '[ec2authtoken]', f'auth_uri = {url}', ''])


def context(meta, user='demo'):
    """Connection settings (Keystone part) of one of the test bed's users, as the modules take them."""
    info = meta['users'][user]
    return {
        'auth_url': meta['auth_url'],
        'username': user,
        'password': meta['passwords'][user],
        'project_name': info['project_name'],
        'user_id': info['user_id'],
        'project_id': info['project_id'],
    }


def teardown(meta):
    """Stop gunicorn and drop Keystone's database (idempotent; the state dir goes with the test bed's)."""
    if not meta:
        return
    pgid = meta.get('pgid')
    if pgid and bed.group_members(pgid, meta['dir']):
        for sig, bound in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 10.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, sig)
            end = time.monotonic() + bound
            while time.monotonic() < end and bed.group_members(pgid, meta['dir']):
                time.sleep(0.2)
            if not bed.group_members(pgid, meta['dir']):
                break
        log('stopped')
    if bed.port_open(bed.DB_HOST, bed.DB_PORT):
        bed.sql(f'DROP DATABASE IF EXISTS `{meta["database"]}`', venv=meta.get('venv'))
    else:
        log(f'warning: MariaDB is not reachable: database {meta["database"]} not dropped')

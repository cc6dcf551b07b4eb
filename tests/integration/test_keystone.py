# -*- coding: utf-8 -*-
"""The modules against a production-like engine: a real Keystone and ``deferred_auth_method = trusts``.

The session fixture starts its own test bed with ``heat_testbed.py up --keystone`` (Keystone from PyPI
in its own virtualenv, gunicorn, fernet tokens, a stack domain) and takes it down at the end. The
module runs authenticate with ``auth_url`` (keystoneauth1): one token per run, from which the RPC
context is filled; the engine creates a trust from it for every stack and uses that trust for the
nested stack.
"""

import json
import os
import secrets

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible import keystone
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_settings
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import RequestContext
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient
from conftest import run_engine_python, run_playbook, unique_name
from conftest_testbed import started_testbed
from module_helpers import task
from software_helpers import INPUTS, OUTPUTS, SCRIPT, config_task, deployment_task

NESTED = """\
heat_template_version: 2018-08-31
parameters:
  length: {type: number}
resources:
  secret: {type: OS::Heat::RandomString, properties: {length: {get_param: length}}}
outputs:
  value: {value: {get_attr: [secret, value]}}
"""
PARENT = """\
heat_template_version: 2018-08-31
parameters:
  length: {type: number, default: 8}
resources:
  inner: {type: nested.yaml, properties: {length: {get_param: length}}}
outputs:
  inner_value: {value: {get_attr: [inner, value]}}
"""


@pytest.fixture(scope='module')
def keystone_bed():
    """A Keystone test bed of its own: connection.json as a dict plus name and state_dir."""
    with started_testbed(f'k{os.getpid()}_{secrets.token_hex(2)}', '--keystone') as bed:
        yield bed


def keystone_env(bed, user='demo', **overrides):
    """HEAT_RPC_* variables for a module run as ``user`` authenticating against the bed's Keystone."""
    creds = bed['keystone']['users'][user]
    env = {
        'HEAT_RPC_TRANSPORT_URL': bed['transport_url'],
        'HEAT_RPC_EXCHANGE': bed['exchange'],
        'HEAT_RPC_TOPIC': bed['topic'],
        'HEAT_RPC_AUTH_URL': creds['auth_url'],
        'HEAT_RPC_USERNAME': creds['username'],
        'HEAT_RPC_PASSWORD': creds['password'],
        'HEAT_RPC_PROJECT_NAME': creds['project_name'],
    }
    env.update(overrides)
    return env


def keystone_client(bed, user='demo', **context):
    """An EngineClient whose context carries a token of ``user`` (from the collection's own Keystone code)."""
    creds = bed['keystone']['users'][user]
    values = keystone.context_from_keystone(dict(
        auth_url=creds['auth_url'], username=creds['username'], password=creds['password'],
        project_name=creds['project_name'], user_domain_id='default', project_domain_id='default'), timeout=30)
    values.update(context)
    return EngineClient(connection_settings(bed['transport_url'], exchange=bed['exchange'], topic=bed['topic'],
                                            timeout=30, connect_timeout=5, context=RequestContext(**values)))


def stored_credentials(bed, stack_id):
    """(has trust_id, has password, trustor_user_id) of the engine's stored credentials for a stack."""
    with open(os.path.join(bed['state_dir'], 'testbed.json'), encoding='utf-8') as handle:
        meta = json.load(handle)
    code = (
        'import json, pymysql\n'
        f'c = pymysql.connect(host="127.0.0.1", user="root", database={meta["database"]!r})\n'
        'cur = c.cursor()\n'
        'cur.execute("SELECT u.trust_id IS NOT NULL, u.password IS NOT NULL, u.trustor_user_id FROM stack s '
        f'JOIN user_creds u ON s.user_creds_id = u.id WHERE s.id = %s", ({stack_id!r},))\n'
        'print(json.dumps(cur.fetchone()))\n'
    )
    return tuple(run_engine_python(os.path.join(meta['venv'], 'bin', 'python'), code))


def revoked_token(creds, revoke=True):
    """(token, its body) of ``creds``'s user; revoked in Keystone unless revoke is false."""
    from keystoneauth1 import session
    from keystoneauth1.identity import v3
    auth = v3.Password(auth_url=creds['auth_url'], username=creds['username'], password=creds['password'],
                       project_name=creds['project_name'], user_domain_id='default', project_domain_id='default')
    sess = session.Session(auth=auth, timeout=30)
    access = auth.get_access(sess)
    if revoke:
        answer = sess.delete(creds['auth_url'] + '/auth/tokens', headers={'X-Subject-Token': access.auth_token})
        assert answer.status_code == 204
    return access.auth_token, access._data  # pylint: disable=protected-access


def test_nested_stack_create_update_delete_through_a_trust(tmp_path, keystone_bed):
    (tmp_path / 'nested.yaml').write_text(NESTED)
    (tmp_path / 'parent.yaml').write_text(PARENT)
    name = unique_name('ks')
    demo = keystone_bed['keystone']['users']['demo']
    stack = dict(name=name, template=str(tmp_path / 'parent.yaml'))
    run = run_playbook(tmp_path / 'up', [
        task('heat_stack', 'create', **stack),
        task('heat_stack', 'update', parameters={'length': 12}, **stack),
    ], env=keystone_env(keystone_bed), verbosity=3)
    created, updated = run.results['create'], run.results['update']
    assert created.get('failed') is not True, created.get('msg')
    assert (created['changed'], created['stack']['status']) == (True, 'CREATE_COMPLETE')
    assert len(created['stack']['outputs']['inner_value']) == 8
    assert updated.get('failed') is not True, updated.get('msg')
    assert (updated['changed'], updated['stack']['status']) == (True, 'UPDATE_COMPLETE')
    assert len(updated['stack']['outputs']['inner_value']) == 12
    # The engine keeps a trust from demo (no password) to act for it later, as a trusts-mode heat does.
    assert stored_credentials(keystone_bed, created['stack']['id']) == (1, 0, demo['user_id'])
    # Neither the password nor the token (whatever it was) is in the output, even at -vvv.
    assert demo['password'] not in run.output
    assert 'auth_token' not in json.dumps(run.results)
    gone = run_playbook(tmp_path / 'down', [task('heat_stack', 'delete', name=name, state='absent')],
                        env=keystone_env(keystone_bed))
    assert gone.results['delete'].get('failed') is not True, gone.results['delete'].get('msg')
    assert gone.results['delete']['changed'] is True


def test_software_config_and_deployment_are_the_projects_own(tmp_path, keystone_bed):
    name = unique_name('kcfg')
    server_id = unique_name('server')
    run = run_playbook(tmp_path / 'demo', [
        config_task('config', name=name, group='script', config=SCRIPT, inputs=INPUTS, outputs=OUTPUTS),
        deployment_task('deploy', server_id=server_id, config=name, input_values={'version': '1'}),
        deployment_task('signal', server_id=server_id, config=name,
                        signal={'result': 'done', 'deploy_status_code': 0, 'deploy_stdout': 'ok'}),
        task('heat_software_deployment_info', 'info', server_id=server_id),
    ], env=keystone_env(keystone_bed))
    results = run.results
    for label in ('config', 'deploy', 'signal', 'info'):
        assert results[label].get('failed') is not True, (label, results[label].get('msg'))
    deployment = results['deploy']['deployment']
    assert (results['deploy']['changed'], deployment['server_id']) == (True, server_id)
    assert results['signal']['deployment']['status'] == 'COMPLETE'
    assert [item['id'] for item in results['info']['deployments']] == [deployment['id']]
    other = run_playbook(tmp_path / 'alt', [task('heat_software_deployment_info', 'info', server_id=server_id)],
                         env=keystone_env(keystone_bed, 'alt_demo'))
    assert other.results['info'].get('failed') is not True, other.results['info'].get('msg')
    assert other.results['info']['deployments'] == []


def test_a_stack_of_another_project_is_invisible_without_admin(tmp_path, keystone_bed):
    name = unique_name('kown')
    demo = keystone_client(keystone_bed, 'demo')
    try:
        identity = demo.create_stack(None, name, {'heat_template_version': '2018-08-31'}, {'parameters': {}}, {}, {})
        run = run_playbook(tmp_path / 'look', [
            task('heat_stack_info', 'by name', name=name),
            task('heat_stack_info', 'listed', filters={'name': name}),
        ], env=keystone_env(keystone_bed, 'alt_demo'))
        for label in ('by name', 'listed'):
            assert run.results[label].get('failed') is not True, run.results[label].get('msg')
            assert run.results[label]['stacks'] == [], label
        # Heat lists every project's stacks for an admin context (a lookup by name stays project-scoped).
        admin = run_playbook(tmp_path / 'admin', [
            task('heat_stack_info', 'listed', filters={'name': name}),
            task('heat_stack_info', 'listed with is_admin', filters={'name': name}, is_admin=True),
        ], env=keystone_env(keystone_bed, 'admin'))
        assert admin.results['listed']['stacks'] == []
        seen = admin.results['listed with is_admin']
        assert seen.get('failed') is not True, seen.get('msg')
        assert [(item['id'], item['identity']['tenant']) for item in seen['stacks']] == [
            (identity['stack_id'], keystone_bed['keystone']['users']['demo']['project_id'])]
    finally:
        demo.delete_stack(None, identity)
        demo.close()


def test_wrong_credentials_and_tokens_are_refused_clearly(tmp_path, keystone_bed):
    demo = keystone_bed['keystone']['users']['demo']
    base = keystone_env(keystone_bed)
    run = run_playbook(tmp_path / 'password', [task('heat_stack_info', 'wrong password')],
                       env=dict(base, HEAT_RPC_PASSWORD='not-' + demo['password']))
    refused = run.results['wrong password']
    assert refused['failed'] is True
    assert refused['error']['kind'] == 'auth_refused'
    assert refused['msg'].startswith("Keystone at %s refused the credentials of user 'demo' (HTTP 401" % demo['auth_url'])
    # A bare token (what auth_token alone gives): a trusts-mode engine cannot make a trust from it.
    bogus = {key: value for key, value in base.items() if key != 'HEAT_RPC_AUTH_URL'}
    token, _body = revoked_token(demo, revoke=False)
    bogus.update(HEAT_RPC_AUTH_TOKEN=token, HEAT_RPC_PASSWORD='',
                 HEAT_RPC_USER_ID=demo['user_id'], HEAT_RPC_PROJECT_ID=demo['project_id'], HEAT_RPC_ROLES='member')
    run = run_playbook(tmp_path / 'token', [
        task('heat_stack', 'create with a bare token', name=unique_name('kbad'),
             template_body={'heat_template_version': '2018-08-31'}),
    ], env=bogus)
    refused = run.results['create with a bare token']
    assert refused['failed'] is True
    assert refused['error']['kind'] == 'auth_refused', refused['msg']
    assert 'a bare auth_token is not enough' in refused['msg'] and 'Set auth_url' in refused['msg'], refused['msg']
    assert token not in run.output
    # A token Keystone no longer accepts (revoked; an expired one is refused alike), with its body.
    token, body = revoked_token(demo)
    client = EngineClient(connection_settings(keystone_bed['transport_url'], timeout=30, context=RequestContext(
        auth_token=token, auth_token_info=body, user_id=demo['user_id'], project_id=demo['project_id'],
        roles=['member'])))
    try:
        with pytest.raises(errors.AuthError) as refused:
            client.create_stack(None, unique_name('kbad'), {'heat_template_version': '2018-08-31'},
                                {'parameters': {}}, {}, {})
    finally:
        client.close()
    assert 'heat-engine refused the request context (Unauthorized' in str(refused.value)
    assert 'wrong, expired or revoked token' in str(refused.value)

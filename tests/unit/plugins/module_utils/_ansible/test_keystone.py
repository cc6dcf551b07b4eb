# -*- coding: utf-8 -*-
"""auth_url: the request context from one Keystone token (keystoneauth1 faked; the real one is in
tests/integration/test_keystone.py)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import sys
from types import SimpleNamespace

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_argument_spec, settings_from_params
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible import keystone

TOKEN = 'gAAAAABtoken-from-keystone-0123456789'
BODY = {'token': {'catalog': [], 'roles': [{'name': 'member'}]}}


class FakeExceptions:
    class ClientException(Exception):
        def __init__(self, message=None):
            super(FakeExceptions.ClientException, self).__init__(message)
            self.message = message

    class Unauthorized(ClientException):
        pass

    class Forbidden(ClientException):
        pass

    class ConnectionError(ClientException):
        pass

    class SSLError(ConnectionError):
        pass

    class DiscoveryFailure(ClientException):
        pass


class FakeKeystoneauth:
    """identity.v3 + session + exceptions; records the plugin made and how often a token was fetched."""

    def __init__(self, fail=None, project_id='p-1'):
        self.fail = fail
        self.project_id = project_id
        self.plugins = []
        self.sessions = []
        self.fetches = 0
        fake = self

        class Plugin:
            def __init__(self, kind, **kwargs):
                self.kind, self.kwargs = kind, kwargs

            def get_access(self, session):
                fake.fetches += 1
                assert session.auth is self
                if fake.fail:
                    raise fake.fail
                return SimpleNamespace(
                    user_id='u-1', username='demo', project_id=fake.project_id, project_name='demo',
                    user_domain_id='default', project_domain_id='default', role_names=['member', 'reader'],
                    auth_token=TOKEN, _data=BODY)

        def make(kind):
            def factory(**kwargs):
                plugin = Plugin(kind, **kwargs)
                fake.plugins.append(plugin)
                return plugin
            return factory

        self.v3 = SimpleNamespace(Password=make('password'), ApplicationCredential=make('application_credential'))

        def session(**kwargs):
            made = SimpleNamespace(**kwargs)
            fake.sessions.append(made)
            return made

        self.session = SimpleNamespace(Session=session)

    def loader(self):
        return self.v3, self.session, FakeExceptions


def params(**overrides):
    values = dict((name, spec.get('default')) for name, spec in connection_argument_spec().items())
    values.update(transport_url='rabbit://guest:guest@127.0.0.1:5672/heat', auth_url='https://keystone.example:5000/v3',
                  username='demo', password='s3cret-pass', project_name='demo')
    values.update(overrides)
    return values


@pytest.fixture
def fake(monkeypatch):
    ks = FakeKeystoneauth()
    monkeypatch.setattr(keystone, 'import_keystoneauth', ks.loader)
    return ks


def test_the_context_comes_from_keystones_answer_and_the_password_stays_behind(fake):
    settings = settings_from_params(params(user_id=None, roles=None))
    wire = settings.context.to_dict()
    assert (wire['user_id'], wire['project_id'], wire['roles'], wire['auth_token']) == ('u-1', 'p-1', ['member', 'reader'], TOKEN)
    assert wire['auth_token_info'] == BODY
    assert 'password' not in wire
    assert fake.fetches == 1
    assert fake.plugins[0].kind == 'password'
    assert fake.plugins[0].kwargs == dict(auth_url='https://keystone.example:5000/v3', username='demo',
                                          password='s3cret-pass', user_domain_id='default', project_name='demo',
                                          project_domain_id='default')
    assert (fake.sessions[0].verify, fake.sessions[0].timeout) == (True, 60)
    # The token and the password are masked wherever they would appear.
    assert settings.scrubber.scrub('token %s password s3cret-pass' % TOKEN) == 'token ******** password ********'


@pytest.mark.parametrize('given, expected', [
    (dict(user_id='u-9', project_id='p-9'), dict(user_id='u-9', project_id='p-9')),
    (dict(user_domain_name='Users', project_domain_name='Projects', user_domain_id='ignored'),
     dict(username='demo', user_domain_name='Users', project_name='demo', project_domain_name='Projects')),
])
def test_ids_and_domain_names_scope_the_token(fake, given, expected):
    settings_from_params(params(auth_ca_file='/etc/ca.pem', **given))
    kwargs = fake.plugins[0].kwargs
    assert dict((key, kwargs[key]) for key in expected) == expected
    assert fake.sessions[0].verify == '/etc/ca.pem'


def test_an_application_credential_needs_no_user_or_project(fake):
    settings = settings_from_params(params(username=None, password=None, project_name=None,
                                           application_credential_id='ac-1', application_credential_secret='ac-s3cret'))
    assert fake.plugins[0].kind == 'application_credential'
    assert fake.plugins[0].kwargs == dict(auth_url='https://keystone.example:5000/v3', application_credential_id='ac-1',
                                          application_credential_secret='ac-s3cret')
    assert settings.context.to_dict()['auth_token'] == TOKEN
    assert settings.scrubber.scrub('ac-s3cret') == '********'


@pytest.mark.parametrize('overrides, message', [
    (dict(auth_token='t0ken'), 'auth_token cannot be combined with auth_url'),
    (dict(roles=['admin']), 'roles cannot be combined with auth_url'),
    (dict(password=None), 'auth_url is set but no Keystone credentials are'),
    (dict(username=None), 'auth_url with password needs username (or user_id)'),
    (dict(project_name=None), 'auth_url with password needs project_id or project_name'),
    (dict(application_credential_id='ac-1'), 'application_credential_id and application_credential_secret go together'),
    (dict(application_credential_id='ac-1', application_credential_secret='x'), 'password and application_credential_id are alternatives'),
    (dict(auth_url=None, user_domain_name='Users'), 'user_domain_name only makes sense with auth_url'),
    (dict(transport_url='http://broker'), "transport_url uses the driver 'http'"),
])
def test_bad_options_are_refused_before_keystone_is_asked(fake, overrides, message):
    with pytest.raises(errors.ConfigurationError) as raised:
        settings_from_params(params(**overrides))
    assert message in str(raised.value)
    assert fake.fetches == 0


@pytest.mark.parametrize('failure, error_class, message', [
    (FakeExceptions.Unauthorized('The request you have made requires authentication.'), errors.AuthError,
     "Keystone at https://keystone.example:5000/v3 refused the credentials of user 'demo' (HTTP 401"),
    (FakeExceptions.Forbidden('no'), errors.AuthError, 'refused to give user \'demo\' a token for this scope (HTTP 403)'),
    (FakeExceptions.SSLError('certificate verify failed'), errors.KeystoneError, 'TLS error talking to Keystone'),
    (FakeExceptions.ConnectionError('Connection refused'), errors.KeystoneError,
     'cannot reach Keystone at https://keystone.example:5000/v3 (auth_url): Connection refused'),
    (FakeExceptions.ClientException('boom'), errors.KeystoneError, 'failed to authenticate user \'demo\': ClientException: boom'),
])
def test_keystone_failures_are_typed(fake, failure, error_class, message):
    fake.fail = failure
    with pytest.raises(error_class) as raised:
        settings_from_params(params())
    assert message in str(raised.value)
    assert raised.value.kind == ('auth_refused' if error_class is errors.AuthError else 'keystone_error')


def test_an_unscoped_token_is_refused(fake):
    fake.project_id = None
    with pytest.raises(errors.ConfigurationError, match='scoped to no project'):
        settings_from_params(params())


def test_without_auth_url_keystoneauth_is_never_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, 'keystoneauth1', None)  # importing it would raise ImportError
    settings = settings_from_params(params(auth_url=None, auth_token='given-token'))
    assert settings.context.to_dict()['auth_token'] == 'given-token'
    assert settings.context.to_dict()['password'] == 's3cret-pass'


def test_a_missing_keystoneauth_is_a_configuration_error_naming_it(monkeypatch):
    monkeypatch.setitem(sys.modules, 'keystoneauth1', None)
    with pytest.raises(errors.ConfigurationError) as raised:
        settings_from_params(params())
    assert 'needs the Python library keystoneauth1' in str(raised.value)
    assert 'pip install keystoneauth1' in str(raised.value)


def test_secret_keystone_options_are_no_log():
    spec = connection_argument_spec()
    assert spec['application_credential_secret']['no_log'] is True
    assert spec['password']['no_log'] is True and spec['auth_token']['no_log'] is True
    assert [spec[name]['fallback'][1] for name in ('auth_url', 'application_credential_id')] == [
        ['HEAT_RPC_AUTH_URL'], ['HEAT_RPC_APPLICATION_CREDENTIAL_ID']]

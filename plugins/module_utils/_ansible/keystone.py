# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The request context from Keystone: one token per module run, fetched with keystoneauth1.

Used only when ``auth_url`` is set; keystoneauth1 is an optional dependency and is imported here,
lazily, never on the default path. The token, its body (``auth_token_info``: catalog, roles, expiry)
and the ids, names and roles Keystone answers with replace what the options would have put in the
context, as heat-api does with the token keystonemiddleware validated. The password (or application
credential secret) is only sent to Keystone, never to the engine.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors

# Options that only make sense with auth_url.
KEYSTONE_ONLY_OPTIONS = ('user_domain_name', 'project_domain_name', 'application_credential_id',
                         'application_credential_secret', 'auth_ca_file')
# Context options Keystone's answer provides: giving them as well is contradictory.
CONFLICTING_OPTIONS = ('auth_token', 'roles')


def import_keystoneauth():
    """(identity.v3, session, exceptions) of keystoneauth1, or a configuration error naming it."""
    try:
        from keystoneauth1 import exceptions as ks_exceptions
        from keystoneauth1 import session as ks_session
        from keystoneauth1.identity import v3 as ks_v3
    except ImportError as exc:
        raise errors.ConfigurationError(
            'auth_url is set: getting a Keystone token needs the Python library keystoneauth1 where the modules '
            'run (pip install keystoneauth1), which cannot be imported (%s)' % exc)
    return ks_v3, ks_session, ks_exceptions


def check_options(params):
    """Refuse contradictory or incomplete Keystone options (before anything is sent)."""
    if not params.get('auth_url'):
        given = [name for name in KEYSTONE_ONLY_OPTIONS if params.get(name)]
        if given:
            raise errors.ConfigurationError('%s only make%s sense with auth_url (Keystone authentication)'
                                            % (', '.join(given), '' if len(given) > 1 else 's'))
        return
    conflicting = [name for name in CONFLICTING_OPTIONS if params.get(name)]
    if conflicting:
        raise errors.ConfigurationError(
            '%s cannot be combined with auth_url: the token and roles come from Keystone' % ', '.join(conflicting))
    app_id, app_secret = params.get('application_credential_id'), params.get('application_credential_secret')
    if app_id or app_secret:
        if not (app_id and app_secret):
            raise errors.ConfigurationError(
                'application_credential_id and application_credential_secret go together (one of them is missing)')
        if params.get('password'):
            raise errors.ConfigurationError(
                'password and application_credential_id are alternatives for Keystone authentication: set one')
        return
    if not params.get('password'):
        raise errors.ConfigurationError(
            'auth_url is set but no Keystone credentials are: give password with username or user_id, '
            'or application_credential_id and application_credential_secret')
    if not (params.get('username') or params.get('user_id')):
        raise errors.ConfigurationError('auth_url with password needs username (or user_id)')
    if not (params.get('project_id') or params.get('project_name')):
        raise errors.ConfigurationError(
            'auth_url with password needs project_id or project_name: stacks live in a project, '
            'so the token must be scoped to one')


def auth_plugin(ks_v3, params):
    """The keystoneauth1 v3 plugin for the options (checked by check_options)."""
    if params.get('application_credential_id'):
        return ks_v3.ApplicationCredential(
            auth_url=params['auth_url'],
            application_credential_id=params['application_credential_id'],
            application_credential_secret=params['application_credential_secret'])
    user = dict(password=params['password'])
    if params.get('user_id'):
        user['user_id'] = params['user_id']
    else:
        user['username'] = params['username']
        user.update(_domain('user', params))
    if params.get('project_id'):
        user['project_id'] = params['project_id']
    else:
        user['project_name'] = params['project_name']
        user.update(_domain('project', params))
    return ks_v3.Password(auth_url=params['auth_url'], **user)


def _domain(kind, params):
    """{kind_domain_name: ...} when given (it wins), else {kind_domain_id: ...}."""
    name = params.get(kind + '_domain_name')
    if name:
        return {kind + '_domain_name': name}
    return {kind + '_domain_id': params.get(kind + '_domain_id') or 'default'}


def _who(params):
    if params.get('application_credential_id'):
        return "application credential '%s'" % params['application_credential_id']
    return "user '%s'" % (params.get('username') or params.get('user_id'))


def context_from_keystone(params, timeout=None):
    """Authenticate against Keystone; returns the request-context values from its answer.

    Keys: user_id, username, project_id, project_name, user_domain_id, project_domain_id, roles,
    auth_token, auth_token_info. Failures are typed errors: ``auth_refused`` when Keystone refuses the
    credentials, ``keystone_error`` when it cannot be reached or answers something else.
    """
    check_options(params)
    ks_v3, ks_session, ks_exceptions = import_keystoneauth()
    url = params['auth_url']
    plugin = auth_plugin(ks_v3, params)
    session = ks_session.Session(auth=plugin, verify=params.get('auth_ca_file') or True, timeout=timeout)
    try:
        access = plugin.get_access(session)
    except ks_exceptions.Unauthorized as exc:
        raise errors.AuthError('Keystone at %s refused the credentials of %s (HTTP 401: wrong password, '
                               'unknown user or project, or expired application credential): %s'
                               % (url, _who(params), _message(exc)))
    except ks_exceptions.Forbidden as exc:
        raise errors.AuthError('Keystone at %s refused to give %s a token for this scope (HTTP 403): %s'
                               % (url, _who(params), _message(exc)))
    except ks_exceptions.SSLError as exc:
        raise errors.KeystoneError('TLS error talking to Keystone at %s (set auth_ca_file?): %s' % (url, _message(exc)))
    except (ks_exceptions.ConnectionError, ks_exceptions.DiscoveryFailure) as exc:
        raise errors.KeystoneError('cannot reach Keystone at %s (auth_url): %s' % (url, _message(exc)))
    except ks_exceptions.ClientException as exc:
        raise errors.KeystoneError('Keystone at %s failed to authenticate %s: %s: %s'
                                   % (url, _who(params), type(exc).__name__, _message(exc)))
    if not access.project_id:
        raise errors.ConfigurationError('Keystone at %s gave %s a token scoped to no project: set project_id or '
                                        'project_name' % (url, _who(params)))
    return dict(
        user_id=access.user_id,
        username=access.username,
        project_id=access.project_id,
        project_name=access.project_name,
        user_domain_id=access.user_domain_id,
        project_domain_id=access.project_domain_id,
        roles=list(access.role_names or []),
        auth_token=access.auth_token,
        # The token's body, as heat-api passes it: the engine reads the catalog and roles from it
        # instead of asking Keystone again.
        auth_token_info=getattr(access, '_data', None),
    )


def _message(exc):
    text = getattr(exc, 'message', None) or str(exc) or type(exc).__name__
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The connection options every module and controller plugin takes, and the settings made of them.

The one place that turns what a user wrote (task options, HEAT_RPC_* variables, Keystone) into
ConnectionSettings. It imports no AnsibleModule, so the controller-side plugins (inventory, lookup)
use it as the modules do.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible import keystone
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import DEFAULT_PERSISTENT_DIR, ConnectionSettings, RequestContext


def nonempty_env_fallback(*names):
    """The first of ``names`` set to a non-empty value in the environment.

    AWX sets every variable a credential type injects, with '' for the fields left blank; such a
    variable counts as unset here, so the option's default applies.
    """
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    raise AnsibleFallbackNotFound


def _env(name):
    return (nonempty_env_fallback, ['HEAT_RPC_' + name])


def connection_argument_spec():
    """The connection options every module takes (documented in the ``connection`` doc fragment)."""
    return dict(
        transport_url=dict(type='str', no_log=True, fallback=_env('TRANSPORT_URL')),
        exchange=dict(type='str', default='heat', fallback=_env('EXCHANGE')),
        topic=dict(type='str', default='engine', fallback=_env('TOPIC')),
        rpc_timeout=dict(type='float', default=60, fallback=_env('TIMEOUT')),
        connect_timeout=dict(type='float', default=10, fallback=_env('CONNECT_TIMEOUT')),
        call_monitor_timeout=dict(type='float', default=30, fallback=_env('CALL_MONITOR_TIMEOUT')),
        api_version_cap=dict(type='str', fallback=_env('API_VERSION_CAP')),
        ssl=dict(type='bool', default=False, fallback=_env('SSL')),
        ssl_ca_file=dict(type='path', fallback=_env('SSL_CA_FILE')),
        ssl_cert_file=dict(type='path', fallback=_env('SSL_CERT_FILE')),
        ssl_key_file=dict(type='path', no_log=False, fallback=_env('SSL_KEY_FILE')),
        ssl_trust_system_store=dict(type='bool', default=False, fallback=_env('SSL_TRUST_SYSTEM_STORE')),
        username=dict(type='str', fallback=_env('USERNAME')),
        password=dict(type='str', no_log=True, fallback=_env('PASSWORD')),
        user_id=dict(type='str', fallback=_env('USER_ID')),
        project_id=dict(type='str', fallback=_env('PROJECT_ID')),
        project_name=dict(type='str', fallback=_env('PROJECT_NAME')),
        user_domain_id=dict(type='str', default='default', fallback=_env('USER_DOMAIN_ID')),
        project_domain_id=dict(type='str', default='default', fallback=_env('PROJECT_DOMAIN_ID')),
        roles=dict(type='list', elements='str', fallback=_env('ROLES')),
        is_admin=dict(type='bool', default=False, fallback=_env('IS_ADMIN')),
        auth_token=dict(type='str', no_log=True, fallback=_env('AUTH_TOKEN')),
        region_name=dict(type='str', fallback=_env('REGION_NAME')),
        auth_url=dict(type='str', fallback=_env('AUTH_URL')),
        user_domain_name=dict(type='str', fallback=_env('USER_DOMAIN_NAME')),
        project_domain_name=dict(type='str', fallback=_env('PROJECT_DOMAIN_NAME')),
        application_credential_id=dict(type='str', fallback=_env('APPLICATION_CREDENTIAL_ID')),
        application_credential_secret=dict(type='str', no_log=True, fallback=_env('APPLICATION_CREDENTIAL_SECRET')),
        auth_ca_file=dict(type='path', fallback=_env('AUTH_CA_FILE')),
        persistent=dict(type='bool', default=False, fallback=_env('PERSISTENT')),
        persistent_idle_timeout=dict(type='float', default=60, fallback=_env('PERSISTENT_IDLE_TIMEOUT')),
        persistent_dir=dict(type='path', default=DEFAULT_PERSISTENT_DIR, fallback=_env('PERSISTENT_DIR')),
    )


# The context fields an option sets (auth_token_info only comes from Keystone).
CONTEXT_OPTIONS = tuple(field for field in RequestContext.FIELDS if field != 'auth_token_info')


def settings_from_params(params):
    """ConnectionSettings from a module's validated parameters.

    With auth_url, the request context comes from Keystone (one token for the whole run), fetched
    only after every option has been checked.
    """
    keystone.check_options(params)
    values = dict((key, params.get(key)) for key in CONTEXT_OPTIONS)
    if params.get('auth_url'):
        # The password goes to Keystone only; the token stands for it from here on.
        values['password'] = None
    settings = ConnectionSettings(
        transport_url=params.get('transport_url'),
        exchange=params.get('exchange'),
        topic=params.get('topic'),
        timeout=params.get('rpc_timeout'),
        connect_timeout=params.get('connect_timeout'),
        call_monitor_timeout=params.get('call_monitor_timeout'),
        ssl=params.get('ssl'),
        ssl_ca_file=params.get('ssl_ca_file'),
        ssl_cert_file=params.get('ssl_cert_file'),
        ssl_key_file=params.get('ssl_key_file'),
        ssl_trust_system_store=params.get('ssl_trust_system_store'),
        api_version_cap=params.get('api_version_cap'),
        context=RequestContext(**values),
        persistent=params.get('persistent'),
        persistent_idle_timeout=params.get('persistent_idle_timeout'),
        persistent_dir=params.get('persistent_dir'),
    )
    if params.get('auth_url'):
        values.update(keystone.context_from_keystone(params, timeout=params.get('rpc_timeout')))
        settings.context = RequestContext(**values)
        for secret in settings.context.secrets + [params.get('password'), params.get('application_credential_secret')]:
            settings.scrubber.add(secret)
    return settings


def settings_from_options(given):
    """ConnectionSettings from the connection options a controller plugin (inventory, lookup) was given.

    ``given`` holds what the user wrote (other keys are ignored). The options go through
    connection_argument_spec() as a module's do: same types, defaults and HEAT_RPC_* environment
    fallbacks. Bad values raise ConfigurationError naming the option. A controller plugin always
    connects in its own process: the persistent helper is for module runs (HEAT_RPC_PERSISTENT
    does not start one on the controller).
    """
    spec = connection_argument_spec()
    options = dict((key, value) for key, value in (given or {}).items() if key in spec and value is not None)
    result = ArgumentSpecValidator(spec).validate(options)
    if result.error_messages:
        raise errors.ConfigurationError('; '.join(result.error_messages))
    params = dict(result.validated_parameters, persistent=False)
    return settings_from_params(params)

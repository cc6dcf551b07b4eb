# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module side: the shared connection argument spec and a module base class.

Every module builds a HeatRpcModule with its own options; the connection
options, their environment-variable fallbacks, the EngineClient's lifetime,
secret masking and the mapping of errors to ``fail_json`` live here once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc import keystone
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import (
    DEFAULT_PERSISTENT_DIR, ConnectionSettings, RequestContext,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient


# Verbosity (-vvv) from which the engine's traceback is returned with a failure.
TRACEBACK_VERBOSITY = 3


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


def oslo_messaging_import_error(persistent):
    """None when oslo.messaging can be used, else the ImportError to report.

    A run through the persistent helper only looks the library up (the helper imports it); any
    other run imports it here, as it is about to use it.
    """
    if persistent:
        if importlib.util.find_spec('oslo_messaging') is not None:
            return None
        return ImportError("No module named 'oslo_messaging'")
    from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc import transport
    return None if transport.HAS_OSLO_MESSAGING else transport.OSLO_MESSAGING_IMPORT_ERROR


class HeatRpcModule:
    """An AnsibleModule with the connection options and an EngineClient built on demand.

    A module builds one with its argument spec and calls ``run(SomeRunner)``: the runner's ``run()``
    returns the result dict; any HeatRpcError it raises becomes a failed task with a one-sentence
    message, ``error`` (kind, remote_name, method) and, at -vvv, the engine traceback. The client is
    closed whatever happens, an unexpected exception included.
    """

    def __init__(self, argument_spec, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec)
        kwargs.setdefault('supports_check_mode', True)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.diff_mode = self.module._diff
        self._client = None
        import_error = oslo_messaging_import_error(self.params.get('persistent'))
        if import_error is not None:
            self.module.fail_json(msg=missing_required_lib('oslo.messaging'),
                                  error=errors.ConfigurationError('oslo.messaging is missing').to_dict(),
                                  exception=''.join(traceback.format_exception_only(type(import_error), import_error)))
        try:
            self.settings = settings_from_params(self.params)
        except errors.HeatRpcError as exc:
            self.module.fail_json(msg=str(exc), error=exc.to_dict())
        # Ansible masks no_log values only where they appear whole; the broker password inside
        # transport_url, and its URL-encoded spellings, must be masked too.
        self.module.no_log_values.update(self.settings.scrubber.secret_values())

    @property
    def client(self):
        if self._client is None:
            self._client = EngineClient(self.settings)
        return self._client

    def add_secrets(self, values):
        """Mask ``values`` wherever they appear in the task's output (msg, events, diff, traceback, ...)."""
        self.module.no_log_values.update(value for value in values if value)

    def warn(self, message):
        self.module.warn(self.scrub(message))

    def close(self):
        if self._client is not None:
            self._client.close()
            # Why a persistent run connected in process after all (helper could not be started, ...).
            for notice in self._client.connection_notices():
                self.warn(notice)
            self._client = None

    def scrub(self, value):
        return self.settings.scrubber.scrub(value)

    def _fail_from_error(self, exc):
        """Fail the task for a HeatRpcError, with the engine's traceback only at high verbosity."""
        # Errors that end a wait carry the result to return with the failure (stack, events, ...).
        result = dict(getattr(exc, 'result', None) or {})
        # A failure after a write the engine took (or may have taken) is still a change.
        result['changed'] = bool(result.get('changed') or (self._client is not None and self._client.writes_sent))
        result['error'] = exc.to_dict()
        if exc.details and self.module._verbosity >= TRACEBACK_VERBOSITY:
            result['engine_traceback'] = exc.details
        self.close()
        self.module.fail_json(msg=self.scrub(str(exc)), **self.scrub(result))

    def run(self, runner_class):
        """Run ``runner_class(self).run()`` and end the task with its result (or its typed failure)."""
        try:
            result = runner_class(self).run()
        except errors.HeatRpcError as exc:
            self._fail_from_error(exc)
        finally:
            self.close()
        self.module.exit_json(**self.scrub(result))


def require_positive(params, *names):
    """Refuse an option of ``names`` set to zero or less (Ansible's types allow them)."""
    for name in names:
        if params.get(name) is not None and params[name] <= 0:
            raise errors.ConfigurationError('%s must be a positive number, not %s' % (name, params[name]))


class Runner:
    """Base of the runners: the decisions of one module (or family), given the module's options.

    A runner raises typed errors (errors.py) and never ends the task itself. The client is built on
    first use, so a runner that refuses its options sends nothing.
    """

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.check_mode = module.check_mode
        self.diff_mode = module.diff_mode

    @property
    def client(self):
        return self.module.client

    def run(self):
        raise NotImplementedError

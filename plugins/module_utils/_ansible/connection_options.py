# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The connection options every module and controller plugin takes, and the settings made of them.

The one table of connection options (OPTIONS: name, type, default, HEAT_RPC_* variable, where the value
goes) and the one place that turns what a user wrote (task options, HEAT_RPC_* variables, Keystone) into
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
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent import directory
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import ConnectionSettings, RequestContext


def nonempty_env_fallback(*names):
    """The first of ``names`` set to a non-empty value in the environment.

    AWX sets every variable a credential type injects, with '' for the fields left blank; such a
    variable counts as unset here, so the option's default applies.
    """
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    raise AnsibleFallbackNotFound


# Where an option's value goes (the ``goes_to`` of a row).
CONNECTION = 'connection'  # ConnectionSettings' ``connection`` dict: what the transport and a persistent helper use
SETTINGS = 'settings'  # an argument of ConnectionSettings of its own (not the helper's business)
CONTEXT = 'context'  # a field of the RequestContext sent with every call
BOOTSTRAP = 'bootstrap'  # read while the settings are built, then dropped (Keystone authentication)


class Option:
    """One connection option: how a user gives it, and where its value goes.

    ``field`` is its name where it goes (ConnectionSettings' ``timeout`` for ``rpc_timeout``); it is the
    option's own name unless given. ``blank_is_default``: an empty value ('' or null in a task) means the
    default, not "none".
    """

    def __init__(self, name, option_type, default, variable, goes_to, field=None, no_log=None, elements=None,
                 blank_is_default=False):
        self.name = name
        self.type = option_type
        self.default = default
        self.variable = variable
        self.goes_to = goes_to
        self.field = field or name
        self.no_log = no_log
        self.elements = elements
        self.blank_is_default = blank_is_default

    def argument_spec(self):
        spec = dict(type=self.type, fallback=(nonempty_env_fallback, [self.variable]))
        if self.default is not None:
            spec['default'] = self.default
        if self.no_log is not None:
            spec['no_log'] = self.no_log
        if self.elements is not None:
            spec['elements'] = self.elements
        return spec

    def value(self, values):
        """This option's value in ``values`` (keyed by option name)."""
        value = values.get(self.name)
        if self.blank_is_default and not value:
            return self.default
        return value


# Every connection option, once: the argument spec, the settings and a persistent helper's settings are derived
# from here, and the ``connection`` doc fragment is checked against it (tests/unit/.../test_connection_options.py).
# The order is the argument spec's and the doc fragment's.
OPTIONS = (
    # name, type, default, HEAT_RPC_* variable, where the value goes (and, for some, more)
    Option('transport_url', 'str', None, 'HEAT_RPC_TRANSPORT_URL', CONNECTION, no_log=True),
    Option('exchange', 'str', 'heat', 'HEAT_RPC_EXCHANGE', CONNECTION),
    Option('topic', 'str', 'engine', 'HEAT_RPC_TOPIC', CONNECTION),
    Option('rpc_timeout', 'float', 60, 'HEAT_RPC_TIMEOUT', CONNECTION, field='timeout'),
    Option('connect_timeout', 'float', 10, 'HEAT_RPC_CONNECT_TIMEOUT', CONNECTION),
    Option('call_monitor_timeout', 'float', 30, 'HEAT_RPC_CALL_MONITOR_TIMEOUT', CONNECTION),
    Option('api_version_cap', 'str', None, 'HEAT_RPC_API_VERSION_CAP', SETTINGS),
    Option('ssl', 'bool', False, 'HEAT_RPC_SSL', CONNECTION),
    Option('ssl_ca_file', 'path', None, 'HEAT_RPC_SSL_CA_FILE', CONNECTION),
    Option('ssl_cert_file', 'path', None, 'HEAT_RPC_SSL_CERT_FILE', CONNECTION),
    Option('ssl_key_file', 'path', None, 'HEAT_RPC_SSL_KEY_FILE', CONNECTION, no_log=False),
    Option('ssl_trust_system_store', 'bool', False, 'HEAT_RPC_SSL_TRUST_SYSTEM_STORE', CONNECTION),
    Option('username', 'str', None, 'HEAT_RPC_USERNAME', CONTEXT),
    Option('password', 'str', None, 'HEAT_RPC_PASSWORD', CONTEXT, no_log=True),
    Option('user_id', 'str', None, 'HEAT_RPC_USER_ID', CONTEXT),
    Option('project_id', 'str', None, 'HEAT_RPC_PROJECT_ID', CONTEXT),
    Option('project_name', 'str', None, 'HEAT_RPC_PROJECT_NAME', CONTEXT),
    Option('user_domain_id', 'str', 'default', 'HEAT_RPC_USER_DOMAIN_ID', CONTEXT),
    Option('project_domain_id', 'str', 'default', 'HEAT_RPC_PROJECT_DOMAIN_ID', CONTEXT),
    Option('roles', 'list', None, 'HEAT_RPC_ROLES', CONTEXT, elements='str'),
    Option('is_admin', 'bool', False, 'HEAT_RPC_IS_ADMIN', CONTEXT),
    Option('auth_token', 'str', None, 'HEAT_RPC_AUTH_TOKEN', CONTEXT, no_log=True),
    Option('region_name', 'str', None, 'HEAT_RPC_REGION_NAME', CONTEXT),
    Option('auth_url', 'str', None, 'HEAT_RPC_AUTH_URL', BOOTSTRAP),
    Option('user_domain_name', 'str', None, 'HEAT_RPC_USER_DOMAIN_NAME', BOOTSTRAP),
    Option('project_domain_name', 'str', None, 'HEAT_RPC_PROJECT_DOMAIN_NAME', BOOTSTRAP),
    Option('application_credential_id', 'str', None, 'HEAT_RPC_APPLICATION_CREDENTIAL_ID', BOOTSTRAP),
    Option('application_credential_secret', 'str', None, 'HEAT_RPC_APPLICATION_CREDENTIAL_SECRET', BOOTSTRAP, no_log=True),
    Option('auth_ca_file', 'path', None, 'HEAT_RPC_AUTH_CA_FILE', BOOTSTRAP),
    # The modules' persistent helper (the doc fragment's PERSISTENT part; controller plugins never use it).
    # No default: not set means the helper when it can be used, quietly in process otherwise (settings.HELPER_USE).
    Option('persistent', 'bool', None, 'HEAT_RPC_PERSISTENT', SETTINGS),
    Option('persistent_idle_timeout', 'float', 60, 'HEAT_RPC_PERSISTENT_IDLE_TIMEOUT', CONNECTION),
    Option('persistent_dir', 'path', directory.DEFAULT_DIR, directory.DIR_VARIABLE, CONNECTION,
           blank_is_default=True),
)


def options_going_to(goes_to):
    return [option for option in OPTIONS if option.goes_to == goes_to]


def connection_argument_spec():
    """The connection options every module takes (documented in the ``connection`` doc fragment)."""
    return dict((option.name, option.argument_spec()) for option in OPTIONS)


def _settings(values, context):
    """ConnectionSettings from ``values`` (option name -> value; an option left out counts as None)."""
    connection = dict((option.field, option.value(values)) for option in options_going_to(CONNECTION))
    arguments = dict((option.field, option.value(values)) for option in options_going_to(SETTINGS))
    return ConnectionSettings(connection, context=context, **arguments)


def connection_settings(transport_url, context=None, **overrides):
    """ConnectionSettings for a caller that is not a module (tests, benchmarks): the table's defaults but ``overrides``.

    ``overrides`` are named as in ConnectionSettings (``timeout``, not the option ``rpc_timeout``):
    a ``connection`` value, ``api_version_cap`` or ``persistent``. No HEAT_RPC_* variable is read.
    Such a caller connects in its own process unless it asks for the helper (``persistent=True``): it is
    one long-lived process, which the helper would not make cheaper (as the controller plugins).
    """
    by_field = dict((option.field, option) for option in options_going_to(CONNECTION) + options_going_to(SETTINGS))
    unknown = sorted(set(overrides) - set(by_field))
    if unknown:
        raise TypeError('connection_settings() got unknown settings: %s' % ', '.join(unknown))
    values = dict((option.name, option.default) for option in by_field.values())
    values['persistent'] = False
    values.update((by_field[field].name, value) for field, value in overrides.items())
    values['transport_url'] = transport_url
    return _settings(values, context)


def settings_from_params(params):
    """ConnectionSettings from a module's validated parameters.

    With auth_url, the request context comes from Keystone (one token for the whole run), fetched
    only after every option has been checked.
    """
    keystone.check_options(params)
    values = dict((option.field, params.get(option.name)) for option in options_going_to(CONTEXT))
    if params.get('auth_url'):
        # The password goes to Keystone only; the token stands for it from here on.
        values['password'] = None
    settings = _settings(params, RequestContext(**values))
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

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The small error hierarchy every module works with.

The EngineClient turns whatever goes wrong (an exception raised inside
heat-engine and sent back over RPC, an oslo.messaging timeout, a refused
broker login, a TLS failure) into one of these classes. Heat is not installed
where the modules run, so remote errors are recognised by class name.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class HeatRpcError(Exception):
    """Base class. ``message`` is one sentence for the user.

    ``remote_name`` is the engine-side exception class name, when there is one,
    and ``details`` the engine's traceback or other diagnostics, meant only
    for high verbosity.
    """

    kind = 'error'

    def __init__(self, message, remote_name=None, details=None, method=None):
        super(HeatRpcError, self).__init__(message)
        self.message = message
        self.remote_name = remote_name
        self.details = details
        self.method = method

    def __str__(self):
        return self.message

    def to_dict(self):
        """What a module returns about the error (never secrets: messages are scrubbed upstream)."""
        return {'kind': self.kind, 'remote_name': self.remote_name, 'method': self.method}


class NotFoundError(HeatRpcError):
    """The stack, resource, snapshot, config or deployment does not exist."""
    kind = 'not_found'


class ValidationFailedError(HeatRpcError):
    """The engine rejected a template, parameter, property or argument."""
    kind = 'validation_failed'


class ConflictError(HeatRpcError):
    """The object exists already, or an action is in progress on it."""
    kind = 'conflict'


class NotSupportedError(HeatRpcError):
    """This engine (or the configured API version cap) cannot do what was asked."""
    kind = 'not_supported'


class AuthError(HeatRpcError):
    """Credentials were refused, by the broker or by the engine."""
    kind = 'auth_refused'


class BrokerUnreachableError(HeatRpcError):
    """No broker host could be reached (connection refused, DNS, network, TLS)."""
    kind = 'broker_unreachable'


class TLSError(BrokerUnreachableError):
    """The TLS handshake with the broker failed (CA, hostname, protocol), or the broker's listeners speak TLS where
    the connection uses plain AMQP (or the reverse); no connection was made, so nothing was sent."""
    kind = 'tls_error'


class EngineNotAnsweringError(HeatRpcError):
    """The message was sent but no heat-engine answered in time."""
    kind = 'engine_not_answering'


class OutcomeUnknownError(EngineNotAnsweringError):
    """A write was sent but no answer came: it may or may not have happened."""
    kind = 'outcome_unknown'


class KeystoneError(HeatRpcError):
    """Keystone (auth_url) could not be reached or failed otherwise than by refusing the credentials."""
    kind = 'keystone_error'


class ConfigurationError(HeatRpcError):
    """The connection options themselves are wrong (bad URL, missing CA, ...)."""
    kind = 'configuration'


class EngineError(HeatRpcError):
    """Any other error raised inside heat-engine."""
    kind = 'engine_error'


class FailureWithFacts(HeatRpcError):
    """A failure that carries facts of its own to return with it (``result``): Runner.run() returns them over
    what the task did so far."""

    def __init__(self, message, result=None):
        super(FailureWithFacts, self).__init__(message)
        self.result = result or {}


class StackFailed(FailureWithFacts):
    """The stack (or its snapshot) ended in a state that is not the one asked for.

    ``result`` carries what the module returns with the failure (stack, failed resources, events, ...).
    """
    kind = 'stack_failed'


class WaitTimeout(FailureWithFacts):
    """A wait's deadline passed with the work still going on; ``last`` holds the last state seen.

    ``result`` carries what the module returns with the failure (for a stack: it, its failed resources
    and the events of the action so far).
    """
    kind = 'wait_timeout'

    def __init__(self, message, last=None, result=None):
        super(WaitTimeout, self).__init__(message, result)
        self.last = last


class EngineDeadError(FailureWithFacts):
    """A stack's action is in progress, but no heat-engine alive now can be running it: the engine that took it
    died, and heat-engine never resumes such an action. ``last`` holds the stack as last seen.
    """
    kind = 'engine_dead'

    def __init__(self, message, last=None, result=None):
        super(EngineDeadError, self).__init__(message, result)
        self.last = last


# Engine-side exception class names (heat.common.exception and friends) by category.
_REMOTE_CATEGORIES = (
    (NotFoundError, (
        'EntityNotFound', 'NotFound', 'ResourceNotFound', 'SnapshotNotFound', 'StackNotFound',
        'PhysicalResourceNotFound', 'ResourceTypeNotFound', 'TemplateNotFound',
    )),
    (ValidationFailedError, (
        'StackValidationFailed', 'InvalidTemplateVersion', 'InvalidTemplateVersions', 'InvalidTemplateSection',
        'InvalidTemplateAttribute', 'InvalidTemplateReference', 'TemplateOutputError', 'UserParameterMissing',
        'UnknownUserParameter', 'ImmutableParameterModified', 'InvalidMergeStrategyForParam',
        'ConflictingMergeStrategyForParam', 'InvalidSchemaError', 'InvalidGlobalResource',
        'InvalidBreakPointHook', 'InvalidRestrictedAction', 'ResourceTypeUnavailable', 'PropertyUnspecifiedError',
        'ResourcePropertyConflict', 'ResourcePropertyDependency', 'ResourcePropertyValueDependency',
        'InvalidContentType', 'RequestLimitExceeded', 'StackResourceLimitExceeded', 'Invalid',
        'InvalidExternalResourceDependency', 'CircularDependencyException', 'InvalidServiceVersion',
        'MissingCredentialError', 'ValueError', 'TypeError', 'KeyError', 'InvalidEncryptionKey',
        'DownloadLimitExceeded', 'HeatInvalidEncodingError',
    )),
    (ConflictError, (
        'StackExists', 'ActionInProgress', 'ActionNotComplete', 'StopActionFailed', 'ConcurrentTransaction',
        'PhysicalResourceExists', 'PhysicalResourceNameAmbiguity', 'PhysicalResourceIDAmbiguity',
        'UpdateInProgress', 'ResourceActionRestricted',
    )),
    (NotSupportedError, (
        'NoSuchMethod', 'UnsupportedVersion', 'NotSupported', 'ResourceActionNotSupported',
    )),
    (AuthError, (
        'Forbidden', 'NotAuthorized', 'NotAuthenticated', 'AuthorizationFailure', 'InvalidTenant',
        # keystoneauth1's HTTP 401, raised in the engine when Keystone refuses the context's token.
        'Unauthorized',
    )),
)

REMOTE_ERROR_CLASSES = {}
for _cls, _names in _REMOTE_CATEGORIES:
    for _name in _names:
        REMOTE_ERROR_CLASSES[_name] = _cls


def local_error_name(error):
    """The engine-side class name of ``error``, with oslo.messaging's ``_Remote`` suffix removed.

    oslo.messaging delivers an engine exception either as ``RemoteError`` (its
    ``exc_type`` names the class) or, for built-in exceptions, as a subclass
    named ``<Name>_Remote``.
    """
    exc_type = getattr(error, 'exc_type', None)
    if exc_type:
        return str(exc_type).split('_Remote', maxsplit=1)[0]
    return type(error).__name__.split('_Remote', maxsplit=1)[0]


def remote_message(error):
    """The engine's own message for a remote error, without its traceback."""
    value = getattr(error, 'value', None)
    if value is not None:
        text = str(value)
    else:
        # Builtin exceptions carry "message\n<traceback>" as their first argument; str() of some
        # (KeyError) would quote it, so the argument itself is read.
        first = error.args[0] if error.args and isinstance(error.args[0], str) else str(error)
        text = first.split('\nTraceback (most recent call last)', maxsplit=1)[0]
    return text.strip()


def classify_remote(error, method=None):
    """Turn an exception delivered from the engine into a HeatRpcError subclass."""
    name = local_error_name(error)
    cls = REMOTE_ERROR_CLASSES.get(name, EngineError)
    message = remote_message(error) or name
    if name == 'NoSuchMethod':
        message = ("this heat-engine has no RPC method '%s' (it was removed or is newer than the engine)"
                   % (method or '?'))
    elif name == 'UnsupportedVersion':
        message = ("this heat-engine does not support the RPC API version needed for '%s'; "
                   "set api_version_cap to the engine's version" % (method or '?'))
    elif name == 'BadRequest' and 'trustor_user_id' in message:
        # heat builds the trust's trustor from the token's body; with a bare token it sends none.
        cls = AuthError
        message = ('heat-engine could not create a Keystone trust from the request context: a bare auth_token is '
                   'not enough, the engine needs the token\'s body (auth_token_info) as heat-api passes it. Set '
                   'auth_url (with username/password or an application credential) so that the modules get both '
                   'from Keystone')
    elif cls is AuthError:
        message = ('heat-engine refused the request context (%s %s): an engine that uses Keystone (deferred_auth_method '
                   '= trusts) needs a valid auth_token in the context; a wrong, expired or revoked token is refused '
                   'by Keystone. Set auth_url (with username/password or an application credential) to get a fresh '
                   'token for each run' % (name, message))
    details = getattr(error, 'traceback', None)
    if isinstance(details, list):
        details = ''.join(details)
    if not details:
        details = str(error)
    return cls(message, remote_name=name, details=details, method=method)

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Ansible adapter: an AnsibleModule with the connection options and an EngineClient.

Every module builds a HeatRpcModule with its own options and hands over to a runner
(``_runners/``); the EngineClient's lifetime, secret masking and the mapping of typed errors to
``fail_json`` live here once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import importlib.util
import json
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_argument_spec, settings_from_params
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import uses_helper
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient


# Verbosity (-vvv) from which the engine's traceback is returned with a failure.
TRACEBACK_VERBOSITY = 3


def oslo_messaging_import_error(persistent):
    """None when oslo.messaging can be used, else the ImportError to report.

    A run through the persistent helper (``persistent`` true or not set) only looks the library up (the
    helper imports it); a run told to connect itself imports it here, as it is about to use it.
    """
    if uses_helper(persistent):
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

    def plan_key(self):
        """The key of approved plans (_heat/plans.py): from the connection's own secrets, which every run that
        may apply a plan has, and which do not change from run to run (a Keystone token would)."""
        secrets = [self.params.get(name) or '' for name in ('transport_url', 'password', 'application_credential_secret')]
        return hashlib.sha256(json.dumps(['heat_rpc.engine plan key'] + secrets).encode('utf-8')).digest()

    def add_secrets(self, values):
        """Mask ``values`` wherever they appear in the task's output (msg, events, diff, traceback, ...).

        The one place every module's secrets go: Ansible masks its ``no_log_values`` in the invocation, ``msg``
        and every returned field, nested ones included (ansible-core 2.16 to 2.21), but not in warnings
        (2.19 and later): the scrubber, which warn() and the task's end apply, masks those. Neither masks
        dictionary keys; engine text is in values.
        """
        values = [value for value in values if value]
        self.module.no_log_values.update(values)
        for value in values:
            self.settings.scrubber.add(value)

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

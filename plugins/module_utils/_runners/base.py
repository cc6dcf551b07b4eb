# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every runner shares: the base class and the option checks they all make."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.secrets import mask_stack_secrets


def sent_inputs(client, inputs, method):
    """(environment, files, environment_files) of ``inputs`` to send with ``method`` under the API version cap."""
    layers = inputs.environment_files
    return inputs.sent(not layers or client.allows(method, environment_files=layers))


def require_positive(params, *names):
    """Refuse an option of ``names`` set to zero or less (Ansible's types allow them)."""
    for name in names:
        if params.get(name) is not None and params[name] <= 0:
            raise errors.ConfigurationError('%s must be a positive number, not %s' % (name, params[name]))


class Runner:
    """Base of the runners: the decisions of one module (or family), given the module's options.

    A runner implements ``perform()``, which returns the task's result; it raises typed errors
    (errors.py) and never ends the task itself. What it has done so far is in ``self.result``: a
    failure that carries facts of its own (``result``: a failed wait, a protected resource) returns them over it.
    The client is built on first use, so a runner that refuses its options sends nothing.

    A runner that works on an existing stack sets ``stack_identity`` when it has found it: whatever the run
    ends with, the hidden values that stack holds where they can be read are masked in everything the task
    returns (the engine quotes them in status reasons, events and output errors), unless the task asked for
    the stack's own data (``returns_stack_data``).
    """

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.check_mode = module.check_mode
        self.diff_mode = module.diff_mode
        self.result = {'changed': False}
        self.stack_identity = None

    @property
    def client(self):
        return self.module.client

    def returns_stack_data(self):
        """True when the task asks for the stack's data (export, abandon, a snapshot's data): hidden values are
        the point of it and must not be masked there."""
        return False

    def run(self):
        """The task's result, or its typed failure with what the task did so far under the failure's facts."""
        try:
            result = self.perform()
        except errors.HeatRpcError as exc:
            if isinstance(exc, errors.FailureWithFacts):
                exc.result = dict(self.result, **exc.result)
            self.mask_stack_secrets(exc)
            raise
        self.mask_stack_secrets()
        return result

    def mask_stack_secrets(self, failure=None):
        """Have the module mask the hidden values the found stack holds (see the class docstring).

        After a failure, a stack that cannot be read changes nothing: the failure is the task's end either way.
        """
        if self.stack_identity is None or self.returns_stack_data():
            return
        mask_stack_secrets(self.client, self.stack_identity, self.module.add_secrets, failure)

    def perform(self):
        raise NotImplementedError

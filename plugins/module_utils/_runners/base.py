# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every runner shares: the base class and the option checks they all make."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors


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
    """

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.check_mode = module.check_mode
        self.diff_mode = module.diff_mode
        self.result = {'changed': False}

    @property
    def client(self):
        return self.module.client

    def run(self):
        """The task's result, or its typed failure with what the task did so far under the failure's facts."""
        try:
            return self.perform()
        except errors.FailureWithFacts as exc:
            exc.result = dict(self.result, **exc.result)
            raise

    def perform(self):
        raise NotImplementedError

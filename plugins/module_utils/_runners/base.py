# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every runner shares: the base class and the option checks they all make."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors


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

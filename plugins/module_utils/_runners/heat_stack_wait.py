# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_stack_wait: wait, without acting, until a stack settles, reaches given states or is gone.

The wait and the judgement are StackOutcome's (waiting.py), so a stack reaching a failed state fails
this task exactly as it fails heat_stack; WaitTarget says what is waited for.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.base import Runner, require_positive
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import shape_stack
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import StackService
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import StackOutcome, WaitTarget


class StackWaitRunner(Runner):
    """Reads the stack until the target is reached; never writes, so never changed."""

    def perform(self):
        require_positive(self.params, 'wait_timeout')
        target = WaitTarget.parse(self.params['state'])
        service = StackService(self.client)
        result = self.result
        result['stack'] = None
        identity = service.identify(self.params['stack'])
        raw = service.show(identity, resolve_outputs=False) if identity is not None else None
        if raw is None:
            if target.accepted == (None,):
                return result
            raise errors.NotFoundError("stack '%s' not found" % self.params['stack'], method='identify_stack')
        result['stack'] = shape_stack(raw)
        self.stack_identity = identity
        outcome = StackOutcome(self.client, service, self.params['wait_timeout'])
        final = outcome.finish(identity, target.settles_in, target.accepted, rollback=target.rollback)
        if final is not None:
            result['stack'] = shape_stack(service.show(identity) or final)
        else:
            result['stack'] = None
        return result

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_stack_hook: list, wait for and clear the breakpoint hooks a stack is paused on."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.hooks import HookFinder, check_patterns
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.base import Runner, require_positive
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import shape_stack
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import StackService, require_stack
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import HEALTHY_ACTIONS, StackOutcome

# A wait for a hook ends well when the stack's action ends healthy (as heat_stack_wait's settled) or the stack is gone.
ENDED_WELL = tuple(action + '_COMPLETE' for action in HEALTHY_ACTIONS) + (None,)


class HookRunner(Runner):
    """list: the pending hooks; wait: until one is reached (or the action ends); clear: release the pending ones."""

    def perform(self):
        params = self.params
        check_patterns(params['resources'], 'resources')
        require_positive(params, 'wait_timeout')
        if params['action'] == 'clear' and not params['resources']:
            raise errors.ConfigurationError('action=clear needs resources: the patterns of the hooks to clear '
                                            '(["*"] for every top-level resource)')
        self.client.require('1.31', 'heat_stack_hook (it reads the events of nested stacks: list_events nested_depth)')
        service = StackService(self.client)
        raw = require_stack(service, params['stack'])
        identity = self.stack_identity = raw['stack_identity']
        finder = HookFinder(self.client, identity, params['resources'], params['hook'])
        result = self.result
        if params['action'] == 'wait':
            outcome = StackOutcome(self.client, service, params['wait_timeout'])
            # Judged as heat_stack judges the same wait: a failed create or update is followed through its rollback.
            raw, hooks = outcome.until_hook(identity, None, ENDED_WELL, finder.pending, rollback=True)
        else:
            hooks = finder.pending(raw)
        result['hooks'] = hooks
        if params['action'] == 'clear':
            result['cleared'] = self.clear(hooks)
            result['changed'] = bool(result['cleared'])
            raw = service.show(identity, resolve_outputs=False) or raw
        result['stack'] = shape_stack(raw) if raw is not None else None
        return result

    def clear(self, hooks):
        """Signal unset_hook to each hook's resource in its own stack; the hooks cleared (or to clear, in check mode)."""
        if self.check_mode:
            return hooks
        cleared = []
        for hook in hooks:
            try:
                self.client.resource_signal(None, hook['stack_identity'], hook['resource'],
                                            {'unset_hook': hook['hook']}, sync_call=True)
            except errors.ValidationFailedError as exc:
                if exc.remote_name != 'InvalidBreakPointHook':
                    raise
                continue  # released meanwhile (by another run): what was asked holds, and this run changed nothing
            cleared.append(hook)
        return cleared

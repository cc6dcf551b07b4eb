# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_stack_action: check, suspend, resume, cancel_update, export or abandon one stack."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.base import Runner, require_positive
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import shape_stack, stack_state
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import StackService, require_stack
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import StackOutcome, last_action_time

ACTIONS = ('check', 'suspend', 'resume', 'cancel_update', 'abandon', 'export')


def is_in_progress(raw):
    return raw.get('stack_status') == 'IN_PROGRESS'


def needs_action(action, raw):
    """False when the action would change nothing (suspend of a suspended stack, resume of a running one)."""
    state = (raw.get('stack_action'), raw.get('stack_status'))
    if action == 'suspend':
        return state != ('SUSPEND', 'COMPLETE')
    if action == 'resume':
        return state[0] == 'SUSPEND' or state == ('RESUME', 'FAILED')
    return True


def refuse_if_busy(action, raw):
    if action in ('check', 'suspend', 'resume') and is_in_progress(raw):
        raise errors.ConflictError("cannot %s stack '%s': it is %s; wait until it settles"
                                   % (action, raw.get('stack_name'), stack_state(raw)))


def check_cancellable(raw, with_rollback):
    allowed = ('UPDATE',) if with_rollback else ('UPDATE', 'CREATE')
    if is_in_progress(raw) and raw.get('stack_action') in allowed:
        return
    raise errors.NotSupportedError(
        "cannot cancel_update stack '%s': it is %s, and only a stack with %s in progress can be cancelled%s"
        % (raw.get('stack_name'), stack_state(raw), ' or '.join(allowed),
           '' if not with_rollback else ' (with cancel_with_rollback=false, a create in progress too)'))


def expected_end(action, with_rollback):
    """(stack actions the wait accepts as the end, the ACTION_STATUS values that are success; None: gone).

    A cancel without rollback ends UPDATE_FAILED, or CREATE_FAILED for a create, on purpose; with
    rollback it ends ROLLBACK_COMPLETE. An abandoned stack is gone.
    """
    if action == 'cancel_update':
        if with_rollback:
            return ('ROLLBACK',), ('ROLLBACK_COMPLETE',)
        return ('UPDATE', 'CREATE'), ('UPDATE_FAILED', 'CREATE_FAILED')
    if action == 'abandon':
        return ('DELETE',), (None, 'DELETE_COMPLETE')
    upper = action.upper()
    return (upper,), (upper + '_COMPLETE',)


class StackActionRunner(Runner):
    """One stack action, sent only when it would change something, then waited for and judged."""

    def returns_stack_data(self):
        return self.params['action'] in ('export', 'abandon')

    def perform(self):
        require_positive(self.params, 'wait_timeout')
        action = self.params['action']
        service = StackService(self.client)
        before = require_stack(service, self.params['stack'])
        identity = self.stack_identity = before['stack_identity']
        result = self.result
        result.update(action=action, stack=shape_stack(before))
        if action == 'export':
            result['data'] = self.client.export_stack(None, identity)
            return result
        refuse_if_busy(action, before)
        if action == 'cancel_update':
            check_cancellable(before, self.params['cancel_with_rollback'])
        if not needs_action(action, before):
            return result
        result['changed'] = True
        if self.check_mode:
            if action == 'abandon':
                result['data'] = self.client.export_stack(None, identity)
            return result
        data = self.send(action, identity)
        if action == 'abandon':
            result['data'] = data
        if not self.params['wait']:
            result['stack'] = shape_stack(service.show(identity, resolve_outputs=False) or before)
            return result
        outcome = StackOutcome(self.client, service, self.params['wait_timeout'],
                               since=last_action_time(before))
        settles_in, accepted = expected_end(action, self.params['cancel_with_rollback'])
        final = outcome.finish(identity, settles_in, accepted)
        result['stack'] = shape_stack(final or before)
        return result

    def send(self, action, identity):
        """Send the action; returns the engine's data for abandon, else None."""
        client = self.client
        if action == 'abandon':
            return client.abandon_stack(None, identity)
        if action == 'cancel_update':
            client.stack_cancel_update(None, identity, cancel_with_rollback=self.params['cancel_with_rollback'])
        else:
            getattr(client, 'stack_' + action)(None, identity)
        return None

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_snapshot: a stack's snapshots present (by name), absent, or restored to."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.base import Runner, require_positive
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import shape_snapshot, shape_stack, stack_state
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.snapshots import (
    describe_snapshot, show_snapshot, snapshot_failure,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import StackService, require_stack
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import Poller, StackOutcome, last_action_time


def pick_snapshot(snapshots, name, stack_name, unique):
    """The snapshot called ``name`` among ``snapshots``: None, the newest, or ConflictError when ``unique``."""
    named = [item for item in snapshots if item.get('name') == name]
    if len(named) > 1 and unique:
        raise errors.ConflictError(
            "stack '%s' has %d snapshots named '%s' (ids %s); choose one with the id option"
            % (stack_name, len(named), name, ', '.join(item['id'] for item in named)))
    if not named:
        return None
    return sorted(named, key=lambda item: item.get('creation_time') or '')[-1]


def restore_refusal(snapshot, stack):
    """Why ``snapshot`` cannot be restored to now (None when it can)."""
    if snapshot.get('status') != 'COMPLETE':
        return errors.NotSupportedError("cannot restore snapshot '%s': it is %s"
                                        % (snapshot.get('name'), describe_snapshot(snapshot)))
    if stack.get('stack_status') == 'IN_PROGRESS':
        return errors.ConflictError("cannot restore stack '%s': it is %s; wait until it settles"
                                    % (stack.get('stack_name'), stack_state(stack)))
    return None


class SnapshotRunner(Runner):
    """Drives one snapshot of one stack to the state a heat_snapshot task asks for."""

    def returns_stack_data(self):
        return self.params['include_data']

    def perform(self):
        require_positive(self.params, 'wait_timeout')
        self.service = StackService(self.client)
        self.stack = require_stack(self.service, self.params['stack'])
        self.identity = self.stack_identity = self.stack['stack_identity']
        self.result = {'changed': False, 'snapshot': {}, 'stack': shape_stack(self.stack)}
        state = self.params['state']
        if state == 'present':
            self.ensure_present()
        elif state == 'absent':
            self.ensure_absent()
        else:
            self.ensure_restored()
        return self.result

    # -- reading -------------------------------------------------------------------------------------

    def show(self, snapshot_id):
        return show_snapshot(self.client, self.identity, snapshot_id)

    def find(self, unique):
        """The snapshot with the ``id`` option, else the one called ``name``; None when there is none."""
        if self.params.get('id'):
            return self.show(self.params['id'])
        return pick_snapshot(self.client.stack_list_snapshots(None, self.identity), self.params['name'],
                             self.stack.get('stack_name'), unique)

    def wait_for_snapshot(self, snapshot_id, done):
        return Poller(self.params['wait_timeout']).wait(lambda: self.show(snapshot_id), done, describe_snapshot)

    def shaped(self, raw):
        return shape_snapshot(raw, include_data=self.params['include_data'])

    def outcome(self):
        return StackOutcome(self.client, self.service, self.params['wait_timeout'],
                            since=last_action_time(self.stack))

    # -- states --------------------------------------------------------------------------------------

    def ensure_present(self):
        found = self.find(unique=False)
        if found is None:
            if self.stack.get('stack_status') == 'IN_PROGRESS':
                raise errors.ConflictError("cannot snapshot stack '%s': it is %s; wait until it settles"
                                           % (self.stack.get('stack_name'), stack_state(self.stack)))
            self.result['changed'] = True
            if self.check_mode:
                self.result['snapshot'] = {'name': self.params['name'], 'action': 'CREATE',
                                           'status': 'CREATE_COMPLETE'}
                return
            found = self.client.stack_snapshot(None, self.identity, self.params['name'])
            final = self.outcome().finish(self.identity, ('SNAPSHOT',), ('SNAPSHOT_COMPLETE',))
            self.result['stack'] = shape_stack(final)
        if found.get('status') == 'IN_PROGRESS' and not self.check_mode:
            found = self.wait_for_snapshot(found['id'], lambda raw: raw is None or raw.get('status') != 'IN_PROGRESS')
        self.result['snapshot'] = self.shaped(found)
        failure = snapshot_failure(found)
        if failure:
            raise errors.StackFailed("%s of stack '%s'" % (failure, self.stack.get('stack_name')), self.result)

    def ensure_absent(self):
        found = self.find(unique=True)
        self.result['changed'] = found is not None
        self.result['snapshot'] = self.shaped(found)
        if found is None or self.check_mode:
            return
        if found.get('status') == 'IN_PROGRESS' and found.get('action') != 'DELETE':
            # The engine refuses to delete a snapshot that is being taken: let it finish first.
            self.wait_for_snapshot(found['id'], lambda raw: raw is None or raw.get('status') != 'IN_PROGRESS')
        if found.get('action') != 'DELETE':
            self.client.delete_snapshot(None, self.identity, found['id'])
        gone = self.wait_for_snapshot(found['id'], lambda raw: raw is None or raw.get('status') == 'FAILED')
        if gone is not None:
            self.result['snapshot'] = self.shaped(gone)
            raise errors.StackFailed("deleting snapshot '%s' failed: %s" % (found.get('name'), gone.get('status_reason')),
                                     self.result)

    def ensure_restored(self):
        found = self.find(unique=True)
        if found is None:
            raise errors.NotFoundError("stack '%s' has no snapshot %s" % (
                self.stack.get('stack_name'),
                ("with id '%s'" % self.params['id']) if self.params['id'] else "named '%s'" % self.params['name']))
        refusal = restore_refusal(found, self.stack)
        if refusal is not None:
            raise refusal
        self.result.update(changed=True, snapshot=self.shaped(found))
        if self.check_mode:
            return
        self.client.stack_restore(None, self.identity, found['id'])
        final = self.outcome().finish(self.identity, ('RESTORE',), ('RESTORE_COMPLETE',))
        self.result['stack'] = shape_stack(final)

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_stack's safety gates, decided before the task's first write: protect, the approved plan, the blast
radius of a delete and the snapshot taken before an update that destroys.

StackGates is a part of StackRunner (``_runners/heat_stack.py``), kept apart so that the runner reads as the
order of reads and writes; it uses the runner's ``params``, ``client``, ``module``, ``check_mode``, ``result``
and ``outcome``. What each gate decides is in ``_heat/protection.py``, ``_heat/plans.py`` and
``_heat/snapshots.py``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.plans import (
    Plan, desired_state, found_state, refuse as refuse_plan, summary,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.protection import (
    ProtectedResourceError, blast_radius, deletion_policies, destroyed_by_update, guarded, guarded_by_delete,
    refuse_delete, refuse_update,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import shape_snapshot
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.snapshots import take_snapshot
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import ResourceTree
from ansible_collections.heat_rpc.engine.plugins.module_utils.errors import StackFailed


class StackGates:
    """The gates of StackRunner; each raises a typed error, and sends nothing, when it refuses."""

    # -- snapshot_before -----------------------------------------------------------------------------

    def snapshot_before(self, stored):
        """With snapshot_before, an update that replaces or deletes a resource is preceded by a snapshot of the
        stack, waited for; one that fails stops the task before the update is sent."""
        changes = self.result.get('resource_changes')
        if not self.params.get('snapshot_before') or (changes is not None and not (
                changes.get('replaced') or changes.get('deleted'))):
            return
        name = snapshot_name(stored.raw['stack_name'], time.gmtime())
        if self.check_mode:
            self.result['snapshot'] = {'id': None, 'name': name}
            return
        try:
            raw = take_snapshot(self.client, self.outcome, stored.identity, name)
        except StackFailed as exc:
            raise StackFailed('stack %s was not updated: the snapshot taken first (snapshot_before) failed: %s'
                              % (stored.raw['stack_name'], exc.message), exc.result)
        self.result['snapshot'] = shape_snapshot(raw)

    # -- protect: decided before the first write -------------------------------------------------------

    def check_protected_update(self, stored, preview, nested):
        """Refuse (sending nothing) an update whose preview replaces or deletes a protected resource."""
        patterns = self.params.get('protect')
        if not patterns:
            return
        if not nested:
            raise self.unprotectable(stored, 'this engine (or api_version_cap) previews only the top stack, not '
                                             'nested stacks')
        tree = ResourceTree.read(self.client, stored.identity)
        protected = guarded(destroyed_by_update(preview, tree, stored.raw['stack_name']), patterns)
        if protected:
            refuse_update(stored.raw['stack_name'], protected, self.result.get('resource_changes'))

    @staticmethod
    def unprotectable(stored, why):
        return ProtectedResourceError('stack %s was not updated: protect is set, and what the update would destroy '
                                      'cannot be known: %s. Nothing was sent' % (stored.raw['stack_name'], why))

    def gate_delete(self, raw):
        """The gates of a delete, before anything is sent: check mode lists what it removes (the blast radius);
        protect refuses one that destroys a protected resource, unless its deletion policy is Retain; the
        approved plan must match."""
        patterns = self.params.get('protect')
        if not (patterns or self.check_mode or self.params.get('approved_plan')):
            return
        identity = raw['stack_identity']
        tree = ResourceTree.read(self.client, identity)
        radius = blast_radius(tree, deletion_policies(self.client, identity, tree))
        if self.check_mode:
            self.result['blast_radius'] = radius
        protected = guarded_by_delete(radius, patterns)
        if protected:
            refuse_delete(raw['stack_name'], protected, radius)
        self.plan_gate('delete', found_state(raw), None, radius=radius)

    # -- approved plans: decided before the first write ----------------------------------------------------

    def plan_gate(self, action, stored, desired, differences=None, changes=None, radius=None):
        """Check mode returns the plan of what the task would do; with approved_plan, the plan made now must be
        the approved one, else nothing is sent."""
        approved = self.params.get('approved_plan')
        if not (self.check_mode or approved):
            return
        options = dict((name, self.params.get(name)) for name in ('existing', 'converge', 'clear_parameters'))
        plan = Plan(self.module.plan_key(), stored, desired_state(self.params['state'], desired, options),
                    radius if radius is not None else changes)
        if self.check_mode:
            self.result['plan'] = plan.id
            self.result['plan_summary'] = summary(action, self.params['name'], differences, changes, radius)
        moved = plan.moved_since(approved) if approved else []
        if moved:
            refuse_plan(self.params['name'], moved, approved, plan)


def snapshot_name(stack_name, moment):
    """The name of a snapshot_before snapshot: the stack's and the moment's (a time.struct_time, UTC)."""
    return '%s-before-update-%s' % (stack_name, time.strftime('%Y%m%dT%H%M%SZ', moment))

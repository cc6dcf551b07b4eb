# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Stack snapshots: how one is described, when one failed, and taking one and waiting for it (heat_snapshot,
and heat_stack's snapshot_before)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import combined_status


def describe_snapshot(raw):
    if raw is None:
        return 'snapshot not found'
    return '%s (%s)' % (combined_status(raw.get('action'), raw.get('status')), raw.get('status_reason'))


def snapshot_failure(raw):
    """Why a snapshot that should be complete is not (None when it is)."""
    if raw is None:
        return 'the snapshot disappeared while it was being taken'
    if raw.get('status') != 'COMPLETE':
        return "snapshot '%s' is %s" % (raw.get('name'), describe_snapshot(raw))
    return None


def show_snapshot(client, identity, snapshot_id):
    try:
        return client.show_snapshot(None, identity, snapshot_id)
    except errors.NotFoundError:
        return None


def take_snapshot(client, outcome, identity, name):
    """Take a snapshot called ``name`` of the stack ``identity`` and wait for it (``outcome``: a StackOutcome).

    Returns the raw snapshot, COMPLETE; a snapshot that fails raises StackFailed with its reason.
    """
    taken = client.stack_snapshot(None, identity, name)
    outcome.finish(identity, ('SNAPSHOT',), ('SNAPSHOT_COMPLETE',))
    raw = show_snapshot(client, identity, taken['id'])
    failure = snapshot_failure(raw)
    if failure:
        raise errors.StackFailed(failure)
    return raw

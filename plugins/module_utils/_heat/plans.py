# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Approved plans: an id over exactly what a heat_stack task would do, so that what runs is what was approved.

A plan id has three parts, each an HMAC-SHA256 (truncated to 64 bits) under a key only holders of the
connection's credentials have:
- ``stack``: the stored stack as the task found it (id, state, updated_time, stored template, files,
  environment and settings), or its absence;
- ``definition``: what the task asks for (state, template, files, environment with the values of hidden
  parameters, settings and the options that shape an update); a changed secret changes it, and the keyed
  hash lets no one who lacks the key test a guess of a secret;
- ``preview``: the engine's answer (what the update or create would add, update, replace or delete; what a
  delete would remove).
Comparing the parts of an approved id with those of the plan made again just before the write tells what
moved.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import json
import re

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors

PREFIX = 'hp1'
PARTS = ('stack', 'definition', 'preview')
# What a part that differs means, in the words of a refusal.
MOVED = {
    'stack': 'the stack changed since the plan was made (it was updated, changed state, or was created or deleted)',
    'definition': 'what the task asks for changed (a template, file, environment, parameter or setting)',
    'preview': "the engine's preview of what would be done differs",
}
_ID = re.compile(r'^%s-([0-9a-f]{16})-([0-9a-f]{16})-([0-9a-f]{16})$' % PREFIX)


class PlanChangedError(errors.FailureWithFacts):
    """approved_plan is not the plan of what the task would do now; nothing was sent."""
    kind = 'plan_changed'


def _digest(key, value):
    text = json.dumps(value, sort_keys=True, separators=(',', ':'), default=str)
    return hmac.new(key, text.encode('utf-8'), hashlib.sha256).hexdigest()[:16]


class Plan:
    """The three keyed digests of a plan and its id (``hp1-<stack>-<definition>-<preview>``)."""

    def __init__(self, key, stack, definition, preview):
        self.parts = (_digest(key, stack), _digest(key, definition), _digest(key, preview))

    @property
    def id(self):
        return '-'.join((PREFIX,) + self.parts)

    def moved_since(self, approved):
        """What differs between ``approved`` (an id) and this plan: a list of MOVED reasons, empty when equal."""
        check_plan_id(approved)
        match = _ID.match(approved)
        return [MOVED[part] for part, was, now in zip(PARTS, match.groups(), self.parts) if was != now]


def check_plan_id(value):
    """Refuse, naming the option, a value that is not a plan id."""
    if not _ID.match(value or ''):
        raise errors.ConfigurationError('approved_plan: %r is not a plan id made by heat_stack (check mode returns '
                                        'one as plan)' % (value,))


def found_state(raw):
    """The ``stack`` part's value for a stack as found (a delete's plan): its id, state and last change."""
    return {'id': raw['stack_identity'].get('stack_id'), 'state': [raw.get('stack_action'), raw.get('stack_status')],
            'updated_time': raw.get('updated_time') or raw.get('creation_time')}


def stored_state(stored):
    """The ``stack`` part's value for an update's plan: the stack as found and its stored definition (None when
    no stack of the name exists)."""
    if stored is None:
        return None
    return dict(found_state(stored.raw), template=stored.template, files=stored.files,
                environment=stored.environment, settings=stored.settings)


def desired_state(state, desired, options):
    """The ``definition`` part's value: the state asked for and, for present, the whole desired definition."""
    if desired is None:
        return {'state': state, 'options': options}
    return {'state': state, 'template': desired.template, 'files': desired.files,
            'environment': desired.environment, 'settings': desired.settings, 'options': options}


def summary(action, stack_name, differences=None, changes=None, radius=None):
    """The plan in one sentence, for whoever approves it."""
    words = {'create': 'create stack %s', 'update': 'update stack %s', 'none': 'leave stack %s as it is',
             'delete': 'delete stack %s'}[action] % stack_name
    if differences:
        words += ' (%s differ)' % ', '.join(differences)
    if changes:
        listed = ['%s %s' % (kind, ', '.join(changes.get(kind))) for kind in ('added', 'updated', 'replaced', 'deleted')
                  if changes.get(kind)]
        words += ': ' + ('; '.join(listed) if listed else 'no resource changes')
    if radius is not None:
        kept = [entry['path'] for entry in radius if entry['kept']]
        words += ': %d resources removed' % (len(radius) - len(kept))
        if kept:
            words += ', %s kept by their deletion policy' % ', '.join(kept)
    return words


def refuse(stack_name, moved, approved, plan):
    raise PlanChangedError('stack %s: approved_plan is not the plan of what this task would do now: %s. Nothing was '
                           'sent; make and approve a new plan (check mode returns it)' % (stack_name, '; '.join(moved)),
                           {'plan': plan.id, 'approved_plan': approved})

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for the engine: one polling helper for stacks, snapshots and the rest."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors


class WaitTimeout(errors.HeatRpcError):
    """The wait's deadline passed; ``last`` holds the last state seen."""
    kind = 'wait_timeout'

    def __init__(self, message, last=None):
        super(WaitTimeout, self).__init__(message)
        self.last = last


class Poller:
    """Adaptive polling that notices the end of an operation quickly without loading the engine.

    Intervals start at ``first`` and grow by ``factor`` up to ``longest`` (0.2 s), so an operation is
    seen finished within ~0.2 s of the engine finishing it; after ``relaxed_after`` seconds they may
    grow to ``relaxed_longest``, so a long operation costs the engine about one cheap read a second.
    Never sleeps past the deadline.
    """

    def __init__(self, timeout, first=0.05, factor=1.5, longest=0.2, relaxed_after=60.0, relaxed_longest=1.0,
                 clock=time.monotonic, sleep=time.sleep):
        self.timeout = timeout
        self.first = first
        self.factor = factor
        self.longest = longest
        self.relaxed_after = relaxed_after
        self.relaxed_longest = relaxed_longest
        self.clock = clock
        self.sleep = sleep

    def wait(self, fetch, done, describe=repr):
        """Call ``fetch()`` until ``done(state)`` is true; return that state.

        Raises WaitTimeout (with the last state) when ``timeout`` seconds pass first.
        """
        started = self.clock()
        deadline = started + self.timeout
        interval = self.first
        while True:
            state = fetch()
            if done(state):
                return state
            now = self.clock()
            if now >= deadline:
                raise WaitTimeout('gave up waiting after %ss; last state: %s' % (self.timeout, describe(state)),
                                  last=state)
            self.sleep(min(interval, deadline - now))
            longest = self.longest if now - started < self.relaxed_after else self.relaxed_longest
            interval = min(interval * self.factor, longest)


def stack_settled(raw_stack, actions=None):
    """True when the stack is gone (None) or not IN_PROGRESS.

    With ``actions``, the stack must also show one of them: right after an
    action is sent the engine may still show the previous action's COMPLETE.
    """
    if isinstance(raw_stack, Unreadable):
        return False
    if raw_stack is None:
        return True
    if raw_stack.get('stack_status') == 'IN_PROGRESS':
        return False
    return not actions or raw_stack.get('stack_action') in actions


class Unreadable:
    """The state could not be read this time (broker or engine briefly away); polling goes on."""

    def __init__(self, error):
        self.error = error

    def __repr__(self):
        return 'unknown (%s)' % self.error


def tolerant(fetch):
    """``fetch`` that answers Unreadable instead of raising while the broker or the engine is away."""
    def read():
        try:
            return fetch()
        except (errors.BrokerUnreachableError, errors.EngineNotAnsweringError) as exc:
            return Unreadable(exc)
    return read


def describe_stack(raw_stack):
    if isinstance(raw_stack, Unreadable):
        return repr(raw_stack)
    if raw_stack is None:
        return 'stack not found'
    return '%s_%s (%s)' % (raw_stack.get('stack_action'), raw_stack.get('stack_status'),
                           raw_stack.get('stack_status_reason'))


def wait_for_stack(service, identity, timeout, actions=None, resolve_outputs=False, poller=None):
    """Poll a stack until it settles (in one of ``actions``); returns the raw stack (None once deleted).

    A read that fails because the broker or the engine is briefly away does not end the wait: the
    connection is re-established and polling goes on until the stack settles or the timeout passes
    (WaitTimeout.last is then the last stack seen, or Unreadable).
    """
    poller = poller or Poller(timeout)
    return poller.wait(tolerant(lambda: service.show(identity, resolve_outputs=resolve_outputs)),
                       lambda raw: stack_settled(raw, actions), describe_stack)

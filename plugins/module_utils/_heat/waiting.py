# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for the engine, and judging how a stack action ended: one place for both.

``Poller`` is the one polling helper (stacks, snapshots, names). ``StackOutcome`` waits for any stack
action (create, update, delete, check, suspend, resume, cancel, restore, snapshot, abandon) and
judges it with one rule: success is the ACTION_STATUS the caller accepts, anything else fails with
the failed resources and the action's events; a wait that runs out says so the same way for all.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import shape_event, shape_stack, stack_id_of, stack_state
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import (
    ALL_NESTED, ResourceTree, describe_failure, failed_resources,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils.errors import EngineDeadError, StackFailed, WaitTimeout

# How long a failed create, update or adopt with rollback enabled may take to start its rollback.
ROLLBACK_START_SECONDS = 10
# The stack actions whose failure the engine rolls back (when the stack has rollback enabled).
ROLLED_BACK_ACTIONS = ('CREATE', 'UPDATE', 'ADOPT')
# The stack actions whose COMPLETE is a settled, healthy stack (ROLLBACK_COMPLETE is a failed action undone;
# a DELETE_COMPLETE stack is gone).
HEALTHY_ACTIONS = ('CREATE', 'UPDATE', 'SUSPEND', 'RESUME', 'ADOPT', 'SNAPSHOT', 'CHECK', 'RESTORE')
STACK_ACTIONS = HEALTHY_ACTIONS + ('DELETE', 'ROLLBACK')
# How long to look for a stack whose create had an unknown outcome, or for a deleted stack's name to be let go.
REIDENTIFY_SECONDS = 15
# While a stack action is in progress, how often the engines that could be running it are looked at (one
# list_services call; the stack's resources and events are read only when no engine up now is older than the action).
ENGINE_LOOK_SECONDS = 15
# heat's periodic_interval default: how often an engine refreshes its service record, when a record does not say.
REPORT_INTERVAL = 60
# The stack actions a wait for each action heat_stack starts accepts as its end.
SETTLES_IN = {'CREATE': ('CREATE', 'ROLLBACK'), 'UPDATE': ('UPDATE', 'ROLLBACK'), 'RESUME': ('RESUME',),
              'SUSPEND': ('SUSPEND',), 'ADOPT': ('ADOPT', 'ROLLBACK')}


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


def wait_for_stack(service, identity, timeout, actions=None, resolve_outputs=False, engines=None):
    """Poll a stack until it settles (in one of ``actions``); returns the raw stack (None once deleted).

    A read that fails because the broker or the engine is briefly away does not end the wait: the
    connection is re-established and polling goes on until the stack settles or the timeout passes
    (WaitTimeout.last is then the last stack seen, or Unreadable). With ``engines`` (an EngineWatch), an
    action that no living engine can be running ends the wait with EngineDeadError.
    """
    read = tolerant(lambda: service.show(identity, resolve_outputs=resolve_outputs))

    def fetch():
        raw = read()
        if engines is not None:
            engines.look(identity, raw)
        return raw
    return Poller(timeout).wait(fetch, lambda raw: stack_settled(raw, actions), describe_stack)


def utc_second(stamp):
    """An engine timestamp to the second ('YYYY-MM-DDTHH:MM:SS', '' for none), comparable as text: heat writes a
    stack's and an event's time with a Z, a service record's with microseconds, all in UTC."""
    return (stamp or '')[:19]


def orphaned_resources(services, resources, events):
    """The resources in progress that no heat-engine alive now can be running: {name: when it went IN_PROGRESS}.

    An engine that sets a resource IN_PROGRESS holds it until it ends it, and heat-engine hands no resource
    over to another engine (the next update's engine only fails a resource whose engine does not answer). So a
    resource that went IN_PROGRESS (its latest IN_PROGRESS event) before every engine that is up now, by heat's
    own rule in ``list_services`` (a report within two report intervals), had started is held by an engine that
    is no longer up. A resource without such an event is left out: nothing says when it started.
    """
    started = [utc_second(record.get('created_at')) for record in services if record.get('status') == 'up']
    in_progress = set(resource.get('resource_name') for resource in resources
                      if resource.get('resource_status') == 'IN_PROGRESS')
    since = {}
    for event in events:
        name = event.get('resource_name')
        if (name in in_progress and event.get('resource_status') == 'IN_PROGRESS'
                and name != event.get('stack_name')):
            since[name] = max(since.get(name, ''), utc_second(event.get('event_time')))
    return dict((name, at) for name, at in since.items() if not any(start <= at for start in started))


class EngineWatch:
    """Notices, while a stack action is in progress, that no heat-engine alive can be running it.

    Every ``every`` seconds of an action in progress it reads the engines (``list_services``); only when no engine
    up now was running before the action began does it read the stack's resources and events to find the
    resources no engine up now can hold (orphaned_resources). The same resources orphaned on two looks at least
    one report interval apart end the wait: an engine that was only paused reports again within one interval
    of going on (and may answer the first look before it has). Nothing is judged from a look that fails.
    """

    def __init__(self, client, every=None, clock=time.monotonic, first=None):
        """``first``: seconds until the first look (``every`` unless given; 0 for an action found in progress,
        which may have lost its engine long ago)."""
        self.client = client
        self.every = ENGINE_LOOK_SECONDS if every is None else every
        self.clock = clock
        self.next_look = clock() + (self.every if first is None else first)
        self.suspected = None  # (when first seen, {resource: since}) of resources found orphaned

    def look(self, identity, raw):
        """Raise EngineDeadError (with ``last`` the stack) once the action in ``raw`` has no living engine."""
        if not isinstance(raw, dict) or raw.get('stack_status') != 'IN_PROGRESS':
            self.suspected = None
            return
        now = self.clock()
        if now < self.next_look:
            return
        self.next_look = now + self.every
        try:
            services = self.client.list_services(None)
            orphans = self.orphans(identity, raw, services)
        except errors.HeatRpcError:
            return
        if self.suspected is not None:
            orphans = dict((name, at) for name, at in orphans.items() if name in self.suspected[1])
        if not orphans:
            self.suspected = None
            return
        if self.suspected is None:
            self.suspected = (now, orphans)
            return
        if now - self.suspected[0] >= report_interval(services):
            raise EngineDeadError(engine_dead_message(raw, orphans, services), last=raw)

    def orphans(self, identity, raw, services):
        started = [utc_second(record.get('created_at')) for record in services if record.get('status') == 'up']
        if started and min(started) <= utc_second(last_action_time(raw)):
            return {}  # an engine up now was running before the action began: it may hold every resource of it
        resources = self.client.list_stack_resources(None, identity)
        if not any(resource.get('resource_status') == 'IN_PROGRESS' for resource in resources):
            return {}
        events = self.client.list_events(None, identity, sort_keys=['created_at'], sort_dir='asc')
        return orphaned_resources(services, resources, events)


def report_interval(services):
    """The longest interval at which the engines refresh their service records (heat's periodic_interval)."""
    return max([record.get('report_interval') for record in services if record.get('report_interval')]
               or [REPORT_INTERVAL])


def engine_dead_message(raw, orphans, services):
    """What happened to an action whose engine died, and the ways out of it."""
    def engines(status):
        return ', '.join(sorted('%s (started %s)' % (record.get('host'), utc_second(record.get('created_at')))
                                for record in services if record.get('status') == status)) or 'none'
    held = ', '.join('%s (since %s)' % (name, at) for name, at in sorted(orphans.items(), key=lambda item: item[1]))
    cancel = ('heat_stack_action action=cancel_update cancel_with_rollback=false or '
              if raw.get('stack_action') == 'UPDATE' else '')
    return ('stack %s is %s, but no heat-engine alive can be running it: %s went IN_PROGRESS before any engine up now '
            'started (up: %s; down: %s), so the engine that took it died, and heat-engine never resumes such an '
            'action. To recover: %sheat-manage reset_stack_status %s (heat\'s own recovery) marks it FAILED, after '
            'which heat_stack repairs the stack; or state=absent deletes it'
            % (raw.get('stack_name'), stack_state(raw), held, engines('up'), engines('down'), cancel,
               stack_id_of(raw.get('stack_identity'))))


class HookLook:
    """One look at a stack waited for until it pauses: the raw stack (None once gone) and its pending hooks."""

    def __init__(self, raw, hooks):
        self.raw = raw
        self.hooks = hooks

    def __repr__(self):
        if self.hooks:
            return 'paused on %s' % ', '.join('%s %s' % (hook['hook'], hook['path']) for hook in self.hooks)
        return describe_stack(self.raw)


def last_action_time(raw):
    """When the stack's latest action started: its update time, else its creation time ('' for neither).

    Events from then on belong to that action; taken before a run sends an action, it marks where that action's
    events begin.
    """
    return raw.get('updated_time') or raw.get('creation_time') or ''


def state_or_gone(raw):
    if isinstance(raw, Unreadable):
        return repr(raw)
    return 'gone' if raw is None else stack_state(raw)


class StackOutcome:
    """Waits for a stack action and judges how it ended, the same way for every action.

    A failure is raised with the facts of it as its ``result``: the stack, its failed resources (with
    reasons, nested stacks included) and the events of the action; the runner adds what its task did
    so far (``_runners/base.py``). ``since`` is the time from which events belong to the action this
    run started ('' for all of them; None for the stack's latest action).
    """

    def __init__(self, client, service, wait_timeout, since=None):
        self.client = client
        self.service = service
        self.wait_timeout = wait_timeout
        self.since = since

    def wait(self, identity, settles_in):
        """The stack once it settles in one of ``settles_in`` (None once gone); WaitTimeout with the result."""
        try:
            return wait_for_stack(self.service, identity, self.wait_timeout, actions=settles_in,
                                  engines=EngineWatch(self.client))
        except WaitTimeout as exc:
            raise self.timed_out(identity, exc.last)
        except EngineDeadError as exc:
            raise self.engine_dead(identity, exc)

    def engine_dead(self, identity, exc):
        """EngineDeadError with the facts of the stack left in progress."""
        return EngineDeadError(exc.message, last=exc.last, result=self.failure_result(identity, exc.last))

    def timed_out(self, identity, last):
        return WaitTimeout('gave up after wait_timeout %ss with the stack %s; it goes on in the engine, and a '
                           'new run waits for it instead of starting another action'
                           % (self.wait_timeout, state_or_gone(last)), last=last,
                           result=self.failure_result(identity, last))

    def finish(self, identity, settles_in, accepted, rollback=False):
        """Wait, then judge: success when the final ACTION_STATUS is in ``accepted`` (None: the stack is gone).

        With ``rollback``, a failed create, update or adopt whose stack has rollback enabled is followed
        through its rollback first, so ROLLBACK_COMPLETE is what gets judged (and is a failure unless
        accepted). Returns the final raw stack.
        """
        return self.judge(identity, self.wait(identity, settles_in), accepted, rollback)

    def until_hook(self, identity, settles_in, accepted, find_hooks, rollback=False):
        """Wait until the stack pauses on a hook, or settles; returns (raw stack, hooks).

        ``find_hooks(raw)`` gives the hooks an in-progress stack is paused on (those that count). A
        stack that settles without pausing is judged as finish() judges it, so an action that fails
        before it reaches a hook fails here too; (final raw stack, []) otherwise. With ``accepted``
        None, the settled stack is returned unjudged (None once gone).
        """
        engines = EngineWatch(self.client)

        def look():
            raw = self.service.show(identity, resolve_outputs=False)
            hooks = find_hooks(raw) if raw is not None and raw.get('stack_status') == 'IN_PROGRESS' else []
            if not hooks:  # an action paused on a hook waits for someone, not for an engine
                engines.look(identity, raw)
            return HookLook(raw, hooks)

        try:
            seen = Poller(self.wait_timeout).wait(
                tolerant(look), lambda now: not isinstance(now, Unreadable) and (
                    bool(now.hooks) or stack_settled(now.raw, settles_in)), repr)
        except WaitTimeout as exc:
            raise self.timed_out(identity, getattr(exc.last, 'raw', exc.last))
        except EngineDeadError as exc:
            raise self.engine_dead(identity, exc)
        if seen.hooks or accepted is None:
            return seen.raw, seen.hooks
        return self.judge(identity, seen.raw, accepted, rollback), []

    def judge(self, identity, final, accepted, rollback=False):
        """Success (the raw stack) when ``final`` is in ``accepted``; StackFailed with the failure's result otherwise."""
        if rollback:
            final = self.follow_rollback(identity, final)
        if (None if final is None else stack_state(final)) in accepted:
            return final
        if final is None:
            raise StackFailed('the stack disappeared while waiting for it to reach %s'
                              % ' or '.join(str(state) for state in accepted), {})
        result = self.failure_result(identity, final)
        raise StackFailed(describe_failure(final, result.get('failed_resources')), result)

    def follow_rollback(self, identity, raw):
        """A failed create, update or adopt with rollback enabled is followed through its rollback.

        The engine records CREATE_FAILED, UPDATE_FAILED or ADOPT_FAILED first and starts the rollback a moment later;
        judging at that moment would report a state the stack is about to leave.
        """
        if (raw is None or raw.get('stack_status') != 'FAILED' or raw.get('stack_action') not in ROLLED_BACK_ACTIONS
                or raw.get('disable_rollback') is not False):
            return raw
        try:
            Poller(ROLLBACK_START_SECONDS).wait(tolerant(lambda: self.service.show(identity, resolve_outputs=False)),
                                                lambda now: now is None or (not isinstance(now, Unreadable)
                                                                            and now.get('stack_action') == 'ROLLBACK'))
        except WaitTimeout:
            return raw  # no rollback started (the engine can decline one): the failure stands as it is
        return self.wait(identity, ('ROLLBACK',))

    def failure_result(self, identity, raw=None):
        """The facts of a failure: the stack, its failed resources with reasons, the action's events."""
        result = {}
        if raw is None or isinstance(raw, Unreadable):
            try:
                raw = self.service.show(identity, resolve_outputs=False)
            except errors.HeatRpcError:
                return result
        if raw is None:
            return result
        result['stack'] = shape_stack(raw)
        try:
            result['failed_resources'] = failed_resources(self.client, identity)
        except errors.HeatRpcError:
            result['failed_resources'] = []
        result['events'] = self.action_events(identity, raw)
        return result

    def action_start(self, raw):
        """From when events belong to the action: the one this run started, else the stack's latest."""
        return self.since if self.since is not None else last_action_time(raw)

    def action_events(self, identity, raw):
        """Events of the action this run started (or else of the stack's latest action), oldest first."""
        since = self.action_start(raw)
        # Not nested_depth: heat 27 answers it with no events at all once a rollback has deleted the resources
        # (failed_resources already reaches into nested stacks).
        try:
            events = self.client.list_events(None, identity, sort_keys=['created_at'], sort_dir='asc')
        except errors.HeatRpcError:
            return []
        return [shape_event(event) for event in events if (event.get('event_time') or '') >= since]

    def events_of_action(self, identity, raw, limit):
        """The events of the action this run started (or else of the stack's latest), down through nested
        stacks, oldest first, each with its ``path``: the newest ``limit`` of them. A read that fails gives none:
        the action itself succeeded."""
        since = self.action_start(raw)
        try:
            events = self.client.list_events(None, identity, nested_depth=ALL_NESTED, sort_keys=['created_at'],
                                             sort_dir='asc')
            events = [event for event in events if (event.get('event_time') or '') >= since][-limit:]
            tree = ResourceTree.read(self.client, identity) if any(
                stack_id_of(event.get('stack_identity')) != stack_id_of(identity) for event in events) else \
                ResourceTree([], stack_id_of(identity))
        except errors.HeatRpcError:
            return []
        return [dict(shape_event(event), path=event_path(tree, event)) for event in events]


def event_path(tree, event):
    """Where an event happened: the resource's path (``group/0/leaf``); a stack's own event has its stack's path
    ('' for the top stack); None when its nested stack is gone."""
    prefix = tree.stack_path(stack_id_of(event.get('stack_identity')))
    if prefix is None or event.get('resource_name') == event.get('stack_name'):
        return prefix
    return '%s/%s' % (prefix, event.get('resource_name')) if prefix else event.get('resource_name')


class WaitTarget:
    """What heat_stack_wait waits for, as StackOutcome.finish takes it.

    ``settles_in``: the stack actions that end the wait (None: any); ``accepted``: the ACTION_STATUS
    values that are success (None: the stack is gone); ``rollback``: follow a failed create, update
    or adopt through its rollback before judging, as heat_stack does.
    """

    def __init__(self, settles_in, accepted, rollback):
        self.settles_in = settles_in
        self.accepted = accepted
        self.rollback = rollback

    @classmethod
    def parse(cls, state):
        """``state``: [settled] (any action; a *_COMPLETE other than ROLLBACK_COMPLETE is success), [absent]
        (deleted), or ACTION_STATUS values to reach (COMPLETE or FAILED). Bad values raise ConfigurationError.
        """
        values = [str(value).strip() for value in state or ['settled']]
        for word in ('settled', 'absent'):
            if word in values and len(values) > 1:
                raise errors.ConfigurationError('state: %s stands alone; it cannot be combined with %s'
                                                % (word, ', '.join(v for v in values if v != word)))
        if values == ['settled']:
            return cls(None, tuple(action + '_COMPLETE' for action in HEALTHY_ACTIONS), True)
        if values == ['absent']:
            return cls(('DELETE',), (None,), False)
        states = [target_state(value) for value in values]
        actions = sorted(set(state.rsplit('_', 1)[0] for state in states))
        followed = [action for action in actions if action in ROLLED_BACK_ACTIONS]
        # Waiting for a failed create/update/adopt itself: judge it as it is, not after its rollback.
        rollback = bool(followed) and not any(action + '_FAILED' in states for action in followed)
        settles_in = tuple(sorted(set(actions + (['ROLLBACK'] if rollback else []))))
        return cls(settles_in, tuple(states), rollback)


def target_state(value):
    """One ACTION_STATUS value of state, upper-cased; an unknown or in-progress state is refused."""
    state = value.upper()
    action, _sep, status = state.rpartition('_')
    if state.endswith('_IN_PROGRESS'):
        action, status = state[:-len('_IN_PROGRESS')], 'IN_PROGRESS'
    if action not in STACK_ACTIONS or status not in ('COMPLETE', 'FAILED', 'IN_PROGRESS'):
        raise errors.ConfigurationError(
            "state: '%s' is not a stack state; use settled, absent, or ACTION_STATUS values such as UPDATE_COMPLETE "
            "(actions %s; status COMPLETE or FAILED)" % (value, ', '.join(STACK_ACTIONS)))
    if status == 'IN_PROGRESS':
        raise errors.ConfigurationError("state: '%s' is not a settled state; wait for COMPLETE or FAILED" % value)
    if state == 'DELETE_COMPLETE':
        raise errors.ConfigurationError("state: a DELETE_COMPLETE stack is gone; use state: absent")
    return state


def find_created(service, name, cause):
    """The stack a create with an unknown outcome (``cause``) made, found by name; OutcomeUnknownError if none shows."""
    try:
        return Poller(REIDENTIFY_SECONDS).wait(tolerant(lambda: service.find(name)),
                                               lambda found: found is not None and not isinstance(found, Unreadable))
    except WaitTimeout as exc:
        if isinstance(exc.last, Unreadable):
            raise errors.OutcomeUnknownError(
                '%s; the engine did not answer the lookups of stack %s for %ss either, so whether it will be '
                'created is unknown: run the task again, it finds the stack if it was' % (
                    cause.message, name, REIDENTIFY_SECONDS))
        raise errors.OutcomeUnknownError(
            '%s; no stack named %s appeared within %ss, so it was probably not created: run the task again'
            % (cause.message, name, REIDENTIFY_SECONDS))


def wait_name_released(client, name, cause):
    """Wait for the engine to let go of the name of a just-deleted stack (it keeps it a moment after DELETE_COMPLETE)."""
    def released():
        try:
            client.identify_stack(None, name)
        except errors.NotFoundError:
            return True
        return False
    try:
        Poller(REIDENTIFY_SECONDS).wait(released, bool)
    except WaitTimeout:
        raise errors.ConflictError('%s; the engine still holds the name of a deleted stack %s after %ss'
                                   % (cause.message, name, REIDENTIFY_SECONDS), remote_name=cause.remote_name)

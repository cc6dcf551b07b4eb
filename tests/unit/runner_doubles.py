# -*- coding: utf-8 -*-
"""Test doubles for runners: a module stand-in, and a scripted EngineClient that records what it was asked.

Run a runner's run() without an engine and look at what it sent (``calls``, ``writes``).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.base import Runner
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import METHODS


class InTurn:
    """Answers for successive calls of one method (the last one repeats)."""

    def __init__(self, *answers):
        self.answers = list(answers)

    def next(self):
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class WithArgs:
    """An answer worked out from the whole call: ``func(positional args, kwargs)`` (after ``ctxt``)."""

    def __init__(self, func):
        self.func = func


class ScriptedClient:
    """Answers engine methods from ``answers`` and records each call as (method, positional args, kwargs).

    An answer is a value, an exception (raised), a callable of the call's kwargs, WithArgs(...) or InTurn(...). Only
    methods of the engine's RPC API exist; a method without an answer answers None. ``allowed`` is what
    ``allows()`` (the API version cap check) answers.
    """

    def __init__(self, answers=None, allowed=True):
        self.answers = dict(answers or {})
        self.allowed = allowed
        self.calls = []

    def allows(self, method, **kwargs):
        return self.allowed

    def require(self, version, purpose):
        """The API version cap check of a whole feature: passes when ``allowed``."""
        if not self.allowed:
            raise errors.NotSupportedError('%s needs RPC API %s or newer' % (purpose, version))

    def methods(self):
        return [method for method, _args, _kwargs in self.calls]

    @property
    def writes(self):
        """The calls of methods that change engine state."""
        return [call for call in self.calls if METHODS[call[0]].writes]

    def kwargs_of(self, method):
        return [kwargs for name, _args, kwargs in self.calls if name == method]

    def _answer(self, method, args, kwargs):
        self.calls.append((method, args, kwargs))
        answer = self.answers.get(method)
        if isinstance(answer, InTurn):
            answer = answer.next()
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, WithArgs):
            return answer.func(args, kwargs)
        if callable(answer):
            return answer(kwargs)
        return answer

    def __getattr__(self, name):
        if name in METHODS:
            return lambda ctxt, *args, **kwargs: self._answer(name, args, kwargs)
        raise AttributeError(name)


class FakeModule:
    """What a Runner takes from HeatRpcModule: params, check and diff mode, the client, warn(), add_secrets()."""

    def __init__(self, params, client=None, check_mode=False, diff_mode=False):
        self.params = params
        self.client = client if client is not None else ScriptedClient()
        self.check_mode = check_mode
        self.diff_mode = diff_mode
        self.warnings = []
        self.secrets = set()

    def warn(self, message):
        self.warnings.append(message)

    def add_secrets(self, values):
        self.secrets.update(values)

    def plan_key(self):
        return b'unit-test plan key'


def params_for(argument_spec, **given):
    """A module's params as AnsibleModule would make them: the spec's defaults, then ``given``.

    Sub-options of a dict option that is given get their defaults too.
    """
    params = dict((name, spec.get('default')) for name, spec in argument_spec.items())
    for name, value in given.items():
        suboptions = argument_spec[name].get('options')
        if suboptions and isinstance(value, dict):
            value = dict(dict((key, spec.get('default')) for key, spec in suboptions.items()), **value)
        params[name] = value
    return params


def run_runner(runner_class, argument_spec, answers=None, **given):
    """(result or the raised exception, the client) of ``runner_class`` run on ``given`` options."""
    client = ScriptedClient(answers)
    module = FakeModule(params_for(argument_spec, **given), client)
    try:
        return runner_class(module).run(), client
    except Exception as exc:  # the typed error is what the test looks at
        return exc, client


def stack(name='s', action='CREATE', status='COMPLETE', **extra):
    raw = {'stack_name': name, 'stack_action': action, 'stack_status': status, 'stack_status_reason': 'r',
           'stack_identity': {'stack_id': 'id-' + name, 'stack_name': name, 'tenant': 't', 'path': ''},
           'creation_time': '2026-01-01T00:00:00Z', 'updated_time': None, 'disable_rollback': True}
    raw.update(extra)
    return raw


class StackTree:
    """The engine's view of nested stacks, for find_physical_resource, show_stack and describe_stack_resources.

    ``stacks`` maps a stack id to (parent id or None, {resource name: physical id}); a stack named ``x-id``
    is called ``x``. ``gone`` lists stacks show_stack and describe_stack_resources no longer find,
    ``deleted`` those show_stack shows DELETE_COMPLETE; ``parents`` overrides the parent show_stack answers.
    """

    def __init__(self, stacks, gone=(), deleted=(), parents=None):
        self.stacks = stacks
        self.gone = set(gone)
        self.deleted = set(deleted)
        self.parents = dict(parents or {})

    @staticmethod
    def identity(stack_id, path=''):
        return {'tenant': 'p', 'stack_name': stack_id[:-3], 'stack_id': stack_id, 'path': path}

    def find_physical_resource(self, args, _kwargs):
        [physical_id] = args
        holders = [(stack_id, name) for stack_id, (_parent, resources) in sorted(self.stacks.items())
                   for name, held in sorted(resources.items()) if held == physical_id]
        if not holders:
            raise errors.NotFoundError('The Resource (%s) could not be found.' % physical_id)
        if len(set(stack_id for stack_id, _name in holders)) > 1:
            raise errors.ConflictError('Multiple resources were found with the physical ID (%s).' % physical_id)
        stack_id, name = holders[0]
        return self.identity(stack_id, '/resources/' + name)

    def show_stack(self, args, kwargs):
        stack_id = args[0]['stack_id']
        if stack_id in self.gone:
            raise errors.NotFoundError('The Stack (%s) could not be found.' % stack_id)
        parent = self.parents.get(stack_id, self.stacks[stack_id][0])
        raw = stack(stack_id[:-3], action='DELETE' if stack_id in self.deleted else 'CREATE', parent=parent,
                    stack_identity=self.identity(stack_id), parameters={}, timeout_mins=None)
        if kwargs.get('resolve_outputs', True):
            raw['outputs'] = [{'output_key': 'k', 'output_value': stack_id}]
        return [raw]

    def describe_stack_resources(self, args, _kwargs):
        identity, name = args
        stack_id = identity['stack_id']
        if stack_id in self.gone:
            raise errors.NotFoundError('The Stack (%s) could not be found.' % stack_id)
        parent = self.stacks[stack_id][0]
        held = self.stacks[stack_id][1].get(name)
        if held is None:
            return []
        raw = {'resource_name': name, 'resource_type': 'T', 'resource_action': 'CREATE',
               'resource_status': 'COMPLETE', 'physical_resource_id': held, 'stack_name': stack_id[:-3],
               'stack_identity': self.identity(stack_id), 'description': '', 'metadata': {}, 'attributes': {}}
        holders = [holder for holder, nested in self.stacks.get(parent, (None, {}))[1].items() if nested == stack_id]
        if holders:
            raw['parent_resource'] = holders[0]
        return [raw]

    def answers(self):
        return dict((method, WithArgs(getattr(self, method)))
                    for method in ('find_physical_resource', 'show_stack', 'describe_stack_resources'))


def stack_client(raw, **answers):
    """A client on which ``raw`` (a stack) is found by name, plus ``answers``."""
    answers.setdefault('identify_stack', raw['stack_identity'] if raw else errors.NotFoundError('gone'))
    answers.setdefault('show_stack', raw)
    answers.setdefault('list_stack_resources', [])
    answers.setdefault('list_events', [])
    return ScriptedClient(answers)


def run_in_runner(call):
    """``call()`` as the perform() of a runner that has changed something (its failure comes back with that result)."""
    class Changing(Runner):
        def perform(self):
            self.result['changed'] = True
            return call()
    return Changing(FakeModule({})).run()

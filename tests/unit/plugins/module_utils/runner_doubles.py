# -*- coding: utf-8 -*-
"""Test doubles for runners: a module with options, and a scripted client that records what is sent."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors


class FakeModule:
    """What a Runner uses of HeatRpcModule: params, check and diff mode, the client, warn()."""

    def __init__(self, client, check_mode=False, diff_mode=False, **params):
        self.params = params
        self.check_mode = check_mode
        self.diff_mode = diff_mode
        self.client = client
        self.warnings = []

        self.secrets = set()

    def warn(self, message):
        self.warnings.append(message)

    def add_secrets(self, values):
        self.secrets.update(values)


class InTurn(list):
    """Answers given one per call, in order; the last one repeats."""


class ScriptedClient:
    """Answers each engine method from ``answers`` (a value, InTurn answers, or an exception).

    Every call is recorded as (method, args, kwargs); ``writes`` lists the calls of methods that change
    engine state, so a test can assert that check mode or a refusal sent none.
    """

    WRITES = ('create_stack', 'update_stack', 'delete_stack', 'abandon_stack', 'stack_suspend', 'stack_resume',
              'stack_check', 'stack_cancel_update', 'stack_snapshot', 'delete_snapshot', 'stack_restore',
              'resource_signal', 'resource_mark_unhealthy', 'create_software_config', 'delete_software_config',
              'create_software_deployment', 'update_software_deployment', 'delete_software_deployment',
              'signal_software_deployment')

    def __init__(self, **answers):
        self.answers = answers
        self.calls = []

    @property
    def writes(self):
        return [call for call in self.calls if call[0] in self.WRITES]

    def allows(self, method, **kwargs):
        return True

    def __getattr__(self, method):
        if method.startswith('_') or method in ('answers', 'calls'):
            raise AttributeError(method)

        def call(*args, **kwargs):
            self.calls.append((method, args[1:], kwargs))
            answer = self.answers.get(method)
            if isinstance(answer, InTurn):
                answer = answer.pop(0) if len(answer) > 1 else answer[0]
            if isinstance(answer, Exception):
                raise answer
            return answer
        return call


def stack(name='s', action='CREATE', status='COMPLETE', **extra):
    raw = {'stack_name': name, 'stack_action': action, 'stack_status': status, 'stack_status_reason': 'r',
           'stack_identity': {'stack_id': 'id-' + name, 'stack_name': name, 'tenant': 't', 'path': ''},
           'creation_time': '2026-01-01T00:00:00Z', 'updated_time': None, 'disable_rollback': True}
    raw.update(extra)
    return raw


def stack_client(raw, **answers):
    """A client on which ``raw`` (a stack) is found by name, plus ``answers``."""
    answers.setdefault('identify_stack', raw['stack_identity'] if raw else errors.NotFoundError('gone'))
    answers.setdefault('show_stack', InTurn([raw]))
    answers.setdefault('list_stack_resources', [])
    answers.setdefault('list_events', [])
    return ScriptedClient(**answers)

# -*- coding: utf-8 -*-
"""What every runner shares: a failure of a wait comes back over what the task did so far; option checks."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.templates import StackInputs
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.base import Runner, require_positive, sent_inputs

from runner_doubles import FakeModule, ScriptedClient


class Scripted(Runner):
    """Records what the task did, then ends as ``outcome`` says: a result, or an error raised."""

    def __init__(self, outcome):
        super(Scripted, self).__init__(FakeModule({}))
        self.outcome = outcome

    def perform(self):
        self.result.update(changed=True, differences=['parameters'], stack={'status': 'before'})
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


# (name, how perform() ends, the error's result afterwards: None when the error is not a wait's failure)
FAILURES = [
    ('a failed action: its facts over what the task did',
     errors.StackFailed('failed', {'stack': {'status': 'after'}, 'events': []}),
     {'changed': True, 'differences': ['parameters'], 'stack': {'status': 'after'}, 'events': []}),
    ('a wait that timed out', errors.WaitTimeout('late', result={'stack': {'status': 'late'}}),
     {'changed': True, 'differences': ['parameters'], 'stack': {'status': 'late'}}),
    ('a failure with no facts still returns what the task did', errors.StackFailed('gone', {}),
     {'changed': True, 'differences': ['parameters'], 'stack': {'status': 'before'}}),
    ('another error carries nothing', errors.ConflictError('busy'), None),
]


@pytest.mark.parametrize('error,expected', [case[1:] for case in FAILURES], ids=[case[0] for case in FAILURES])
def test_a_failure_returns_what_the_task_did_so_far(error, expected):
    with pytest.raises(type(error)) as caught:
        Scripted(error).run()
    assert getattr(caught.value, 'result', None) == expected


def test_a_result_is_returned_as_perform_made_it():
    assert Scripted({'changed': False, 'x': 1}).run() == {'changed': False, 'x': 1}


def test_a_runner_starts_unchanged():
    assert Runner(FakeModule({})).result == {'changed': False}


@pytest.mark.parametrize('value,refused', [(None, False), (1, False), (0.5, False), (0, True), (-1, True)])
def test_require_positive(value, refused):
    if refused:
        with pytest.raises(errors.ConfigurationError) as caught:
            require_positive({'wait_timeout': value}, 'wait_timeout')
        assert str(caught.value) == 'wait_timeout must be a positive number, not %s' % value
    else:
        require_positive({'wait_timeout': value}, 'wait_timeout')


# (name, environment layers, what the API cap allows, what is sent of the environment, whether the cap was asked)
SENT = [
    ('layers the cap allows', ['env.yaml'], True, 'layers', True),
    ('layers the cap does not allow: their merge', ['env.yaml'], False, 'merged', True),
    ('no layers: nothing to ask', None, False, 'layers', False),
]


class CapClient(ScriptedClient):
    def __init__(self, allowed):
        super(CapClient, self).__init__(allowed=allowed)
        self.asked = []

    def allows(self, method, **kwargs):
        self.asked.append((method, kwargs))
        return self.allowed


@pytest.mark.parametrize('layers,allowed,expected,asked', [case[1:] for case in SENT], ids=[case[0] for case in SENT])
def test_what_is_sent_of_the_inputs_under_the_cap(layers, allowed, expected, asked):
    base, merged = {'parameters': {}}, {'parameters': {'p': 1}}
    client = CapClient(allowed)
    sent = sent_inputs(client, StackInputs({}, {'env.yaml': '{}'}, base, layers, merged), 'update_stack')
    assert sent == ((base, {'env.yaml': '{}'}, layers) if expected == 'layers' else (merged, {'env.yaml': '{}'}, None))
    assert client.asked == ([('update_stack', {'environment_files': layers})] if asked else [])


class OnAStack(Runner):
    """Finds a stack (or not), then ends as ``outcome`` says."""

    def __init__(self, module, outcome, found=True, stack_data=False):
        super(OnAStack, self).__init__(module)
        self.outcome, self.found, self.stack_data = outcome, found, stack_data

    def returns_stack_data(self):
        return self.stack_data

    def perform(self):
        if self.found:
            self.stack_identity = {'stack_id': 'x'}
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


STACK_FILES = {'get_files': {'env.yaml': '{"parameters": {"s": "hush-from-env"}}'},
               'get_template': {'heat_template_version': '2021-04-16',
                                'parameters': {'s': {'type': 'string', 'hidden': True}}}}

# (name, how perform() ends, runner options, the values the module masks)
MASKING = [
    ('a result', {'changed': False}, {}, {'hush-from-env'}),
    ('a stack failure', errors.StackFailed('failed', {}), {}, {'hush-from-env'}),
    ('an engine refusal', errors.ValidationFailedError('bad'), {}, {'hush-from-env'}),
    ('no stack found: nothing to read', errors.NotFoundError('none'), {'found': False}, set()),
    ('the task asked for the stack\'s data', {'changed': False, 'data': {}}, {'stack_data': True}, set()),
    ('after an unanswered call no stack is read', errors.EngineNotAnsweringError('late'), {}, set()),
    ('after an unreachable broker no stack is read', errors.BrokerUnreachableError('down'), {}, set()),
]


@pytest.mark.parametrize('outcome,options,secrets', [case[1:] for case in MASKING], ids=[case[0] for case in MASKING])
def test_the_hidden_values_a_found_stack_holds_are_masked_however_the_run_ends(outcome, options, secrets):
    module = FakeModule({}, ScriptedClient(STACK_FILES))
    runner = OnAStack(module, outcome, **options)
    if isinstance(outcome, Exception):
        with pytest.raises(type(outcome)):
            runner.run()
    else:
        assert runner.run() == outcome
    assert module.secrets == secrets


@pytest.mark.parametrize('outcome,raised', [({'changed': False}, errors.EngineNotAnsweringError),
                                            (errors.StackFailed('failed', {}), errors.StackFailed)])
def test_a_stack_that_cannot_be_read_fails_a_result_but_never_hides_a_failure(outcome, raised):
    """A result is not returned unmasked; a failure stays the task's failure."""
    module = FakeModule({}, ScriptedClient({'get_files': errors.EngineNotAnsweringError('late')}))
    with pytest.raises(raised):
        OnAStack(module, outcome).run()

# -*- coding: utf-8 -*-
"""Which hidden values a run can know of from a stack it finds: those its environment files give."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.secrets import (
    mask_stack_secrets, stack_secret_values, stack_secrets_masked_on_failure, stored_secret_values,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.redaction import Scrubber

from runner_doubles import ScriptedClient

HIDDEN = {'heat_template_version': '2021-04-16', 'parameters': {'s': {'type': 'string', 'hidden': True},
                                                                'n': {'type': 'number', 'NoEcho': 'true'},
                                                                'shown': {'type': 'string'}}}
PLAIN = {'heat_template_version': '2021-04-16', 'parameters': {'s': {'type': 'string'}}}
NESTED_HIDDEN = json.dumps({'heat_template_version': '2021-04-16',
                            'parameters': {'inner': {'type': 'string', 'hidden': True}}})


def env(section='parameters', **values):
    return json.dumps({section: values})


# (name, root template, files, the values to mask)
STORED = [
    ('a hidden parameter set by an environment file', HIDDEN, {'env.yaml': env(s='hush-one')}, ['hush-one']),
    ('parameter_defaults count too, a number as its text', HIDDEN, {'env.yaml': env('parameter_defaults', n=41.5)},
     ['41.5']),
    ('NoEcho in a YAML environment', HIDDEN, {'env.yaml': 'parameters:\n  n: "7777"\n'}, ['7777']),
    ('a parameter that is not hidden is not a secret', HIDDEN, {'env.yaml': env(shown='visible')}, []),
    ('no hidden parameter: nothing to mask', PLAIN, {'env.yaml': env(s='visible')}, []),
    ('a nested template hides it', PLAIN, {'nested.yaml': NESTED_HIDDEN, 'env.yaml': env(inner='hush-two')},
     ['hush-two']),
    ('a template among the files is not an environment', HIDDEN,
     {'other.yaml': json.dumps(dict(HIDDEN, parameters={'s': {'type': 'string', 'default': 'not-given'}}))}, []),
    ('a file that is not a document', HIDDEN, {'script.sh': '#!/bin/sh\necho [\n'}, []),
    ('one value given twice is masked once', HIDDEN, {'a.yaml': env(s='hush-one'), 'b.yaml': env(s='hush-one')},
     ['hush-one']),
]


@pytest.mark.parametrize('template,files,expected', [case[1:] for case in STORED], ids=[case[0] for case in STORED])
def test_the_values_environment_files_give_hidden_parameters(template, files, expected):
    assert stored_secret_values(template, files) == expected


# (name, the client's answers and cap, the values, the calls made)
READS = [
    ('files and template read', ({'get_files': {'env.yaml': env(s='hush-one')}, 'get_template': HIDDEN}, True),
     ['hush-one'], ['get_files', 'get_template']),
    ('a stack without files: the template is not read', ({'get_files': {}}, True), [], ['get_files']),
    ('under an API cap without get_files nothing is sent', ({}, False), [], []),
    ('a stack gone meanwhile holds nothing', ({'get_files': errors.NotFoundError('gone')}, True), [], ['get_files']),
]


@pytest.mark.parametrize('script,expected,calls', [case[1:] for case in READS], ids=[case[0] for case in READS])
def test_what_a_stack_holds_is_read_with_get_files(script, expected, calls):
    client = ScriptedClient(*script)
    assert stack_secret_values(client, {'stack_id': 'x'}) == expected
    assert client.methods() == calls


def test_other_engine_failures_are_the_callers():
    client = ScriptedClient({'get_files': errors.EngineNotAnsweringError('late')})
    with pytest.raises(errors.EngineNotAnsweringError):
        stack_secret_values(client, {'stack_id': 'x'})


class ClientWithScrubber(ScriptedClient):
    """A scripted client with the scrubber of its settings (what the controller plugins' errors are masked with)."""

    def __init__(self, answers):
        super(ClientWithScrubber, self).__init__(answers)
        self.settings = type('Settings', (), {'scrubber': Scrubber()})()


HOLDS = {'get_files': {'env.yaml': env(s='hush-one')}, 'get_template': HIDDEN}

# (name, the error in the block, whether the stack is read and its secrets masked)
PLUGIN_FAILURES = [
    ('an output error: the stack is read', errors.ValidationFailedError("cannot be resolved: 'hush-one'"), True),
    ('a missing output: the stack is read', errors.NotFoundError('no output'), True),
    ('an unanswered call: nothing more is sent', errors.EngineNotAnsweringError('late'), False),
    ('an unreachable broker: nothing more is sent', errors.BrokerUnreachableError('down'), False),
]


@pytest.mark.parametrize('error,reads', [case[1:] for case in PLUGIN_FAILURES],
                         ids=[case[0] for case in PLUGIN_FAILURES])
def test_a_controller_plugin_failure_masks_what_the_stack_holds(error, reads):
    client = ClientWithScrubber(HOLDS)
    with pytest.raises(type(error)):
        with stack_secrets_masked_on_failure(client, {'stack_id': 'x'}):
            raise error
    assert client.methods() == (['get_files', 'get_template'] if reads else [])
    assert client.settings.scrubber.scrub("'hush-one'") == ("'********'" if reads else "'hush-one'")


def test_a_controller_plugin_success_reads_nothing_more():
    client = ClientWithScrubber(HOLDS)
    with stack_secrets_masked_on_failure(client, {'stack_id': 'x'}):
        pass
    assert client.methods() == []


# (name, the failure the run ends with, what the read of the stack does, what mask gets or what is raised)
MASK_RULE = [
    ('success: read and masked', None, HOLDS, ['hush-one']),
    ('success: a failed read is the run\'s failure', None, {'get_files': errors.EngineNotAnsweringError('late')},
     errors.EngineNotAnsweringError),
    ('engine failure: read and masked', errors.ValidationFailedError('x'), HOLDS, ['hush-one']),
    ('engine failure: a failed read changes nothing', errors.ValidationFailedError('x'),
     {'get_files': errors.EngineNotAnsweringError('late')}, None),
    ('unanswered: nothing read', errors.EngineNotAnsweringError('late'), HOLDS, None),
    ('broker unreachable: nothing read', errors.BrokerUnreachableError('down'), HOLDS, None),
]


@pytest.mark.parametrize('failure,answers,expected', [case[1:] for case in MASK_RULE], ids=[case[0] for case in MASK_RULE])
def test_one_rule_decides_when_a_stack_is_read_for_its_secrets(failure, answers, expected):
    client = ScriptedClient(answers)
    masked = []
    if isinstance(expected, type):
        with pytest.raises(expected):
            mask_stack_secrets(client, {'stack_id': 'x'}, masked.append, failure)
        return
    mask_stack_secrets(client, {'stack_id': 'x'}, masked.append, failure)
    assert masked == ([] if expected is None else [expected])
    unanswered = isinstance(failure, (errors.EngineNotAnsweringError, errors.BrokerUnreachableError))
    assert (client.methods()[:1] == ['get_files']) is not unanswered

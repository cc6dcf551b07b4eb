# -*- coding: utf-8 -*-
"""The heat_stack_output lookup: its options, one show_output per term, errors as AnsibleError without secrets.

The lookup runs in this process with a scripted client in place of the EngineClient that plugin_utils.engine
builds. Its option definitions (its DOCUMENTATION plus the connection doc fragment) are registered the way the
plugin loader does, so set_options() and get_option() behave as under ansible.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible.errors import AnsibleError

from ansible_collections.heat_rpc.engine.plugins.lookup import heat_stack_output
from ansible_collections.heat_rpc.engine.plugins.module_utils import errors

from plugin_doubles import register_options, scripted_engine
from runner_doubles import InTurn

NAME = 'heat_rpc.engine.heat_stack_output'
URL = 'rabbit://u:secret@broker:5672/heat'
IDENTITY = {'stack_name': 'st', 'stack_id': 'st-id', 'tenant': 'p', 'path': ''}


@pytest.fixture
def engine_answers(monkeypatch):
    """Set the answers of the client the lookup gets; the clients built are in ``built``."""
    register_options('lookup', NAME, heat_stack_output)
    answers = {}
    return {'answers': answers, 'built': scripted_engine(monkeypatch, answers)}


def run_lookup(terms, **options):
    lookup = heat_stack_output.LookupModule()
    lookup._load_name = NAME
    return lookup.run(terms, variables={}, **options)


def test_one_show_output_per_term_in_order(engine_answers):
    engine_answers['answers'].update({'identify_stack': IDENTITY, 'show_output': InTurn(
        {'output_key': 'url', 'output_value': 'http://web'}, {'output_key': '2', 'output_value': [2]})})
    assert run_lookup(['url', 2], stack='st', transport_url=URL, exchange='mine') == ['http://web', [2]]
    client, = engine_answers['built']
    assert client.methods() == ['identify_stack', 'show_output', 'show_output']
    # Terms are output keys as text; the stack is found once, never shown (the other outputs stay unresolved).
    assert [args for _method, args, _kwargs in client.calls] == [('st',), (IDENTITY, 'url'), (IDENTITY, '2')]
    assert client.settings.transport_url == URL and client.settings.exchange == 'mine'
    assert client.closed


def test_the_connection_comes_from_the_environment_as_for_a_module(engine_answers, monkeypatch):
    monkeypatch.setenv('HEAT_RPC_TRANSPORT_URL', URL)
    engine_answers['answers'].update({'identify_stack': IDENTITY, 'show_output': {'output_value': 1}})
    assert run_lookup(['a'], stack='st') == [1]
    assert engine_answers['built'][0].settings.transport_url == URL


def test_no_terms_asks_nothing(engine_answers):
    with pytest.raises(AnsibleError, match='heat_stack_output: give at least one output key'):
        run_lookup([], stack='st', transport_url=URL)
    assert engine_answers['built'] == []


def test_the_stack_option_is_required(engine_answers):
    with pytest.raises(AnsibleError, match='stack'):
        run_lookup(['a'], transport_url=URL)
    assert engine_answers['built'] == []


@pytest.mark.parametrize('answers,message', [
    ({'identify_stack': errors.NotFoundError('no')}, "heat_stack_output: stack 'st' not found"),
    ({'show_output': errors.NotFoundError('Specified output key a not found.')},
     "heat_stack_output: stack 'st' has no output 'a'"),
    ({'show_output': {'output_key': 'a', 'output_error': 'list index out of range'}},
     "heat_stack_output: output 'a' of stack 'st' cannot be resolved: list index out of range"),
    ({'show_output': errors.EngineNotAnsweringError('no answer from %s in 60s' % URL)},
     'heat_stack_output: no answer from rabbit://u:********@broker:5672/heat in 60s'),
])
def test_errors_name_the_output_and_hide_secrets(engine_answers, answers, message):
    engine_answers['answers'].update(dict({'identify_stack': IDENTITY}, **answers))
    with pytest.raises(AnsibleError) as caught:
        run_lookup(['a'], stack='st', transport_url=URL)
    assert str(caught.value) == message
    assert 'secret' not in str(caught.value)
    assert engine_answers['built'][0].closed


def test_bad_connection_options_name_the_option(engine_answers):
    # ansible checks the documented option types before the lookup runs.
    with pytest.raises(AnsibleError, match="'rpc_timeout' .* has an invalid value"):
        run_lookup(['a'], stack='st', transport_url=URL, rpc_timeout='soon')
    assert engine_answers['built'] == []


def test_options_the_settings_refuse_name_the_option(engine_answers):
    with pytest.raises(AnsibleError, match="heat_stack_output: api_version_cap: 'one' is not an API version"):
        run_lookup(['a'], stack='st', transport_url=URL, api_version_cap='one')
    assert engine_answers['built'] == []

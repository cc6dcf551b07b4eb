# -*- coding: utf-8 -*-
"""API versions as data: parse_version, plan_arguments, and engine_method, which derives a MethodSpec
from a client method's signature and sends the call through the client's _invoke."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import inspect

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.api_versions import (
    MethodSpec, engine_method, format_version, method_table, parse_version, plan_arguments,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_settings
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient


# -- parse_version, format_version -----------------------------------------------------------------

@pytest.mark.parametrize('text,parsed', [('1.0', (1, 0)), ('1.36', (1, 36)), (' 1.9 ', (1, 9)), ('2.10', (2, 10))])
def test_parse_version(text, parsed):
    assert parse_version(text) == parsed
    assert format_version(parsed) == text.strip()


def test_versions_compare_as_numbers_not_text():
    assert parse_version('1.10') > parse_version('1.9')


@pytest.mark.parametrize('text', ['1', '1.2.3', 'one.two', '1.x', '', '-1.2', '1.36a'])
def test_parse_version_refuses_what_is_not_major_minor(text):
    with pytest.raises(ValueError) as caught:
        parse_version(text)
    assert 'MAJOR.MINOR' in str(caught.value)


# -- plan_arguments --------------------------------------------------------------------------------

SPEC = MethodSpec('m', since='1.2', optional={'flag': ('1.5', False), 'depth': ('1.0', 0), 'extra': ('1.7', None)})


def test_plan_drops_optional_arguments_at_their_default():
    sent, version, needs = plan_arguments(SPEC, {'name': 'n', 'flag': False, 'depth': 0, 'extra': None})
    assert sent == {'name': 'n'}
    assert version == '1.2'
    assert needs == {'m': '1.2'}


def test_plan_always_sends_arguments_that_are_not_optional_even_none():
    sent, version, _needs = plan_arguments(SPEC, {'name': None, 'other': {}})
    assert sent == {'name': None, 'other': {}}
    assert version == '1.2'


def test_plan_raises_the_version_to_the_newest_argument_sent_and_names_it():
    sent, version, needs = plan_arguments(SPEC, {'name': 'n', 'flag': True, 'extra': 'x'})
    assert sent == {'name': 'n', 'flag': True, 'extra': 'x'}
    assert version == '1.7'
    assert needs == {'m': '1.2', 'flag': '1.5', 'extra': '1.7'}


def test_plan_compares_type_as_well_as_value():
    # 0 == False in Python, but False for an integer argument is not its default (and the other way round).
    sent, _version, _needs = plan_arguments(SPEC, {'flag': 0, 'depth': False})
    assert sent == {'flag': 0, 'depth': False}


def test_plan_keeps_an_old_optional_argument_at_the_method_version():
    assert plan_arguments(SPEC, {'depth': 3})[1:] == ('1.2', {'m': '1.2', 'depth': '1.0'})


# -- engine_method: a spec derived from a signature ------------------------------------------------

class Recorder:
    """Stands in for EngineClient: records what engine_method hands to _invoke."""

    def __init__(self):
        self.invoked = []

    def _invoke(self, ctxt, spec, arguments, **options):
        self.invoked.append((ctxt, spec, arguments, options))
        return 'answer'

    @engine_method(since='1.2', optional={'flag': '1.5', 'extra': '1.7'}, writes=True)
    def do_thing(self, ctxt, name, value=None, flag=False, extra=None):
        """Does a thing."""

    @engine_method(empty={'params': dict, 'inputs': list}, waits='timeout')
    def fill_in(self, ctxt, params=None, inputs=None, timeout=None):
        """Sends empties."""

    @engine_method(writes=True, removed=True, client_options=('cast',))
    def drop(self, ctxt, identity, cast=False):
        """Drops."""

    def not_an_engine_method(self, ctxt):
        """A plain method."""


def test_spec_is_derived_from_the_signature():
    spec = Recorder.do_thing.engine_spec
    assert spec.name == 'do_thing'
    assert spec.since == '1.2'
    assert spec.arguments == ('name', 'value', 'flag', 'extra')
    # The defaults come from the signature, the versions from the decorator.
    assert spec.optional == {'flag': ('1.5', False), 'extra': ('1.7', None)}
    assert spec.writes is True
    assert spec.removed is False
    assert spec.empty == {}
    assert spec.waits is None


def test_spec_defaults_follow_the_signature():
    class Other(Recorder):
        @engine_method(optional={'depth': '1.3'})
        def walk(self, ctxt, depth=7):
            """Walks."""

    assert Other.walk.engine_spec.optional == {'depth': ('1.3', 7)}
    assert Other.walk.engine_spec.since == '1.0'
    assert Other.walk.engine_spec.writes is False


def test_client_options_are_not_engine_arguments():
    spec = Recorder.drop.engine_spec
    assert spec.arguments == ('identity',)
    assert spec.removed is True
    client = Recorder()
    client.drop('ctx', 'i1', cast=True)
    client.drop('ctx', 'i2')
    assert [(args, options) for _ctxt, _spec, args, options in client.invoked] == [
        ({'identity': 'i1'}, {'cast': True}),
        ({'identity': 'i2'}, {'cast': False}),
    ]


def test_a_call_hands_every_argument_with_defaults_applied_to_invoke():
    client = Recorder()
    assert client.do_thing('ctx', 'n1', flag=True) == 'answer'
    assert client.do_thing(None, name='n2', value=3) == 'answer'
    first, second = client.invoked
    assert first[0] == 'ctx'
    assert first[1] is Recorder.do_thing.engine_spec
    assert first[2] == {'name': 'n1', 'value': None, 'flag': True, 'extra': None}
    assert first[3] == {}
    assert second[0] is None
    assert second[2] == {'name': 'n2', 'value': 3, 'flag': False, 'extra': None}


def test_a_call_with_wrong_arguments_fails_like_a_method():
    client = Recorder()
    with pytest.raises(TypeError):
        client.do_thing('ctx')  # name missing
    with pytest.raises(TypeError):
        client.do_thing('ctx', 'n', unknown=1)
    with pytest.raises(TypeError):
        client.do_thing('ctx', 'n', None, False, None, 'one too many')
    assert client.invoked == []


def test_empty_arguments_are_sent_as_new_empty_values():
    client = Recorder()
    client.fill_in(None)
    client.fill_in(None, params={'a': 1}, inputs=[{'name': 'x'}])
    client.fill_in(None)
    first, second, third = [arguments for _ctxt, _spec, arguments, _options in client.invoked]
    assert first == {'params': {}, 'inputs': [], 'timeout': None}
    assert second == {'params': {'a': 1}, 'inputs': [{'name': 'x'}], 'timeout': None}
    assert first['params'] is not third['params']  # never one shared dict
    assert Recorder.fill_in.engine_spec.waits == 'timeout'


def test_the_method_keeps_its_signature_name_and_docstring():
    assert str(inspect.signature(Recorder.do_thing)) == '(self, ctxt, name, value=None, flag=False, extra=None)'
    assert Recorder.do_thing.__name__ == 'do_thing'
    assert Recorder.do_thing.__doc__ == 'Does a thing.'


def test_method_table_collects_the_engine_methods_of_a_class():
    table = method_table(Recorder)
    assert sorted(table) == ['do_thing', 'drop', 'fill_in']
    assert all(table[name] is getattr(Recorder, name).engine_spec for name in table)


@pytest.mark.parametrize('decoration,func,message', [
    ({'optional': {'name': '1.1'}}, lambda self, ctxt, name: None, "optional 'name' needs a default"),
    ({'optional': {'nope': '1.1'}}, lambda self, ctxt, name=None: None, "no parameter 'nope'"),
    ({'empty': {'nope': dict}}, lambda self, ctxt: None, "no parameter 'nope'"),
    ({'client_options': ('cast',)}, lambda self, ctxt: None, "no parameter 'cast'"),
    ({'waits': 'timeout'}, lambda self, ctxt: None, "no parameter 'timeout'"),
    ({}, lambda self, context, name: None, "must start with 'self, ctxt'"),
    ({}, lambda self, ctxt, *names: None, '*names is not an engine argument'),
    ({}, lambda self, ctxt, **options: None, '*options is not an engine argument'),
    ({'since': '1.5', 'optional': {'x': '1.4'}}, lambda self, ctxt, x=None: None, 'cannot be older than the method'),
])
def test_a_decoration_that_does_not_fit_the_signature_fails_at_import(decoration, func, message):
    with pytest.raises(TypeError) as caught:
        engine_method(**decoration)(func)
    assert message in str(caught.value)


# -- through EngineClient: planning, cap refusals, what reaches the connection ----------------------

class RecordingConnection:
    """Stands in for the transport: records each invoke()."""

    def __init__(self):
        self.sent = []

    def invoke(self, method, kwargs, version, **options):
        self.sent.append((method, kwargs, version, options))
        return {'method': method}

    def close(self):
        pass


def client_with(**settings):
    connection = RecordingConnection()
    return EngineClient(connection_settings('fake://', **settings), connection=connection), connection


def test_defaults_are_not_sent_and_given_arguments_raise_the_version():
    client, connection = client_with()
    client.list_stack_resources(None, 'st')
    client.list_stack_resources(None, 'st', nested_depth=2, with_detail=True)
    client.list_stack_resources(None, 'st', filters={'name': 'r'})
    assert [(kwargs, version) for _method, kwargs, version, _options in connection.sent] == [
        ({'stack_identity': 'st'}, '1.0'),
        ({'stack_identity': 'st', 'nested_depth': 2, 'with_detail': True}, '1.12'),
        ({'stack_identity': 'st', 'filters': {'name': 'r'}}, '1.25'),
    ]


def test_arguments_not_optional_are_always_sent():
    client, connection = client_with()
    client.update_software_deployment(None, 'd1')
    client.validate_template(None, {'resources': {}})
    client.create_software_config(None, 'script', 'c', 'echo')
    assert [kwargs for _method, kwargs, _version, _options in connection.sent] == [
        {'deployment_id': 'd1', 'config_id': None, 'input_values': None, 'output_values': None, 'action': None,
         'status': None, 'status_reason': None, 'updated_at': None},
        {'template': {'resources': {}}, 'params': {}},
        {'group': 'script', 'name': 'c', 'config': 'echo', 'inputs': [], 'outputs': [], 'options': {}},
    ]


def test_client_options_reach_the_connection_not_the_engine():
    client, connection = client_with(timeout=30)
    client.delete_stack(None, 'st', cast=True)
    client.check_software_deployment(None, 'd1', 20)
    client.show_stack(None, 'st')
    (_m1, kwargs1, _v1, options1), (_m2, kwargs2, _v2, options2), (_m3, _k3, _v3, options3) = connection.sent
    assert kwargs1 == {'stack_identity': 'st'}
    assert options1['cast'] is True and options1['writes'] is True
    # The engine waits 20 s itself: the RPC gets those on top of the usual 30.
    assert kwargs2 == {'deployment_id': 'd1', 'timeout': 20}
    assert options2['timeout'] == 50
    assert options3['timeout'] is None and options3['cast'] is False and options3['writes'] is False


def test_cap_refuses_an_argument_newer_than_the_cap_and_names_it():
    client, connection = client_with(api_version_cap='1.22')
    with pytest.raises(errors.NotSupportedError) as caught:
        client.create_stack(None, 's', {}, {}, {}, {}, environment_files=['e.yaml'], files_container='c')
    message = str(caught.value)
    assert "'create_stack' with 'environment_files' (1.23), 'files_container' (1.36) needs RPC API 1.36" in message
    assert 'api_version_cap 1.22' in message
    with pytest.raises(errors.NotSupportedError) as caught:
        client.list_template_functions(None, 'v', with_condition=True)
    assert "'with_condition' (1.35)" in str(caught.value)
    assert connection.sent == []
    client.create_stack(None, 's', {}, {}, {}, {})  # the same method, arguments at their defaults: fits
    assert connection.sent[0][2] == '1.0'


def test_cap_refuses_a_method_newer_than_the_cap():
    client, connection = client_with(api_version_cap='1.14')
    with pytest.raises(errors.NotSupportedError) as caught:
        client.preview_update_stack(None, 'st', {}, {}, {}, {})
    assert "the engine method 'preview_update_stack' needs RPC API 1.15, above api_version_cap 1.14" in str(
        caught.value)
    assert connection.sent == []


def test_allows_and_version_for_use_the_derived_table():
    client, _connection = client_with(api_version_cap='1.19')
    assert client.allows('show_stack', stack_identity='st')
    assert client.allows('show_stack', stack_identity='st', resolve_outputs=True)
    assert not client.allows('show_stack', stack_identity='st', resolve_outputs=False)
    assert EngineClient.version_for('list_resource_types', type_name='x') == '1.16'
    assert EngineClient.version_for('list_resource_types', with_description=False) == '1.0'

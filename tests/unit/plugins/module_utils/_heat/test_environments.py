# -*- coding: utf-8 -*-
"""How environment layers merge: the engine's rules (heat.common.environment_util), as tables.

tests/integration/test_contract.py runs the same cases through the engine's own code.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.environments import MergeError, merge_layers
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.templates import EnvironmentLayer, empty_environment

TYPES = {'s': 'string', 'l': 'comma_delimited_list', 'j': 'json', 'n': 'number', 'b': 'boolean'}

# (name, base parameters, layers as (parameters, strategies), expected parameters)
MERGE_CASES = [
    ('overwrite by default', {}, [({'s': 'a', 'l': [1]}, None), ({'s': 'b', 'l': [2]}, None)],
     {'s': 'b', 'l': [2]}),
    ('merge joins lists', {}, [({'l': [1]}, {'l': 'merge'}), ({'l': [2]}, None)], {'l': [1, 2]}),
    ('merge joins comma-delimited text', {}, [({'l': 'a,b'}, {'l': 'merge'}), ({'l': 'c'}, None)],
     {'l': 'a,b,c'}),
    ('merge joins strings', {}, [({'s': 'ab'}, {'default': 'merge'}), ({'s': 'cd'}, None)], {'s': 'abcd'}),
    ('merge of json is one level', {}, [({'j': {'a': {'x': 1}}}, {'j': 'merge'}), ({'j': {'a': {'y': 2}}}, None)],
     {'j': {'a': {'y': 2}}}),
    ('deep_merge of json goes all the way', {},
     [({'j': {'a': {'x': 1}, 'l': [1]}}, {'j': 'deep_merge'}), ({'j': {'a': {'y': 2}, 'l': [2]}}, None)],
     {'j': {'a': {'x': 1, 'y': 2}, 'l': [1, 2]}}),
    ('json given as text is parsed to merge', {}, [({'j': {'a': 1}}, {'j': 'merge'}), ({'j': '{"b": 2}'}, None)],
     {'j': {'a': 1, 'b': 2}}),
    ('a strategy sticks for later files', {}, [({'l': [1]}, {'l': 'merge'}), ({'l': [2]}, None), ({'l': [3]}, None)],
     {'l': [1, 2, 3]}),
    ('undeclared parameters are dropped once there is something to merge into', {},
     [({'s': 'a'}, None), ({'undeclared': 1, 's': 'b'}, None)], {'s': 'b'}),
    ('undeclared parameters of the first layer stay', {}, [({'undeclared': 1}, None)], {'undeclared': 1}),
    ('layers go over the base', {'s': 'base', 'n': 1}, [({'s': 'layer'}, None)], {'s': 'layer', 'n': 1}),
    ('None values are skipped', {'s': 'base'}, [({'s': None}, None)], {'s': 'base'}),
    ('overwrite named beside a merge default', {}, [({'l': [1], 's': 'a'}, {'default': 'merge', 'l': 'overwrite'}),
                                                    ({'l': [2], 's': 'b'}, None)], {'l': [2], 's': 'ab'}),
]


def layer(index, parameters, strategies):
    document = {'parameters': parameters}
    if strategies:
        document['parameter_merge_strategies'] = strategies
    return EnvironmentLayer('env%d.yaml' % index, document, 'env%d.yaml' % index)


@pytest.mark.parametrize('base,layers,expected', [case[1:] for case in MERGE_CASES],
                         ids=[case[0] for case in MERGE_CASES])
def test_parameters_merge_as_the_engine_merges_them(base, layers, expected):
    environment = empty_environment()
    environment['parameters'].update(base)
    merged = merge_layers(environment, [layer(i, *spec) for i, spec in enumerate(layers)], TYPES)
    assert merged['parameters'] == expected


def test_merging_leaves_its_inputs_as_they_were():
    first = layer(0, {'l': [1]}, {'l': 'merge'})
    second = layer(1, {'l': [2]}, None)
    merge_layers(empty_environment(), [first, second], TYPES)
    assert first.document == {'parameters': {'l': [1]}, 'parameter_merge_strategies': {'l': 'merge'}}
    assert second.document == {'parameters': {'l': [2]}}


def test_other_sections_merge_one_level_deep():
    layers = [EnvironmentLayer('a', {'resource_registry': {'A': 'a.yaml', 'resources': {'r1': {'hooks': 'x'}}}}, 'a'),
              EnvironmentLayer('b', {'resource_registry': {'B': 'b.yaml', 'resources': {'r2': {'hooks': 'y'}}},
                                     'parameter_defaults': {'s': 'd'}}, 'b')]
    merged = merge_layers(empty_environment(), layers, TYPES)
    assert merged['resource_registry'] == {'A': 'a.yaml', 'B': 'b.yaml', 'resources': {'r2': {'hooks': 'y'}}}
    assert merged['parameter_defaults'] == {'s': 'd'}


@pytest.mark.parametrize('layers,message', [
    ([({'l': [1]}, {'l': 'merge'}), ({'l': [2]}, {'l': 'overwrite'})],
     'env1.yaml asks to overwrite parameter l, but an earlier environment asked to merge it'),
    ([({'b': True}, {'b': 'merge'}), ({'b': False}, None)], 'parameter b (boolean) cannot be merged'),
    ([({'n': 1}, {'n': 'merge'}), ({'n': 2}, None)], 'parameter n (number) cannot be merged'),
    ([({'j': {'a': 1}}, {'j': 'merge'}), ({'j': '{not json'}, None)], 'parameter j is not valid JSON'),
])
def test_merges_the_engine_refuses_are_refused_before_sending(layers, message):
    with pytest.raises(MergeError) as caught:
        merge_layers(empty_environment(), [layer(i, *spec) for i, spec in enumerate(layers)], TYPES)
    assert message in str(caught.value) and caught.value.kind == 'template_error'


# -- cases a mutation run showed untested ---------------------------------------------------------------

MORE_TYPES = dict(TYPES, c='commadelimitedlist', s2='string', j2='json')


def merged_of(layers, base=None, types=None):
    environment = empty_environment()
    environment['parameters'].update(base or {})
    return merge_layers(environment, [EnvironmentLayer('env%d' % index, document, 'env%d' % index)
                                      for index, document in enumerate(layers)], types or MORE_TYPES)


@pytest.mark.parametrize('layers,section,expected', [
    ([{'parameter_defaults': {'l': [1]}, 'parameter_merge_strategies': {'l': 'merge'}},
      {'parameter_defaults': {'l': [2]}}], 'parameter_defaults', {'l': [1, 2]}),
    ([{'parameters': {'c': 'a'}, 'parameter_merge_strategies': {'c': 'merge'}}, {'parameters': {'c': 'b'}}],
     'parameters', {'c': 'a,b'}),
    ([{'parameters': {'s2': 'x'}}, {'parameters': {'s': 'b'}, 'parameter_merge_strategies': {'default': 'merge'}}],
     'parameters', {'s2': 'x', 's': 'b'}),
    ([{'parameters': {'l': ['a', 'b']}, 'parameter_merge_strategies': {'l': 'merge'}}, {'parameters': {'l': 'c'}}],
     'parameters', {'l': 'a,b,c'}),
    ([{'parameters': {}, 'parameter_defaults': {'s': 'kept'}}], 'parameter_defaults', {'s': 'kept'}),
    ([{'parameters': {'j': {'a': 'x', 'n': None, 'b': 1}}, 'parameter_merge_strategies': {'j': 'deep_merge'}},
      {'parameters': {'j': {'a': 'y', 'n': None, 'b': 2, 'new': 'z'}}}], 'parameters',
     {'j': {'a': 'xy', 'n': None, 'b': 2, 'new': 'z'}}),
    ([{'event_sinks': [{'type': 'zaqar-queue', 'target': 'q'}]}], 'event_sinks', [{'type': 'zaqar-queue', 'target': 'q'}]),
])
def test_more_merges(layers, section, expected):
    assert merged_of(layers)[section] == expected


@pytest.mark.parametrize('layers,message', [
    ([{'parameters': {'n': '1'}, 'parameter_merge_strategies': {'n': 'merge'}}, {'parameters': {'n': '2'}}],
     'parameter n (number) cannot be merged'),
    ([{'parameters': {'b': 'true'}, 'parameter_merge_strategies': {'b': 'merge'}}, {'parameters': {'b': 'false'}}],
     'parameter b (boolean) cannot be merged'),
    ([{'event_sinks': [{'type': 'a'}]}, {'event_sinks': [{'type': 'b'}]}],
     'env1: event_sinks is set by an earlier environment too'),
])
def test_more_refusals(layers, message):
    with pytest.raises(MergeError) as caught:
        merged_of(layers)
    assert message in str(caught.value)


def test_the_base_is_left_as_it_was():
    base = empty_environment()
    base['parameters']['j'] = {'a': {'x': 1}}
    merge_layers(base, [EnvironmentLayer('e', {'parameters': {'j': {'a': {'y': 2}}},
                                               'parameter_merge_strategies': {'j': 'deep_merge'}}, 'e')], TYPES)
    assert base['parameters'] == {'j': {'a': {'x': 1}}}

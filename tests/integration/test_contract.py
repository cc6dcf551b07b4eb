# -*- coding: utf-8 -*-
"""Contract: what the EngineClient sends is what heat.engine.service.EngineService accepts.

The engine's method signatures are read by introspection inside the engine's own virtualenv (heat is
not installed where the client runs). For every client method the test records the arguments it would
send, once with only the required arguments and once with every optional one set, and checks them
against the engine's parameters.
"""

import inspect

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.api_versions import LATEST_API_VERSION
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_settings
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import METHODS, EngineClient

from conftest import run_engine_python

INTROSPECT = r'''
import inspect, json, warnings
warnings.simplefilter('ignore')
from heat.engine import service
out = {'RPC_API_VERSION': service.EngineService.RPC_API_VERSION, 'methods': {}}
for name, func in inspect.getmembers(service.EngineService, inspect.isfunction):
    if name.startswith('_'):
        continue
    params = list(inspect.signature(inspect.unwrap(func)).parameters.values())[2:]  # self, context
    out['methods'][name] = {
        'params': [p.name for p in params],
        'required': [p.name for p in params if p.default is inspect.Parameter.empty],
    }
print(json.dumps(out))
'''


class RecordingConnection:
    """Stands in for the transport: records what the client would send."""

    def __init__(self):
        self.sent = None

    def invoke(self, method, kwargs, version, **options):
        self.sent = (method, dict(kwargs), version)

    def close(self):
        pass


def non_default(value):
    if isinstance(value, bool):
        return not value
    if value is None:
        return {'set': True}
    if isinstance(value, int):
        return value + 1
    return 'not-%s' % value


def sent_arguments(method, all_optional):
    connection = RecordingConnection()
    client = EngineClient(connection_settings('fake://'), connection=connection)
    func = getattr(client, method)
    kwargs = {}
    for param in list(inspect.signature(func).parameters.values())[1:]:  # ctxt
        if param.default is inspect.Parameter.empty:
            kwargs[param.name] = 1 if param.name == 'timeout' else 'required-%s' % param.name
        elif all_optional and param.name != 'cast':
            kwargs[param.name] = non_default(param.default)
    func(None, **kwargs)
    assert connection.sent[0] == method
    return connection.sent


@pytest.fixture(scope='module')
def engine_api(engine_python):
    return run_engine_python(engine_python, INTROSPECT)


def test_client_knows_the_engine_api_version(engine_api):
    assert engine_api['RPC_API_VERSION'] == LATEST_API_VERSION


@pytest.mark.parametrize('method', sorted(name for name, spec in METHODS.items() if not spec.removed))
def test_sent_arguments_fit_the_engine_signature(engine_api, method):
    assert method in engine_api['methods'], 'heat-engine has no method %s' % method
    engine = engine_api['methods'][method]
    for all_optional in (False, True):
        _method, kwargs, version = sent_arguments(method, all_optional)
        unknown = set(kwargs) - set(engine['params'])
        assert not unknown, 'the engine does not accept %s' % sorted(unknown)
        missing = set(engine['required']) - set(kwargs)
        assert not missing, 'the engine requires %s' % sorted(missing)


def test_every_optional_argument_is_reachable(engine_api):
    """Each optional argument the client knows is one the engine has (not only those a test sets)."""
    for method, spec in METHODS.items():
        if spec.removed:
            continue
        assert set(spec.optional) <= set(engine_api['methods'][method]['params']), method


@pytest.mark.parametrize('method', sorted(name for name, spec in METHODS.items() if spec.removed))
def test_removed_methods_are_really_gone_from_the_engine(engine_api, method):
    assert method not in engine_api['methods']


# -- environment merging: the client's rules against heat.common.environment_util ----------------

ENGINE_MERGE = r'''
import json, sys, warnings
warnings.simplefilter('ignore')
from heat.common import environment_util
from heat.engine import parameters
cases = json.loads(sys.stdin.read())
kinds = {'string': parameters.Schema.STRING, 'number': parameters.Schema.NUMBER, 'json': parameters.Schema.MAP,
         'comma_delimited_list': parameters.Schema.LIST, 'boolean': parameters.Schema.BOOLEAN}
out = []
for case in cases:
    schemata = dict((name, parameters.Schema(kinds[kind])) for name, kind in case['types'].items())
    files = dict(('env%d' % index, json.dumps(document)) for index, document in enumerate(case['layers']))
    params = json.loads(json.dumps(case['base']))
    try:
        environment_util.merge_environments(sorted(files), files, params, schemata)
        out.append({'merged': params})
    except Exception as exc:
        out.append({'error': type(exc).__name__})
print(json.dumps(out))
'''


def merge_cases():
    """The unit table of tests/unit/.../test_environments.py, plus registry and defaults sections."""
    from test_environments import MERGE_CASES, TYPES
    cases = []
    for name, base, layers, _expected in MERGE_CASES:
        documents = []
        for parameters, strategies in layers:
            document = {'parameters': parameters}
            if strategies:
                document['parameter_merge_strategies'] = strategies
            documents.append(document)
        cases.append((name, base, documents))
    cases.append(('registries one level deep', {}, [
        {'resource_registry': {'A': 'a.yaml', 'resources': {'r1': {'hooks': 'pre-create'}}}},
        {'resource_registry': {'B': 'b.yaml', 'resources': {'r2': {'hooks': 'pre-update'}}},
         'parameter_defaults': {'j': {'a': {'b': 1}}}},
        {'parameter_defaults': {'j': {'a': {'c': 2}}}, 'parameter_merge_strategies': {'j': 'deep_merge'}}]))
    cases.append(('conflicting strategies', {}, [
        {'parameters': {'l': [1]}, 'parameter_merge_strategies': {'l': 'merge'}},
        {'parameters': {'l': [2]}, 'parameter_merge_strategies': {'l': 'overwrite'}}]))
    return TYPES, cases


def test_environment_merging_matches_the_engine(engine_python):
    """Every case merges to the same environment here as in heat's own code, or both refuse it."""
    import json
    import os
    import subprocess
    import sys

    from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.environments import MergeError, merge_layers
    from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.templates import EnvironmentLayer

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'unit', 'plugins', 'module_utils', '_heat'))
    types, cases = merge_cases()
    sections = ('parameters', 'parameter_defaults', 'resource_registry')
    payload = [{'types': types, 'base': dict((section, dict(base) if section == 'parameters' else {})
                                             for section in sections), 'layers': layers}
               for _name, base, layers in cases]
    engine = subprocess.run([engine_python, '-c', ENGINE_MERGE], input=json.dumps(payload), capture_output=True,
                            text=True, timeout=120, check=True)
    answers = json.loads(engine.stdout.strip().splitlines()[-1])
    assert len(answers) == len(cases) > 10
    for (name, _base, layers), sent, answer in zip(cases, payload, answers):
        try:
            ours = merge_layers(sent['base'], [EnvironmentLayer('env%d' % i, layer, 'env%d' % i)
                                               for i, layer in enumerate(layers)], types)
        except MergeError:
            assert 'error' in answer, (name, answer)
            continue
        assert 'merged' in answer, (name, answer)
        assert dict((section, ours[section]) for section in sections) == answer['merged'], name

# -*- coding: utf-8 -*-
"""Contract: what the EngineClient sends is what heat.engine.service.EngineService accepts.

The engine's method signatures are read by introspection inside the engine's own virtualenv (heat is
not installed where the client runs). For every client method the test records the arguments it would
send, once with only the required arguments and once with every optional one set, and checks them
against the engine's parameters.
"""

import inspect

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils.api_versions import LATEST_API_VERSION, METHODS
from ansible_collections.heat_rpc.engine.plugins.module_utils.connection import ConnectionSettings
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient

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
    client = EngineClient(ConnectionSettings('fake://'), connection=connection)
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

# -*- coding: utf-8 -*-
"""The heat_stack inventory plugin: which files it takes, and the inventory parse() makes of a scripted engine.

The plugin runs in this process on a real InventoryData and DataLoader, with a scripted client in place of the
EngineClient that plugin_utils.engine builds. Its option definitions (its DOCUMENTATION with the connection,
constructed and inventory_cache doc fragments) are registered the way the plugin loader does.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest
import yaml

from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader

from ansible_collections.heat_rpc.engine.plugins.inventory import heat_stack
from ansible_collections.heat_rpc.engine.plugins.module_utils import errors

from plugin_doubles import register_options, scripted_engine

NAME = 'heat_rpc.engine.heat_stack'
URL = 'rabbit://u:secret@broker:5672/heat'
IDENTITY = {'stack_name': 'st', 'stack_id': 'st-id', 'tenant': 'p', 'path': ''}
RAW_STACK = {'stack_name': 'st', 'stack_identity': IDENTITY, 'stack_action': 'CREATE', 'stack_status': 'COMPLETE'}
STACK = {'name': 'st', 'id': 'st-id', 'status': 'CREATE_COMPLETE'}
HOSTS = {'web': {'w0': {'ansible_host': '192.0.2.1'}, 'w1': None}, 'db': ['d0']}


def server(name, address):
    return {'resource_name': name, 'resource_type': 'OS::Nova::Server', 'resource_action': 'CREATE',
            'resource_status': 'COMPLETE', 'resource_status_reason': 'ok', 'physical_resource_id': 'phys-' + name,
            'stack_name': 'st', 'stack_identity': IDENTITY, 'attributes': {'first_address': address}}


@pytest.fixture
def engine_answers(monkeypatch):
    """Set the answers of the client the plugin gets; the clients built are in ``built``."""
    register_options('inventory', NAME, heat_stack)
    answers = {'identify_stack': IDENTITY, 'show_stack': [RAW_STACK],
               'show_output': {'output_key': 'hosts', 'output_value': HOSTS}}
    return {'answers': answers, 'built': scripted_engine(monkeypatch, answers)}


def source(tmp_path, name='web.heat_stack.yml', **config):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(dict({'plugin': NAME, 'stack': 'st', 'transport_url': URL}, **config)))
    return str(path)


def plugin():
    inventory_plugin = heat_stack.InventoryModule()
    inventory_plugin._load_name = NAME
    return inventory_plugin


def parse(path, cache=True):
    """As InventoryManager does: parse, then write the cache if the parse changed it."""
    inventory = InventoryData()
    inventory_plugin = plugin()
    inventory_plugin.parse(inventory, DataLoader(), path, cache=cache)
    if inventory_plugin.get_option('cache'):
        inventory_plugin.update_cache_if_changed()
    return inventory


def groups_of(inventory):
    return dict((name, sorted(host.name for host in group.get_hosts()))
                for name, group in inventory.groups.items() if name not in ('all', 'ungrouped'))


@pytest.mark.parametrize('name,exists,expected', [
    ('web.heat_stack.yml', True, True),
    ('web.heat_stack.yaml', True, True),
    ('heat_stack.yml', True, True),
    ('web.yml', True, False),
    ('heat_stack.yml.bak', True, False),
    ('web.heat_stack.yml', False, False),
])
def test_verify_file(tmp_path, name, exists, expected):
    path = tmp_path / name
    if exists:
        path.write_text('plugin: %s\n' % NAME)
    assert plugin().verify_file(str(path)) is expected


def test_hosts_and_groups_from_the_hosts_output(tmp_path, engine_answers):
    inventory = parse(source(tmp_path, hosts_output='hosts', compose={'address': 'ansible_host | default("none")'},
                             keyed_groups=[{'key': 'heat_stack.status', 'prefix': 'stack'}]))
    assert groups_of(inventory) == {'web': ['w0', 'w1'], 'db': ['d0'], 'stack_CREATE_COMPLETE': ['d0', 'w0', 'w1']}
    w0 = inventory.get_host('w0').get_vars()
    assert w0['heat_stack'] == STACK and w0['ansible_host'] == '192.0.2.1' and w0['address'] == '192.0.2.1'
    assert inventory.get_host('d0').get_vars()['address'] == 'none'
    client, = engine_answers['built']
    assert client.methods() == ['identify_stack', 'show_stack', 'show_output']
    assert client.settings.transport_url == URL
    assert client.closed


def test_hosts_from_resources(tmp_path, engine_answers):
    engine_answers['answers']['list_stack_resources'] = [server('a', '192.0.2.1'), server('b', '192.0.2.2')]
    inventory = parse(source(tmp_path, resources=[{'type': 'OS::Nova::Server', 'attributes': ['first_address'],
                                                   'group': 'servers', 'nested_depth': 2}],
                             compose={'ansible_host': 'heat_attributes.first_address'}))
    assert groups_of(inventory) == {'servers': ['a', 'b']}
    b = inventory.get_host('b').get_vars()
    assert b['ansible_host'] == '192.0.2.2'
    assert b['heat_resource']['physical_id'] == 'phys-b'
    assert engine_answers['built'][0].kwargs_of('list_stack_resources') == [
        {'nested_depth': 2, 'with_detail': True, 'filters': {'type': 'OS::Nova::Server'}}]
    assert 'show_output' not in engine_answers['built'][0].methods()


@pytest.mark.parametrize('config,message', [
    ({}, 'set hosts_output or resources (or both); there is nothing to make hosts of'),
    ({'resources': [{'type': 'T', 'colour': 'red'}]}, 'resources[0]: unknown key colour'),
])
def test_a_source_without_hosts_is_refused_before_the_engine_is_asked(tmp_path, engine_answers, config, message):
    path = source(tmp_path, **config)
    with pytest.raises(AnsibleParserError) as caught:
        parse(path)
    assert str(caught.value).startswith('%s: %s' % (path, message))
    assert engine_answers['built'] == []


@pytest.mark.parametrize('answers,message', [
    ({'identify_stack': errors.NotFoundError('no')}, "stack 'st': stack 'st' not found"),
    ({'show_output': errors.BrokerUnreachableError('cannot reach %s' % URL)},
     "stack 'st': cannot reach rabbit://u:********@broker:5672/heat"),
    ({'show_output': {'output_key': 'hosts', 'output_value': ['w0']}},
     "stack 'st': output 'hosts' must be a mapping of group name to hosts, not list"),
])
def test_engine_errors_and_bad_outputs_name_the_stack_without_secrets(tmp_path, engine_answers, answers, message):
    engine_answers['answers'].update(answers)
    with pytest.raises(AnsibleParserError) as caught:
        parse(source(tmp_path, hosts_output='hosts'))
    assert str(caught.value) == message
    assert engine_answers['built'][0].closed


def test_the_transport_url_is_required_one_way_or_the_other(tmp_path, engine_answers, monkeypatch):
    path = tmp_path / 'web.heat_stack.yml'
    path.write_text(yaml.safe_dump({'plugin': NAME, 'stack': 'st', 'hosts_output': 'hosts'}))
    with pytest.raises(AnsibleParserError, match="stack 'st': transport_url is required"):
        parse(str(path))
    monkeypatch.setenv('HEAT_RPC_TRANSPORT_URL', URL)
    assert groups_of(parse(str(path)))['db'] == ['d0']


def test_a_cached_inventory_asks_the_engine_once(tmp_path, engine_answers):
    path = source(tmp_path, hosts_output='hosts', cache=True, cache_plugin='jsonfile',
                  cache_connection=str(tmp_path / 'cache'), cache_timeout=600)
    # cache=False (--flush-cache): ask the engine and fill the cache; cache=True: read it.
    first = parse(path, cache=False)
    second = parse(path, cache=True)
    assert groups_of(first) == groups_of(second) == {'web': ['w0', 'w1'], 'db': ['d0']}
    assert len(engine_answers['built']) == 1
    assert parse(path, cache=False) and len(engine_answers['built']) == 2


def test_a_cache_that_has_nothing_yet_is_filled(tmp_path, engine_answers):
    path = source(tmp_path, hosts_output='hosts', cache=True, cache_plugin='jsonfile',
                  cache_connection=str(tmp_path / 'cache'))
    parse(path)
    parse(path)
    assert len(engine_answers['built']) == 1

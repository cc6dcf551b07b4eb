# -*- coding: utf-8 -*-
"""Doubles for the controller plugins' tests: their documented options registered as the plugin loader does,
and the client plugin_utils.engine builds, scripted."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import yaml

from ansible import constants as C
from ansible.plugins.loader import fragment_loader
from ansible.utils.plugin_docs import add_fragments

from ansible_collections.heat_rpc.engine.plugins.doc_fragments import connection
from ansible_collections.heat_rpc.engine.plugins.plugin_utils import engine

from runner_doubles import ScriptedClient


class CollectionFragments:
    """fragment_loader, with this collection's connection fragment found without the collection loader."""

    def get(self, name):
        if name == 'heat_rpc.engine.connection':
            return type('ConnectionFragment', (connection.ModuleDocFragment,), {'ansible_name': name})
        return fragment_loader.get(name)


def register_options(plugin_type, name, module):
    """What the plugin loader does on loading a plugin: its documented options become its configuration."""
    doc = yaml.safe_load(module.DOCUMENTATION)
    add_fragments(doc, module.__file__, fragment_loader=CollectionFragments())
    C.config.initialize_plugin_configuration_definitions(plugin_type, name, doc['options'])


class BuiltClient(ScriptedClient):
    """What engine_client() builds in place of an EngineClient: the settings it got, whether it was closed."""

    def __init__(self, settings, answers=None):
        ScriptedClient.__init__(self, answers)
        self.settings = settings
        self.closed = False

    def close(self):
        self.closed = True


def scripted_engine(monkeypatch, answers):
    """plugin_utils.engine builds BuiltClients answering from ``answers`` (mutable until used): the list of those built.

    oslo.messaging counts as installed, and HEAT_RPC_TRANSPORT_URL is unset.
    """
    built = []

    def build(settings):
        built.append(BuiltClient(settings, answers))
        return built[-1]
    monkeypatch.setattr(engine, 'HAS_OSLO_MESSAGING', True)
    monkeypatch.setattr(engine, 'EngineClient', build)
    monkeypatch.delenv('HEAT_RPC_TRANSPORT_URL', raising=False)
    return built

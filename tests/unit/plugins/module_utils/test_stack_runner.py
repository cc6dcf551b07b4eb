# -*- coding: utf-8 -*-
"""StackRunner decisions (the outcome judge's own are in test_waiting.py, comparisons in test_definitions.py)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat import stack_runner


def test_registry_entries_the_engine_adds_for_template_file_types_are_not_differences():
    """heat-engine stores ``<url>: <url>`` in the registry for ``type: child.yaml``; nobody sent it."""
    url = 'file:///srv/templates/child.yaml'
    stored = {'parameters': {'a': 1}, 'resource_registry': {url: url, 'resources': {}}}
    asked = {'parameters': {'a': 1}, 'resource_registry': {}}
    assert stack_runner.normalise_environment(stored) == stack_runner.normalise_environment(asked)
    # A real mapping is kept (and compared).
    mapped = {'resource_registry': {'My::Child': url}}
    assert stack_runner.normalise_environment(mapped)['resource_registry'] == {'My::Child': url}

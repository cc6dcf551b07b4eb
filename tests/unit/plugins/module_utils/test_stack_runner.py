# -*- coding: utf-8 -*-
"""StackRunner decisions that depend on timing the engine controls, with a scripted stack."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat import stack_runner
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stack_runner import StackRunner


class ScriptedService:
    """show() answers the next state of a script (the last one repeats)."""

    def __init__(self, *states):
        self.states = list(states)
        self.reads = 0

    def show(self, identity, resolve_outputs=True):
        self.reads += 1
        return self.states.pop(0) if len(self.states) > 1 else self.states[0]


def stack(action, status, disable_rollback):
    return {'stack_action': action, 'stack_status': status, 'disable_rollback': disable_rollback,
            'stack_name': 's', 'stack_identity': {'stack_id': 'x'}}


def runner(service):
    module = type('Module', (), {'params': {'wait': True, 'wait_timeout': 30}, 'client': None,
                                 'check_mode': False})()
    made = StackRunner(module)
    made.service = service
    return made


def test_a_failed_update_with_rollback_enabled_is_followed_to_its_rollback():
    service = ScriptedService(stack('UPDATE', 'FAILED', False), stack('UPDATE', 'FAILED', False),
                              stack('ROLLBACK', 'IN_PROGRESS', False), stack('ROLLBACK', 'COMPLETE', False))
    final = runner(service).follow_rollback({'stack_id': 'x'}, stack('UPDATE', 'FAILED', False))
    assert (final['stack_action'], final['stack_status']) == ('ROLLBACK', 'COMPLETE')


def test_without_rollback_the_failure_is_final_at_once():
    service = ScriptedService(stack('ROLLBACK', 'COMPLETE', True))
    raw = stack('UPDATE', 'FAILED', True)
    assert runner(service).follow_rollback({'stack_id': 'x'}, raw) is raw
    assert service.reads == 0


def test_a_rollback_that_never_starts_leaves_the_failure_as_it_is(monkeypatch):
    monkeypatch.setattr(stack_runner, 'ROLLBACK_START_SECONDS', 0.3)
    service = ScriptedService(stack('CREATE', 'FAILED', False))
    raw = stack('CREATE', 'FAILED', False)
    assert runner(service).follow_rollback({'stack_id': 'x'}, raw) is raw
    assert service.reads >= 2


def test_registry_entries_the_engine_adds_for_template_file_types_are_not_differences():
    """heat-engine stores ``<url>: <url>`` in the registry for ``type: child.yaml``; nobody sent it."""
    url = 'file:///srv/templates/child.yaml'
    stored = {'parameters': {'a': 1}, 'resource_registry': {url: url, 'resources': {}}}
    asked = {'parameters': {'a': 1}, 'resource_registry': {}}
    assert stack_runner.normalise_environment(stored) == stack_runner.normalise_environment(asked)
    # A real mapping is kept (and compared).
    mapped = {'resource_registry': {'My::Child': url}}
    assert stack_runner.normalise_environment(mapped)['resource_registry'] == {'My::Child': url}

# -*- coding: utf-8 -*-
"""StackRunner decisions (the outcome judge's own are in test_waiting.py, comparisons in test_definitions.py)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat import stack_plan


def test_registry_entries_the_engine_adds_for_template_file_types_are_not_differences():
    """heat-engine stores ``<url>: <url>`` in the registry for ``type: child.yaml``; nobody sent it."""
    url = 'file:///srv/templates/child.yaml'
    stored = {'parameters': {'a': 1}, 'resource_registry': {url: url, 'resources': {}}}
    asked = {'parameters': {'a': 1}, 'resource_registry': {}}
    assert stack_plan.normalise_environment(stored) == stack_plan.normalise_environment(asked)
    # A real mapping is kept (and compared).
    mapped = {'resource_registry': {'My::Child': url}}
    assert stack_plan.normalise_environment(mapped)['resource_registry'] == {'My::Child': url}


# -- state=absent and in-progress actions; twin creates -------------------------------------------------

import pytest  # noqa: E402

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stack_plan import cancellable  # noqa: E402
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack import StackRunner  # noqa: E402

from runner_doubles import FakeModule, InTurn, ScriptedClient, stack  # noqa: E402


@pytest.mark.parametrize('action,status,expected', [
    ('CREATE', 'IN_PROGRESS', True), ('UPDATE', 'IN_PROGRESS', True),
    ('DELETE', 'IN_PROGRESS', False), ('ROLLBACK', 'IN_PROGRESS', False), ('SUSPEND', 'IN_PROGRESS', False),
    ('CREATE', 'COMPLETE', False), ('CREATE', 'FAILED', False),
])
def test_what_state_absent_cancels_instead_of_waiting_for(action, status, expected):
    assert cancellable(stack(action=action, status=status)) is expected
    assert cancellable(None) is False


def twin(stack_id, created):
    raw = stack(name='web', creation_time=created)
    raw['stack_identity'] = dict(raw['stack_identity'], stack_id=stack_id)
    return raw


def runner_for(client):
    params = dict(name='web', state='present', wait=True, wait_timeout=5, existing=False, converge=False,
                  clear_parameters=[], timeout=None, tags=None, rollback=None, template=None, template_body=None,
                  template_url=None, template_base_dir=None, environment=[], parameters={}, parameter_defaults={},
                  allow_uuid_name=False)
    return StackRunner(FakeModule(params, client))


@pytest.mark.parametrize('ours,listed,ours_stays', [
    ('b', [twin('b', 't1')], True),                       # alone
    ('a', [twin('a', 't1'), twin('b', 't2')], True),      # the older stays
    ('b', [twin('a', 't1'), twin('b', 't2')], False),     # the newer goes
    ('a', [twin('b', 't1'), twin('a', 't1')], True),      # same second: the lower id stays
    ('b', [twin('b', 't1'), twin('a', 't1')], False),
    ('a', [twin('b', 't1'), twin('a', 't2')], False),     # the older stays even with the higher id
    ('a', [twin('a', 't2'), dict(twin('b', 't1'), stack_action='DELETE'), dict(twin('c', 't0'), stack_name='other')],
     True),                                               # deleted twins and other names do not count
])
def test_one_rule_decides_which_twin_stays(ours, listed, ours_stays):
    live = [raw for raw in listed if raw['stack_name'] == 'web' and raw['stack_action'] != 'DELETE']
    survivor = min(live, key=lambda raw: (raw['creation_time'], raw['stack_identity']['stack_id']))
    client = ScriptedClient(dict(list_stacks=listed, delete_stack=None, identify_stack=survivor['stack_identity'],
                                 show_stack=InTurn(None, survivor), get_template={}, get_files={},
                                 get_environment={}, list_stack_resources=[], list_events=[]))
    runner = runner_for(client)
    desired = type('Desired', (), {'name': 'web', 'template': None})()
    runner.ensure_present = lambda wanted, raw: None  # converging the survivor is heat_stack's usual path
    ours_identity = [raw for raw in listed if raw['stack_identity']['stack_id'] == ours][0]['stack_identity']
    assert runner.keep_one_of_twins(desired, ours_identity) is ours_stays
    deleted = [call for call in client.writes if call[0] == 'delete_stack']
    assert deleted == ([] if ours_stays else [('delete_stack', (ours_identity,), {})])
    assert runner.result.get('twin_deleted') == (None if ours_stays else ours)
    assert runner.result['changed'] is (not ours_stays)  # creating, then deleting our copy, is a change

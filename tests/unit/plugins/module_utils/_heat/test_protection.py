# -*- coding: utf-8 -*-
"""protect and the blast radius: what an update or a delete would destroy, by path, and which of it is guarded.

The preview and resource listings are shaped as heat-engine 27 gives them (seen against the test bed): a
replacement has no physical id in the preview, and a resource of a nested stack the preview builds anew sits
in a stack named ``<top>-<path joined by '-'>`` with no stack id.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.protection import (
    ProtectedResourceError, blast_radius, deletion_policies, destroyed_by_update, guarded, guarded_by_delete,
    refuse_delete, refuse_update,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import ResourceTree

from runner_doubles import InTurn, ScriptedClient

TOP = 'web'


def identity(stack_id, name):
    return {'stack_id': stack_id, 'stack_name': name, 'tenant': 't', 'path': ''}


def resource(name, stack, physical='', nested=None, kind='OS::Heat::RandomString', parent=None):
    return {'resource_name': name, 'resource_type': kind, 'physical_resource_id': physical,
            'stack_identity': identity(*stack), 'nested_stack_id': identity(*nested) if nested else None,
            'parent_resource': parent}


TOP_STACK = ('top-id', TOP)
GROUP_STACK = ('group-id', 'web-group-x1')
MEMBER_0 = ('m0-id', 'web-group-x1-0-y0')
MEMBER_1 = ('m1-id', 'web-group-x1-1-y1')
# web: db, gone, group (a ResourceGroup: members 0 and 1, each a nested stack with leaf and keep)
RESOURCES = [
    resource('db', TOP_STACK, 'db-phys'),
    resource('gone', TOP_STACK, 'gone-phys', kind='OS::Heat::None'),
    resource('group', TOP_STACK, 'group-id', nested=GROUP_STACK, kind='OS::Heat::ResourceGroup'),
    resource('0', GROUP_STACK, 'm0-id', nested=MEMBER_0, kind='member.yaml', parent='group'),
    resource('1', GROUP_STACK, 'm1-id', nested=MEMBER_1, kind='member.yaml', parent='group'),
    resource('leaf', MEMBER_0, 'leaf0-phys', parent='0'),
    resource('keep', MEMBER_0, 'keep0-phys', kind='OS::Heat::None', parent='0'),
    resource('leaf', MEMBER_1, 'leaf1-phys', parent='1'),
    resource('keep', MEMBER_1, 'keep1-phys', kind='OS::Heat::None', parent='1'),
]


def tree():
    return ResourceTree(RESOURCES, 'top-id')


def previewed(name, stack, parent=None, kind='OS::Heat::RandomString', nested=None):
    """A preview entry: a resource of a nested stack the preview builds anew has no stack id."""
    return resource(name, stack, '', nested=nested, kind=kind, parent=parent)


def test_every_resource_has_its_path_down_through_nested_stacks():
    assert sorted(tree().by_path) == ['db', 'gone', 'group', 'group/0', 'group/0/keep', 'group/0/leaf', 'group/1',
                                      'group/1/keep', 'group/1/leaf']
    assert tree().nested_stacks() == [('group', identity(*GROUP_STACK)), ('group/0', identity(*MEMBER_0)),
                                      ('group/1', identity(*MEMBER_1))]


PREVIEWS = [
    ('a top-level replacement takes its physical id from the stack',
     {'replaced': [previewed('db', TOP_STACK)]},
     [('db', 'db-phys', 'replace')]),
    ('a top-level delete',
     {'deleted': [resource('gone', TOP_STACK, 'gone-phys', kind='OS::Heat::None')]},
     [('gone', 'gone-phys', 'delete')]),
    ('a replacement two levels down, in member stacks the preview names web-group-0 and web-group-1',
     {'updated': [resource('group', TOP_STACK, 'group-id', nested=GROUP_STACK),
                  resource('0', GROUP_STACK, 'm0-id', nested=('m0-id', 'web-group-x1-0-y0'), parent='group')],
      'replaced': [previewed('leaf', ('None', 'web-group-1'), parent='1'),
                   previewed('leaf', ('None', 'web-group-0'), parent='0')],
      'unchanged': [previewed('keep', ('None', 'web-group-0'), parent='0')]},
     [('group/0/leaf', 'leaf0-phys', 'replace'), ('group/1/leaf', 'leaf1-phys', 'replace')]),
    ('a replaced nested stack takes everything inside it',
     {'replaced': [resource('0', GROUP_STACK, 'm0-id', nested=MEMBER_0, parent='group')],
      'updated': [resource('group', TOP_STACK, 'group-id', nested=GROUP_STACK)]},
     [('group/0', 'm0-id', 'replace'), ('group/0/keep', 'keep0-phys', 'replace'),
      ('group/0/leaf', 'leaf0-phys', 'replace')]),
    ('updates in place, additions and unchanged resources destroy nothing',
     {'updated': [resource('db', TOP_STACK, 'db-phys')], 'added': [previewed('new', TOP_STACK)],
      'unchanged': [resource('gone', TOP_STACK, 'gone-phys')]},
     []),
    ('a replaced resource the stack does not hold yet is reported by the preview alone',
     {'replaced': [previewed('fresh', TOP_STACK)]},
     [('fresh', None, 'replace')]),
]


@pytest.mark.parametrize('preview,destroyed', [case[1:] for case in PREVIEWS], ids=[case[0] for case in PREVIEWS])
def test_what_an_update_destroys(preview, destroyed):
    found = destroyed_by_update(preview, tree(), TOP)
    assert [(entry['path'], entry['physical_id'], entry['change']) for entry in found] == destroyed
    assert all(set(entry) == {'path', 'type', 'physical_id', 'change'} for entry in found)


@pytest.mark.parametrize('patterns,paths', [
    ([], []),
    (None, []),
    (['db'], ['db']),
    (['group/*/leaf'], ['group/0/leaf', 'group/1/leaf']),
    (['group/0/*'], ['group/0/leaf']),
    (['leaf'], []),  # a name matches at its own level only
    (['d*', 'gone'], ['db', 'gone']),
])
def test_guarded_are_the_destroyed_that_a_pattern_matches(patterns, paths):
    destroyed = [{'path': path, 'type': 't', 'physical_id': None, 'change': 'replace'}
                 for path in ('db', 'gone', 'group/0/leaf', 'group/1/leaf')]
    assert [entry['path'] for entry in guarded(destroyed, patterns)] == paths


def test_deletion_policies_come_from_each_stack_template_and_default_to_delete():
    client = ScriptedClient({'get_template': InTurn(
        {'resources': {'db': {'type': 'x', 'deletion_policy': 'retain'}, 'gone': {'type': 'y'}, 'group': {}}},
        {'Resources': {'0': {'Type': 'm', 'DeletionPolicy': 'Snapshot'}, '1': {'Type': 'm'}}},
        {'resources': {'leaf': {'type': 'r', 'deletion_policy': 'Retain'}, 'keep': {}}},
        {'resources': {'leaf': {'type': 'r'}, 'keep': 'not a mapping'}},
    )})
    policies = deletion_policies(client, identity(*TOP_STACK), tree())
    assert policies == {'db': 'Retain', 'gone': 'Delete', 'group': 'Delete', 'group/0': 'Snapshot',
                        'group/1': 'Delete', 'group/0/leaf': 'Retain', 'group/0/keep': 'Delete',
                        'group/1/leaf': 'Delete'}
    assert [call[1][0] for call in client.calls] == [identity(*TOP_STACK), identity(*GROUP_STACK),
                                                     identity(*MEMBER_0), identity(*MEMBER_1)]


POLICIES = {'db': 'Retain', 'group/0': 'Snapshot', 'group/0/leaf': 'Retain'}


def test_the_blast_radius_is_every_resource_with_what_its_policy_keeps():
    radius = dict((entry['path'], entry) for entry in blast_radius(tree(), POLICIES))
    assert sorted(radius) == sorted(tree().by_path)
    assert radius['db'] == {'path': 'db', 'type': 'OS::Heat::RandomString', 'physical_id': 'db-phys',
                            'deletion_policy': 'Retain', 'kept': True}
    assert [(path, entry['deletion_policy'], entry['kept']) for path, entry in sorted(radius.items())
            if path.startswith('group/0')] == [('group/0', 'Snapshot', True), ('group/0/keep', 'Delete', False),
                                               ('group/0/leaf', 'Retain', True)]


@pytest.mark.parametrize('patterns,refused', [
    (['db'], []),  # Retain: the resource itself stays
    (['group/0'], ['group/0']),  # Snapshot keeps a snapshot only: the resource goes
    (['group/*/leaf'], ['group/1/leaf']),
    (['gone', 'db'], ['gone']),
    ([], []),
])
def test_a_delete_is_refused_for_protected_resources_unless_retained(patterns, refused):
    found = guarded_by_delete(blast_radius(tree(), POLICIES), patterns)
    assert [entry['path'] for entry in found] == refused
    assert all(entry['change'] == 'delete' for entry in found)


def test_refusals_are_typed_and_name_each_resource():
    protected = [{'path': 'group/0/leaf', 'type': 'OS::Heat::RandomString', 'physical_id': 'leaf0-phys',
                  'change': 'replace'}, {'path': 'new', 'type': 'X', 'physical_id': None, 'change': 'delete'}]
    with pytest.raises(ProtectedResourceError) as caught:
        refuse_update('web', protected, {'replaced': ['group/0/leaf']})
    assert caught.value.kind == 'protected_resource'
    assert str(caught.value).startswith('stack web was not updated: the update would destroy protected resources: '
                                        'group/0/leaf (OS::Heat::RandomString, leaf0-phys) would be replaced, new (X) '
                                        'would be deleted. Nothing was sent.')
    assert caught.value.result == {'protected': protected, 'resource_changes': {'replaced': ['group/0/leaf']}}
    with pytest.raises(ProtectedResourceError) as caught:
        refuse_delete('web', protected[:1], ['radius'])
    assert 'remove their pattern from protect' in str(caught.value)
    assert caught.value.result == {'protected': protected[:1], 'blast_radius': ['radius']}

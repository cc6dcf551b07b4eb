# -*- coding: utf-8 -*-
"""Events and resources of a stack paused on breakpoint hooks, for the hook tests of the domain and the runners."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from runner_doubles import ScriptedClient, stack

TOP = 'id-s'
GROUP = 'nested-group'


def event(reason, resource='0', stack_id=GROUP, resource_type='OS::Heat::TestResource', time='2026-01-01T00:00:01Z'):
    return {'resource_status_reason': reason, 'resource_name': resource, 'resource_type': resource_type,
            'stack_identity': {'stack_id': stack_id, 'stack_name': 'name-of-' + stack_id},
            'stack_name': 'name-of-' + stack_id, 'event_time': time}


def paused(resource='0', hook='pre-update', stack_id=GROUP, action='UPDATE'):
    return event('%s paused until Hook %s is cleared' % (action, hook), resource, stack_id)


def cleared(resource='0', hook='pre-update', stack_id=GROUP):
    return event('Hook %s is cleared' % hook, resource, stack_id)


def started(stack_id=TOP, action='UPDATE'):
    return event('Stack %s started' % action, 'name-of-' + stack_id, stack_id, 'OS::Heat::Stack')


GROUP_RESOURCE = {'resource_name': 'group', 'stack_identity': {'stack_id': TOP}, 'nested_stack_id': {'stack_id': GROUP}}
LEAF_PARENT = {'resource_name': '1', 'stack_identity': {'stack_id': GROUP}, 'nested_stack_id': {'stack_id': 'leafstack'}}


def finder_client(events, resources=(GROUP_RESOURCE, LEAF_PARENT)):
    return ScriptedClient({'list_events': events, 'list_stack_resources': list(resources)})


def shown_states(*states, **extra):
    return [None if state is None else stack(action=state.split('_')[0], status=state.split('_', 1)[1], **extra)
            for state in states]

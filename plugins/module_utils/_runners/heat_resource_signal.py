# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_resource_signal: signal a stack's resource, or mark it unhealthy or healthy."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.base import Runner
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import shape_resource, shape_stack
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import StackService, require_stack


def health_change_needed(raw, unhealthy, reason):
    """Would resource_mark_unhealthy change this resource? (The engine's own rules, read beforehand.)"""
    state = (raw.get('resource_action'), raw.get('resource_status'))
    if not unhealthy:
        return state == ('CHECK', 'FAILED')
    if raw.get('resource_action') == 'DELETE':
        return False
    if state != ('CHECK', 'FAILED'):
        return True
    return reason is not None and reason != raw.get('resource_status_reason')


def shaped(raw):
    resource = shape_resource(raw)
    resource.setdefault('metadata', {})
    return resource


class ResourceSignalRunner(Runner):
    """A signal is always a change; a health mark only when the engine would change the resource."""

    def perform(self):
        stack = require_stack(StackService(self.client), self.params['stack'])
        identity = self.stack_identity = stack['stack_identity']
        # Raises NotFoundError ("The Resource (x) could not be found.") for a resource the stack lacks.
        before = self.client.describe_stack_resource(None, identity, self.params['resource'])
        if self.params['mark_unhealthy'] is not None:
            result = self.mark_health(identity, before)
        else:
            result = self.send_signal(identity, before)
        result['stack'] = shape_stack(stack)
        return result

    def mark_health(self, identity, before):
        params = self.params
        changed = health_change_needed(before, params['mark_unhealthy'], params['reason'])
        if changed and not self.check_mode:
            self.client.resource_mark_unhealthy(None, identity, params['resource'], params['mark_unhealthy'],
                                                resource_status_reason=params['reason'])
            before = self.client.describe_stack_resource(None, identity, params['resource'])
        return {'changed': changed, 'resource': shaped(before)}

    def send_signal(self, identity, before):
        params = self.params
        result = {'changed': True, 'resource': shaped(before)}
        if self.check_mode:
            return result
        answer = self.client.resource_signal(None, identity, params['resource'], params['data'] or {},
                                             sync_call=params['sync'])
        if params['sync']:
            result['signal_result'] = answer
        result['resource'] = shaped(self.client.describe_stack_resource(None, identity, params['resource']))
        return result

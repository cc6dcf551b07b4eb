# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The failures report of a stack: what ``openstack stack failures list --long`` shows.

Every failed resource of the stack and of its nested stacks (one list_stack_resources call), with its
path from the top stack and whether the failure started there (``root_cause``: no failed resource in
its own nested stack); for a failed software deployment resource, the deployment's deploy_stdout,
deploy_stderr and deploy_status_code (one show_software_deployment call per such resource).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import shape_deployment
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.software import show_deployment
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import ALL_NESTED, is_failed, list_resources

# Resource types whose physical id is a software deployment id.
DEPLOYMENT_TYPES = ('OS::Heat::SoftwareDeployment', 'OS::Heat::StructuredDeployment')
DEPLOY_OUTPUTS = ('deploy_stdout', 'deploy_stderr', 'deploy_status_code')


def deployment_failure(client, deployment_id):
    """The failed software deployment ``deployment_id`` with its deploy_* outputs; None if gone or not FAILED."""
    deployment = shape_deployment(show_deployment(client, deployment_id))
    if deployment is None or deployment['status'] != 'FAILED':
        return None
    failure = dict((key, deployment[key]) for key in ('id', 'server_id', 'config_id', 'action', 'status',
                                                      'status_reason', 'updated_time'))
    for key in DEPLOY_OUTPUTS:
        failure[key] = deployment['output_values'].get(key)
    return failure


def resource_path(resource, parent_of):
    """Dotted names from the top stack down to ``resource`` (``parent_of``: nested stack id -> resource)."""
    names = [resource['name']]
    seen = set()
    parent = parent_of.get(resource['stack_id'])
    while parent is not None and parent['stack_id'] not in seen:
        seen.add(parent['stack_id'])
        names.append(parent['name'])
        parent = parent_of.get(parent['stack_id'])
    return '.'.join(reversed(names))


def failure_report(client, identity):
    """The failed resources of the stack ``identity`` and its nested stacks, each with path, root_cause, deployment."""
    resources = list_resources(client, identity, ALL_NESTED)
    parent_of = dict((resource['nested_stack_id'], resource) for resource in resources if resource['nested_stack_id'])
    failed = [resource for resource in resources if is_failed(resource)]
    stacks_with_failures = set(resource['stack_id'] for resource in failed)
    report = []
    for resource in failed:
        entry = dict(resource)
        entry['path'] = resource_path(resource, parent_of)
        entry['root_cause'] = resource['nested_stack_id'] not in stacks_with_failures
        entry['deployment'] = None
        if resource['type'] in DEPLOYMENT_TYPES and resource['physical_id']:
            entry['deployment'] = deployment_failure(client, resource['physical_id'])
        report.append(entry)
    return report

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_software_deployment and heat_software_deployment_info.

Which fields of a deployment an update sends, whether a signal is sent and what it makes of the
deployment. The lookups are in _heat/software.py; results are shaped by _heat/shapes.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.base import Runner
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import shape_deployment
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.software import (
    delete_each, find_config, predict_signal, resolve_config, show_config, show_deployment,
)

# Deployment fields an update can send, by the engine's argument name.
UPDATABLE = ('config_id', 'input_values', 'action', 'status', 'status_reason')


def only_one(found, server_id, config_id):
    """The deployment of ``found`` the task means, None for none; several are a conflict."""
    if len(found) > 1:
        raise errors.ConflictError(
            "server '%s' has %d deployments of config %s (ids %s); choose one with the id option"
            % (server_id, len(found), config_id, ', '.join(item['id'] for item in found)))
    return found[0] if found else None


def refuse_move(server_id, current):
    if server_id and server_id != current['server_id']:
        raise errors.ConfigurationError("server_id: deployment %s belongs to server '%s'; it cannot move to '%s'"
                                        % (current['id'], current['server_id'], server_id))


def wanted_changes(params, current, config_id):
    """The fields (engine argument -> value) in which ``current`` differs from the options that are set.

    An unset option keeps the current value, and so does an empty one: the engine ignores an empty
    ``input_values`` or ``status_reason`` on update.
    """
    wanted = {'config_id': config_id, 'input_values': params['input_values'], 'action': params['action'],
              'status': params['status'], 'status_reason': params['status_reason']}
    return dict((key, wanted[key]) for key in UPDATABLE
                if wanted[key] is not None and wanted[key] not in ({}, '') and current.get(key) != wanted[key])


def creation_values(params, config_id):
    """The engine's arguments for a new deployment; refused when server_id or config is missing."""
    missing = [name for name, value in (('server_id', params['server_id']), ('config', config_id)) if not value]
    if missing:
        raise errors.ConfigurationError('%s: required to create a deployment (none with %s exists)' % (
            ' and '.join(missing), "id '%s'" % params['id'] if params['id'] else 'these options'))
    return {
        'server_id': params['server_id'], 'config_id': config_id, 'input_values': params['input_values'] or {},
        'action': params['action'] or 'CREATE', 'status': params['status'] or 'IN_PROGRESS',
        'status_reason': params['status_reason'] or '',
    }


class SoftwareDeploymentRunner(Runner):
    """heat_software_deployment: create, update, signal or delete one deployment (or those of a config)."""

    def perform(self):
        if self.params['state'] == 'absent':
            return self.ensure_absent()
        return self.ensure_present()

    def find(self, config_id):
        """Existing deployments the task means: the one with ``id``, or those of the config on the server."""
        if self.params['id']:
            found = show_deployment(self.client, self.params['id'])
            return [found] if found else []
        listed = self.client.list_software_deployments(None, server_id=self.params['server_id'])
        return [item for item in listed if item.get('config_id') == config_id]

    def ensure_present(self):
        params = self.params
        if not params['id'] and not params['config']:
            raise errors.ConfigurationError(
                'config: required when id is not given (server_id and config find the deployment)')
        config_id = resolve_config(self.client, params['config'])['id'] if params['config'] else None
        current = shape_deployment(only_one(self.find(config_id), params['server_id'], config_id))
        changes = {}
        if current is None:
            deployment = self.create(creation_values(params, config_id))
        else:
            refuse_move(params['server_id'], current)
            changes = wanted_changes(params, current, config_id)
            deployment = self.update(current, changes) if changes else current
        result = {'changed': current is None or bool(changes), 'created': current is None,
                  'updated': sorted(changes)}
        if params['signal'] is not None:
            deployment = self.signal(deployment, result)
        result['deployment'] = deployment
        result['diff'] = {'before': current or {}, 'after': deployment}
        return result

    def create(self, values):
        deployment_id = self.params['id']
        if self.check_mode:
            return shape_deployment(dict(values, id=deployment_id, output_values={}))
        if deployment_id:
            values = dict(values, deployment_id=deployment_id)
        return shape_deployment(self.client.create_software_deployment(None, **values))

    def update(self, current, changes):
        if self.check_mode:
            return dict(current, **changes)
        return shape_deployment(self.client.update_software_deployment(None, current['id'], **changes))

    def signal(self, deployment, result):
        """Send the signal to an IN_PROGRESS deployment (predict its outcome in check mode)."""
        details = self.params['signal']
        config = show_config(self.client, deployment['config_id']) if deployment.get('config_id') else None
        outcome = predict_signal(deployment, config, details)
        result['signal_sent'] = outcome is not None
        if outcome is None:
            return deployment
        result['changed'] = True
        if self.check_mode:
            status, reason, outputs = outcome
            return dict(deployment, status=status, status_reason=reason, output_values=outputs)
        self.client.signal_software_deployment(None, deployment['id'], details)
        return shape_deployment(self.client.show_software_deployment(None, deployment['id']))

    def ensure_absent(self):
        params = self.params
        if not params['id'] and not params['config']:
            raise errors.ConfigurationError(
                'config: required with state=absent when id is not given (server_id and config find the deployments)')
        found = [shape_deployment(item) for item in self.doomed()]
        result = delete_each(self.client.delete_software_deployment, found, self.check_mode)
        return dict(result, deployment=found[0] if len(found) == 1 else {})

    def doomed(self):
        """The deployments ``absent`` deletes; with no such config there is no deployment of it."""
        if self.params['id']:
            return self.find(None)
        config = find_config(self.client, self.params['config'])
        return self.find(config['id']) if config else []


def deployment_matches(found, server_id):
    """Whether the deployment ``found`` (None when not found) is listed for the ``server_id`` filter."""
    return found is not None and (not server_id or found.get('server_id') == server_id)


class SoftwareDeploymentInfoRunner(Runner):
    """heat_software_deployment_info: one deployment by id, or a server's (or every) deployment, and with
    ``server_id`` the server's deployment metadata."""

    def perform(self):
        params = self.params
        if params['id']:
            found = show_deployment(self.client, params['id'])
            deployments = [found] if deployment_matches(found, params['server_id']) else []
        else:
            deployments = self.client.list_software_deployments(None, server_id=params['server_id'])
        result = {'changed': False, 'deployments': [shape_deployment(item) for item in deployments]}
        if params['server_id']:
            result['metadata'] = self.client.metadata_software_deployments(None, params['server_id'])
        return result

# -*- coding: utf-8 -*-
"""A scripted heat-engine for the software runners: configs and deployments in memory, every write recorded.

It answers the EngineClient methods the software runners call, the way heat-engine 27 does where the
runners depend on it (newest config first, a summary listing, NotFoundError for an unknown id, the refusal
to delete a config a deployment uses), so ``runner.run()`` runs without an engine and a test can assert
which writes were, or were not, sent.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors

from runner_doubles import FakeModule

WRITES = ('create_software_config', 'delete_software_config', 'create_software_deployment',
          'update_software_deployment', 'delete_software_deployment', 'signal_software_deployment')


def uuid_of(number):
    return '00000000-0000-4000-8000-%012d' % number


class SoftwareEngine:
    """Configs (newest first) and deployments (oldest first); ``writes`` lists (method, id or name)."""

    def __init__(self, configs=(), deployments=()):
        self.configs = [copy.deepcopy(item) for item in configs]
        self.deployments = [copy.deepcopy(item) for item in deployments]
        self.writes = []
        self.reads = []
        self._next = 100

    def _new_id(self):
        self._next += 1
        return uuid_of(self._next)

    def written(self, method=None):
        return [write for write in self.writes if method is None or write[0] == method]

    # -- configs ---------------------------------------------------------------------------------

    def _config(self, config_id):
        for item in self.configs:
            if item['id'] == config_id:
                return item
        raise errors.NotFoundError('The Software Config (%s) could not be found.' % config_id)

    def list_software_configs(self, ctxt, limit=None, marker=None, tenant_safe=True):
        self.reads.append(('list_software_configs', marker))
        ids = [item['id'] for item in self.configs]
        start = ids.index(marker) + 1 if marker else 0
        page = self.configs[start:start + limit] if limit else self.configs[start:]
        return [dict((key, item.get(key)) for key in ('id', 'name', 'group', 'creation_time')) for item in page]

    def show_software_config(self, ctxt, config_id):
        self.reads.append(('show_software_config', config_id))
        return copy.deepcopy(self._config(config_id))

    def create_software_config(self, ctxt, group, name, config, inputs=None, outputs=None, options=None):
        self.writes.append(('create_software_config', name))
        created = {'id': self._new_id(), 'name': name, 'group': group, 'config': config, 'inputs': inputs or [],
                   'outputs': outputs or [], 'options': options or {}, 'creation_time': '2024-01-01T00:00:00Z'}
        self.configs.insert(0, created)
        return copy.deepcopy(created)

    def delete_software_config(self, ctxt, config_id):
        self.writes.append(('delete_software_config', config_id))
        found = self._config(config_id)
        if any(item.get('config_id') == config_id for item in self.deployments):
            raise errors.ValidationFailedError(
                'Software config with id %s can not be deleted as it is referenced.' % config_id)
        self.configs.remove(found)

    # -- deployments -----------------------------------------------------------------------------

    def _deployment(self, deployment_id):
        for item in self.deployments:
            if item['id'] == deployment_id:
                return item
        raise errors.NotFoundError('Deployment with id %s not found' % deployment_id)

    def list_software_deployments(self, ctxt, server_id=None):
        self.reads.append(('list_software_deployments', server_id))
        return [copy.deepcopy(item) for item in self.deployments if not server_id or item['server_id'] == server_id]

    def show_software_deployment(self, ctxt, deployment_id):
        self.reads.append(('show_software_deployment', deployment_id))
        return copy.deepcopy(self._deployment(deployment_id))

    def metadata_software_deployments(self, ctxt, server_id):
        self.reads.append(('metadata_software_deployments', server_id))
        return [copy.deepcopy(self._config(item['config_id'])) for item in self.deployments
                if item['server_id'] == server_id]

    def create_software_deployment(self, ctxt, server_id, config_id=None, input_values=None, action='INIT',
                                   status='COMPLETE', status_reason='', stack_user_project_id=None,
                                   deployment_id=None):
        created = {'id': deployment_id or self._new_id(), 'server_id': server_id, 'config_id': config_id,
                   'input_values': input_values or {}, 'output_values': {}, 'action': action, 'status': status,
                   'status_reason': status_reason, 'creation_time': '2024-01-01T00:00:00Z', 'updated_time': None}
        self.writes.append(('create_software_deployment', created['id']))
        self.deployments.append(created)
        return copy.deepcopy(created)

    def update_software_deployment(self, ctxt, deployment_id, **changes):
        self.writes.append(('update_software_deployment', deployment_id, dict(changes)))
        found = self._deployment(deployment_id)
        found.update(changes, updated_time='2024-01-02T00:00:00Z')
        return copy.deepcopy(found)

    def delete_software_deployment(self, ctxt, deployment_id):
        self.writes.append(('delete_software_deployment', deployment_id))
        self.deployments.remove(self._deployment(deployment_id))

    def signal_software_deployment(self, ctxt, deployment_id, details, updated_at=None):
        self.writes.append(('signal_software_deployment', deployment_id, dict(details)))
        found = self._deployment(deployment_id)
        found.update(status='COMPLETE', status_reason='signalled', output_values=dict(details))


def run_with_warnings(runner_class, engine, check_mode=False, **params):
    """``runner_class`` run on ``engine`` with ``params``; returns (result, warnings)."""
    module = FakeModule(params, engine, check_mode=check_mode)
    return runner_class(module).run(), module.warnings


def run(runner_class, engine, check_mode=False, **params):
    """``runner_class`` run on ``engine`` with ``params``; returns the result."""
    return run_with_warnings(runner_class, engine, check_mode, **params)[0]

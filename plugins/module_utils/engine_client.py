# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Client side of the heat-engine RPC API (versions 1.0 to 1.36).

Every public method has the engine method's name and arguments. ``ctxt``
may be None to use the connection's own request context. Each call is
pinned to the lowest API version that carries the arguments it actually
sends (optional arguments left at their default are not sent), and no call
is ever sent above the API version cap.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.api_versions import (
    BASE_API_VERSION, METHODS, MethodSpec, format_version, parse_version, plan_arguments,
)


def new_connection(settings):
    """The connection ``settings`` ask for: through the persistent helper, or in this process.

    Imported here, not at the top, so that a run through the helper never imports oslo.messaging.
    """
    if settings.persistent:
        from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent.client import PersistentConnection
        return PersistentConnection(settings)
    from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.transport import EngineConnection
    return EngineConnection(settings)


class EngineClient:
    """Client side of the heat engine RPC API."""

    BASE_RPC_API_VERSION = BASE_API_VERSION

    def __init__(self, settings, connection=None):
        self.settings = settings
        self.connection = connection or new_connection(settings)
        # Writes the engine accepted, or whose outcome is unknown: a task that fails after one of them
        # has still changed something.
        self.writes_sent = 0

    def close(self):
        self.connection.close()

    def connection_notices(self):
        """What the connection has to tell the user (a persistent run that fell back to connecting itself)."""
        return list(getattr(self.connection, 'notices', ()))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- generic plumbing (the seed API's call/cast/make_msg/error helpers) --

    @staticmethod
    def make_msg(method, **kwargs):
        return method, kwargs

    def call(self, ctxt, msg, version=None, timeout=None):
        """Send ``msg`` (from make_msg) and wait for the answer."""
        return self._send(ctxt, msg, version, timeout=timeout, cast=False)

    def cast(self, ctxt, msg, version=None):
        """Send ``msg`` without waiting for an answer."""
        return self._send(ctxt, msg, version, cast=True)

    @staticmethod
    def local_error_name(error):
        """The name of the engine-side error, with any _Remote postfix removed."""
        if isinstance(error, errors.HeatRpcError) and error.remote_name:
            return error.remote_name
        return errors.local_error_name(error)

    def ignore_error_named(self, error, name):
        """Raise ``error`` unless its local name is ``name``."""
        if self.local_error_name(error) != name:
            raise error

    def _send(self, ctxt, msg, version, timeout=None, cast=False):
        method, kwargs = msg
        spec = METHODS.get(method) or MethodSpec(method)
        wanted = version or spec.since
        self._check_cap(method, wanted, {method: wanted})
        return self._deliver(ctxt, method, kwargs, wanted, spec.writes, cast, timeout)

    def _check_cap(self, method, version, needs):
        cap = self.settings.api_version_cap
        if parse_version(version) <= parse_version(cap):
            return
        over = sorted((since, name) for name, since in needs.items() if parse_version(since) > parse_version(cap))
        if any(name == method for _since, name in over):
            what = "the engine method '%s' needs RPC API %s" % (method, METHODS[method].since if method in METHODS else version)
        else:
            what = "'%s' with %s needs RPC API %s" % (
                method, ', '.join("'%s' (%s)" % (name, since) for since, name in over), version)
        raise errors.NotSupportedError('%s, above api_version_cap %s' % (what, cap), method=method)

    def _invoke(self, ctxt, method, rpc_timeout=None, cast=False, **kwargs):
        """Plan the arguments and version of one engine call, check the cap, send it.

        ``rpc_timeout`` and ``cast`` are this client's; every other keyword is an engine argument.
        """
        spec = METHODS[method]
        sent, version, needs = plan_arguments(spec, kwargs)
        self._check_cap(method, version, needs)
        return self._deliver(ctxt, method, sent, version, spec.writes, cast, rpc_timeout)

    def _deliver(self, ctxt, method, kwargs, version, writes, cast, timeout):
        """Send one call through the connection, counting the writes that may have taken effect."""
        try:
            result = self.connection.invoke(method, kwargs, version, writes=writes, cast=cast, timeout=timeout,
                                            context=ctxt)
        except errors.OutcomeUnknownError:
            self.writes_sent += 1 if writes else 0
            raise
        self.writes_sent += 1 if writes else 0
        return result

    def allows(self, method, **kwargs):
        """Whether a call of ``method`` with ``kwargs`` fits under the API version cap (nothing is sent)."""
        version = plan_arguments(METHODS[method], kwargs)[1]
        return parse_version(version) <= parse_version(self.settings.api_version_cap)

    def require(self, version, purpose):
        """Refuse, before anything is sent, work that needs RPC API ``version`` when the cap is below it."""
        cap = self.settings.api_version_cap
        if parse_version(version) > parse_version(cap):
            raise errors.NotSupportedError('%s needs RPC API %s or newer, above api_version_cap %s; nothing was sent'
                                           % (purpose, version, cap))

    @staticmethod
    def version_for(method, **kwargs):
        """The API version a call of ``method`` with ``kwargs`` would be pinned to."""
        return plan_arguments(METHODS[method], kwargs)[1]

    # -- stacks ------------------------------------------------------------

    def identify_stack(self, ctxt, stack_name):
        return self._invoke(ctxt, 'identify_stack', stack_name=stack_name)

    def list_stacks(self, ctxt, limit=None, marker=None, sort_keys=None, sort_dir=None, filters=None,
                    tenant_safe=True, show_deleted=False, show_nested=False, show_hidden=False, tags=None,
                    tags_any=None, not_tags=None, not_tags_any=None):
        return self._invoke(ctxt, 'list_stacks', limit=limit, marker=marker, sort_keys=sort_keys, sort_dir=sort_dir,
                            filters=filters, tenant_safe=tenant_safe, show_deleted=show_deleted,
                            show_nested=show_nested, show_hidden=show_hidden, tags=tags, tags_any=tags_any,
                            not_tags=not_tags, not_tags_any=not_tags_any)

    def count_stacks(self, ctxt, filters=None, tenant_safe=True, show_deleted=False, show_nested=False,
                     show_hidden=False, tags=None, tags_any=None, not_tags=None, not_tags_any=None):
        return self._invoke(ctxt, 'count_stacks', filters=filters, tenant_safe=tenant_safe,
                            show_deleted=show_deleted, show_nested=show_nested, show_hidden=show_hidden, tags=tags,
                            tags_any=tags_any, not_tags=not_tags, not_tags_any=not_tags_any)

    def show_stack(self, ctxt, stack_identity, resolve_outputs=True):
        return self._invoke(ctxt, 'show_stack', stack_identity=stack_identity, resolve_outputs=resolve_outputs)

    def preview_stack(self, ctxt, stack_name, template, params, files, args, environment_files=None,
                      files_container=None):
        return self._invoke(ctxt, 'preview_stack', stack_name=stack_name, template=template, params=params,
                            files=files, args=args, environment_files=environment_files,
                            files_container=files_container)

    def create_stack(self, ctxt, stack_name, template, params, files, args, environment_files=None,
                     files_container=None, template_id=None):
        return self._invoke(ctxt, 'create_stack', stack_name=stack_name, template=template, params=params,
                            files=files, args=args, environment_files=environment_files,
                            files_container=files_container, template_id=template_id)

    def update_stack(self, ctxt, stack_identity, template, params, files, args, environment_files=None,
                     files_container=None, template_id=None):
        return self._invoke(ctxt, 'update_stack', stack_identity=stack_identity, template=template, params=params,
                            files=files, args=args, environment_files=environment_files,
                            files_container=files_container, template_id=template_id)

    def preview_update_stack(self, ctxt, stack_identity, template, params, files, args, environment_files=None,
                             files_container=None):
        return self._invoke(ctxt, 'preview_update_stack', stack_identity=stack_identity, template=template,
                            params=params, files=files, args=args, environment_files=environment_files,
                            files_container=files_container)

    def validate_template(self, ctxt, template, params=None, files=None, show_nested=False, environment_files=None,
                          ignorable_errors=None, files_container=None):
        return self._invoke(ctxt, 'validate_template', template=template, params=params or {}, files=files,
                            show_nested=show_nested, environment_files=environment_files,
                            ignorable_errors=ignorable_errors, files_container=files_container)

    def authenticated_to_backend(self, ctxt):
        return self._invoke(ctxt, 'authenticated_to_backend')

    def get_template(self, ctxt, stack_identity):
        return self._invoke(ctxt, 'get_template', stack_identity=stack_identity)

    def get_environment(self, ctxt, stack_identity):
        return self._invoke(ctxt, 'get_environment', stack_identity=stack_identity)

    def get_files(self, ctxt, stack_identity):
        return self._invoke(ctxt, 'get_files', stack_identity=stack_identity)

    def delete_stack(self, ctxt, stack_identity, cast=False):
        return self._invoke(ctxt, 'delete_stack', cast=cast, stack_identity=stack_identity)

    def abandon_stack(self, ctxt, stack_identity):
        return self._invoke(ctxt, 'abandon_stack', stack_identity=stack_identity)

    def export_stack(self, ctxt, stack_identity):
        return self._invoke(ctxt, 'export_stack', stack_identity=stack_identity)

    def list_outputs(self, ctxt, stack_identity):
        return self._invoke(ctxt, 'list_outputs', stack_identity=stack_identity)

    def show_output(self, ctxt, stack_identity, output_key):
        return self._invoke(ctxt, 'show_output', stack_identity=stack_identity, output_key=output_key)

    def migrate_convergence_1(self, ctxt, stack_id):
        return self._invoke(ctxt, 'migrate_convergence_1', stack_id=stack_id)

    # -- stack actions -----------------------------------------------------

    def stack_suspend(self, ctxt, stack_identity):
        return self._invoke(ctxt, 'stack_suspend', stack_identity=stack_identity)

    def stack_resume(self, ctxt, stack_identity):
        return self._invoke(ctxt, 'stack_resume', stack_identity=stack_identity)

    def stack_check(self, ctxt, stack_identity):
        return self._invoke(ctxt, 'stack_check', stack_identity=stack_identity)

    def stack_cancel_update(self, ctxt, stack_identity, cancel_with_rollback=True):
        return self._invoke(ctxt, 'stack_cancel_update', stack_identity=stack_identity,
                            cancel_with_rollback=cancel_with_rollback)

    # -- snapshots -----------------------------------------------------------

    def stack_snapshot(self, ctxt, stack_identity, name):
        return self._invoke(ctxt, 'stack_snapshot', stack_identity=stack_identity, name=name)

    def show_snapshot(self, ctxt, stack_identity, snapshot_id):
        return self._invoke(ctxt, 'show_snapshot', stack_identity=stack_identity, snapshot_id=snapshot_id)

    def delete_snapshot(self, ctxt, stack_identity, snapshot_id):
        return self._invoke(ctxt, 'delete_snapshot', stack_identity=stack_identity, snapshot_id=snapshot_id)

    def stack_list_snapshots(self, ctxt, stack_identity):
        return self._invoke(ctxt, 'stack_list_snapshots', stack_identity=stack_identity)

    def stack_restore(self, ctxt, stack_identity, snapshot_id):
        return self._invoke(ctxt, 'stack_restore', stack_identity=stack_identity, snapshot_id=snapshot_id)

    # -- resources and events ------------------------------------------------

    def list_events(self, ctxt, stack_identity, filters=None, limit=None, marker=None, sort_keys=None,
                    sort_dir=None, nested_depth=None):
        return self._invoke(ctxt, 'list_events', stack_identity=stack_identity, filters=filters, limit=limit,
                            marker=marker, sort_keys=sort_keys, sort_dir=sort_dir, nested_depth=nested_depth)

    def describe_stack_resource(self, ctxt, stack_identity, resource_name, with_attr=None):
        return self._invoke(ctxt, 'describe_stack_resource', stack_identity=stack_identity,
                            resource_name=resource_name, with_attr=with_attr)

    def describe_stack_resources(self, ctxt, stack_identity, resource_name):
        return self._invoke(ctxt, 'describe_stack_resources', stack_identity=stack_identity,
                            resource_name=resource_name)

    def find_physical_resource(self, ctxt, physical_resource_id):
        return self._invoke(ctxt, 'find_physical_resource', physical_resource_id=physical_resource_id)

    def list_stack_resources(self, ctxt, stack_identity, nested_depth=0, with_detail=False, filters=None):
        return self._invoke(ctxt, 'list_stack_resources', stack_identity=stack_identity, nested_depth=nested_depth,
                            with_detail=with_detail, filters=filters)

    def resource_signal(self, ctxt, stack_identity, resource_name, details, sync_call=False):
        return self._invoke(ctxt, 'resource_signal', stack_identity=stack_identity, resource_name=resource_name,
                            details=details, sync_call=sync_call)

    def resource_mark_unhealthy(self, ctxt, stack_identity, resource_name, mark_unhealthy,
                                resource_status_reason=None):
        return self._invoke(ctxt, 'resource_mark_unhealthy', stack_identity=stack_identity,
                            resource_name=resource_name, mark_unhealthy=mark_unhealthy,
                            resource_status_reason=resource_status_reason)

    # -- resource types and templates ----------------------------------------

    def list_resource_types(self, ctxt, support_status=None, type_name=None, heat_version=None,
                            with_description=False):
        return self._invoke(ctxt, 'list_resource_types', support_status=support_status, type_name=type_name,
                            heat_version=heat_version, with_description=with_description)

    def resource_schema(self, ctxt, type_name, with_description=False):
        return self._invoke(ctxt, 'resource_schema', type_name=type_name, with_description=with_description)

    def generate_template(self, ctxt, type_name, template_type='cfn'):
        return self._invoke(ctxt, 'generate_template', type_name=type_name, template_type=template_type)

    def list_template_versions(self, ctxt):
        return self._invoke(ctxt, 'list_template_versions')

    def list_template_functions(self, ctxt, template_version, with_condition=False):
        return self._invoke(ctxt, 'list_template_functions', template_version=template_version,
                            with_condition=with_condition)

    # -- engine ----------------------------------------------------------------

    def get_revision(self, ctxt):
        return self._invoke(ctxt, 'get_revision')

    def list_services(self, ctxt):
        return self._invoke(ctxt, 'list_services')

    # -- software configuration and deployments ------------------------------

    def show_software_config(self, ctxt, config_id):
        return self._invoke(ctxt, 'show_software_config', config_id=config_id)

    def list_software_configs(self, ctxt, limit=None, marker=None, tenant_safe=True):
        return self._invoke(ctxt, 'list_software_configs', limit=limit, marker=marker, tenant_safe=tenant_safe)

    def create_software_config(self, ctxt, group, name, config, inputs=None, outputs=None, options=None):
        return self._invoke(ctxt, 'create_software_config', group=group, name=name, config=config,
                            inputs=inputs or [], outputs=outputs or [], options=options or {})

    def delete_software_config(self, ctxt, config_id):
        return self._invoke(ctxt, 'delete_software_config', config_id=config_id)

    def list_software_deployments(self, ctxt, server_id=None):
        return self._invoke(ctxt, 'list_software_deployments', server_id=server_id)

    def metadata_software_deployments(self, ctxt, server_id):
        return self._invoke(ctxt, 'metadata_software_deployments', server_id=server_id)

    def show_software_deployment(self, ctxt, deployment_id):
        return self._invoke(ctxt, 'show_software_deployment', deployment_id=deployment_id)

    def check_software_deployment(self, ctxt, deployment_id, timeout):
        # The engine itself waits up to ``timeout`` seconds, so the RPC gets that long plus its usual budget.
        return self._invoke(ctxt, 'check_software_deployment', rpc_timeout=self.settings.timeout + (timeout or 0),
                            deployment_id=deployment_id, timeout=timeout)

    def create_software_deployment(self, ctxt, server_id, config_id=None, input_values=None, action='INIT',
                                   status='COMPLETE', status_reason='', stack_user_project_id=None,
                                   deployment_id=None):
        return self._invoke(ctxt, 'create_software_deployment', server_id=server_id, config_id=config_id,
                            input_values=input_values or {}, action=action, status=status,
                            status_reason=status_reason, stack_user_project_id=stack_user_project_id,
                            deployment_id=deployment_id)

    def update_software_deployment(self, ctxt, deployment_id, config_id=None, input_values=None,
                                   output_values=None, action=None, status=None, status_reason=None,
                                   updated_at=None):
        return self._invoke(ctxt, 'update_software_deployment', deployment_id=deployment_id, config_id=config_id,
                            input_values=input_values, output_values=output_values, action=action, status=status,
                            status_reason=status_reason, updated_at=updated_at)

    def delete_software_deployment(self, ctxt, deployment_id):
        return self._invoke(ctxt, 'delete_software_deployment', deployment_id=deployment_id)

    def signal_software_deployment(self, ctxt, deployment_id, details, updated_at=None):
        return self._invoke(ctxt, 'signal_software_deployment', deployment_id=deployment_id, details=details,
                            updated_at=updated_at)

    # -- the CloudWatch watch API (1.0; engines since Pike answer NoSuchMethod) --

    def create_watch_data(self, ctxt, watch_name, stats_data):
        return self._invoke(ctxt, 'create_watch_data', watch_name=watch_name, stats_data=stats_data)

    def show_watch(self, ctxt, watch_name=None):
        return self._invoke(ctxt, 'show_watch', watch_name=watch_name)

    def show_watch_metric(self, ctxt, metric_namespace=None, metric_name=None):
        return self._invoke(ctxt, 'show_watch_metric', metric_namespace=metric_namespace, metric_name=metric_name)

    def set_watch_state(self, ctxt, watch_name, state):
        return self._invoke(ctxt, 'set_watch_state', watch_name=watch_name, state=state)


def api_methods():
    """Names of the engine methods this client implements (for tests and docs)."""
    return sorted(METHODS)


__all__ = ['EngineClient', 'api_methods', 'format_version']

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Client side of the heat-engine RPC API (versions 1.0 to 1.36).

Every public method has the engine method's name and arguments. ``ctxt``
may be None to use the connection's own request context. Each call is
pinned to the lowest API version that carries the arguments it actually
sends (optional arguments left at their default are not sent), and no call
is ever sent above the API version cap.

Each engine method is written once, here: its signature is the engine's
arguments and their defaults, its ``@engine_method(...)`` line the API
versions, and its body only says what the engine does. ``METHODS`` (at the
end) is the table derived from them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.api_versions import (
    BASE_API_VERSION, MethodSpec, engine_method, format_version, method_table, parse_version, plan_arguments,
)


def new_connection(settings):
    """The connection ``settings`` ask for: through the persistent helper (also when ``persistent`` is not set:
    the default), or in this process.

    Imported here, not at the top, so that a run through the helper never imports oslo.messaging.
    """
    if settings.uses_helper:
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

    def _invoke(self, ctxt, spec, arguments, cast=False):
        """Plan the arguments and version of one engine call, check the cap, send it (or cast it).

        Called by every engine method (see engine_method) with its MethodSpec and all its engine arguments.
        """
        sent, version, needs = plan_arguments(spec, arguments)
        self._check_cap(spec.name, version, needs)
        rpc_timeout = None
        if spec.waits:
            # The engine itself waits that many seconds, so the RPC gets that long plus its usual budget.
            rpc_timeout = self.settings.timeout + (arguments[spec.waits] or 0)
        return self._deliver(ctxt, spec.name, sent, version, spec.writes, cast, rpc_timeout)

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

    # Optional arguments several engine methods share, with the API version that introduced each.
    _PAGING = {'limit': '1.0', 'marker': '1.0', 'sort_keys': '1.0', 'sort_dir': '1.0'}
    _STACK_FILTERS = dict((name, '1.0') for name in (
        'filters', 'tenant_safe', 'show_deleted', 'show_nested', 'show_hidden', 'tags', 'tags_any', 'not_tags',
        'not_tags_any'))
    _TEMPLATE_INPUTS = {'environment_files': '1.23', 'files_container': '1.36'}

    # -- stacks ------------------------------------------------------------

    @engine_method()
    def identify_stack(self, ctxt, stack_name):
        """The full stack identifier (stack_name, stack_id, tenant, path) of one live stack, by name or id."""

    @engine_method(optional=dict(_PAGING, **_STACK_FILTERS))
    def list_stacks(self, ctxt, limit=None, marker=None, sort_keys=None, sort_dir=None, filters=None,
                    tenant_safe=True, show_deleted=False, show_nested=False, show_hidden=False, tags=None,
                    tags_any=None, not_tags=None, not_tags_any=None):
        """The stacks, with paging (limit, marker), sorting (sort_keys, sort_dir) and filtering.

        ``filters`` is a dict of attribute: value; ``tenant_safe`` scopes the list to the current project;
        ``show_deleted``, ``show_nested`` and ``show_hidden`` add soft-deleted, nested and hidden stacks;
        ``tags`` and ``tags_any`` keep stacks carrying all (any) of the tags, ``not_tags`` and ``not_tags_any``
        drop them.
        """

    @engine_method(optional=_STACK_FILTERS)
    def count_stacks(self, ctxt, filters=None, tenant_safe=True, show_deleted=False, show_nested=False,
                     show_hidden=False, tags=None, tags_any=None, not_tags=None, not_tags_any=None):
        """The number of stacks that match the filters (the same filters as list_stacks)."""

    @engine_method(optional={'resolve_outputs': '1.20'})
    def show_stack(self, ctxt, stack_identity, resolve_outputs=True):
        """Detailed information about one stack (a list of one); ``resolve_outputs=False`` skips the outputs."""

    @engine_method(optional=_TEMPLATE_INPUTS)
    def preview_stack(self, ctxt, stack_name, template, params, files, args, environment_files=None,
                      files_container=None):
        """Simulates creating a stack from ``template``: the resources it would have, nothing is created.

        ``params`` is the environment, ``files`` the files the template and environments refer to, ``args``
        the request arguments of the API (timeout_mins, disable_rollback, ...), ``environment_files`` the
        names (in ``files``) of the environments to merge in order, ``files_container`` a Swift container
        holding the files.
        """

    @engine_method(optional=dict(_TEMPLATE_INPUTS, template_id='1.29'), writes=True)
    def create_stack(self, ctxt, stack_name, template, params, files, args, environment_files=None,
                     files_container=None, template_id=None):
        """Creates a new stack from ``template`` (the arguments as for preview_stack); answers its identifier.

        ``template_id`` names a raw template already stored in the engine instead of ``template``.
        """

    @engine_method(optional=dict(_TEMPLATE_INPUTS, template_id='1.29'), writes=True)
    def update_stack(self, ctxt, stack_identity, template, params, files, args, environment_files=None,
                     files_container=None, template_id=None):
        """Updates an existing stack to ``template`` and ``params`` (``args`` may ask for a PATCH update)."""

    @engine_method(since='1.15', optional=_TEMPLATE_INPUTS)
    def preview_update_stack(self, ctxt, stack_identity, template, params, files, args, environment_files=None,
                             files_container=None):
        """The resources that an update_stack with these arguments would add, replace, update, delete or keep."""

    @engine_method(optional={'files': '1.17', 'show_nested': '1.18', 'environment_files': '1.23',
                             'ignorable_errors': '1.24', 'files_container': '1.36'}, empty={'params': dict})
    def validate_template(self, ctxt, template, params=None, files=None, show_nested=False, environment_files=None,
                          ignorable_errors=None, files_container=None):
        """Checks a template with the stack parser; answers its description and parameters.

        ``params`` is always sent (heat's environment merging fails on None); ``show_nested`` validates and
        shows nested templates too; ``ignorable_errors`` lists error codes that do not fail the validation.
        """

    @engine_method()
    def authenticated_to_backend(self, ctxt):
        """Whether the credentials of the request context are valid for the cloud backend."""

    @engine_method()
    def get_template(self, ctxt, stack_identity):
        """The template of a stack."""

    @engine_method(since='1.28')
    def get_environment(self, ctxt, stack_identity):
        """The environment of a stack, as the engine merged it."""

    @engine_method(since='1.32')
    def get_files(self, ctxt, stack_identity):
        """The files of a stack (the files its template and environments refer to)."""

    @engine_method(writes=True, client_options=('cast',))
    def delete_stack(self, ctxt, stack_identity, cast=False):
        """Deletes a stack. ``cast=True`` sends the request without waiting for the engine's answer."""

    @engine_method(writes=True)
    def abandon_stack(self, ctxt, stack_identity):
        """Deletes a stack but not its resources; answers the data that adopting it again would need."""

    @engine_method(since='1.22')
    def export_stack(self, ctxt, stack_identity):
        """The data of a stack, as abandon_stack answers it, without deleting anything."""

    @engine_method(since='1.19')
    def list_outputs(self, ctxt, stack_identity):
        """The outputs of a stack, each with its key and description (values not resolved)."""

    @engine_method(since='1.19')
    def show_output(self, ctxt, stack_identity, output_key):
        """One output of a stack, with its resolved value."""

    @engine_method(since='1.34', writes=True)
    def migrate_convergence_1(self, ctxt, stack_id):
        """Migrates a legacy stack to the convergence engine."""

    # -- stack actions -----------------------------------------------------

    @engine_method(writes=True)
    def stack_suspend(self, ctxt, stack_identity):
        """Suspends a stack (the engine does it in the background)."""

    @engine_method(writes=True)
    def stack_resume(self, ctxt, stack_identity):
        """Resumes a suspended stack (the engine does it in the background)."""

    @engine_method(writes=True)
    def stack_check(self, ctxt, stack_identity):
        """Checks that a stack's resources are what the engine recorded (the engine does it in the background)."""

    @engine_method(optional={'cancel_with_rollback': '1.14'}, writes=True)
    def stack_cancel_update(self, ctxt, stack_identity, cancel_with_rollback=True):
        """Cancels a stack update in progress, rolling back unless ``cancel_with_rollback`` is False."""

    # -- snapshots -----------------------------------------------------------

    @engine_method(writes=True)
    def stack_snapshot(self, ctxt, stack_identity, name):
        """Takes a snapshot named ``name`` of a stack; answers the snapshot."""

    @engine_method()
    def show_snapshot(self, ctxt, stack_identity, snapshot_id):
        """One snapshot of a stack."""

    @engine_method(writes=True)
    def delete_snapshot(self, ctxt, stack_identity, snapshot_id):
        """Deletes one snapshot of a stack."""

    @engine_method()
    def stack_list_snapshots(self, ctxt, stack_identity):
        """The snapshots of a stack."""

    @engine_method(writes=True)
    def stack_restore(self, ctxt, stack_identity, snapshot_id):
        """Restores a stack to one of its snapshots."""

    # -- resources and events ------------------------------------------------

    @engine_method(optional=dict(_PAGING, filters='1.0', nested_depth='1.31'))
    def list_events(self, ctxt, stack_identity, filters=None, limit=None, marker=None, sort_keys=None,
                    sort_dir=None, nested_depth=None):
        """The events of a stack, with paging, sorting and ``filters`` (attribute: value).

        ``nested_depth`` adds the events of nested stacks down to that depth.
        """

    @engine_method(optional={'with_attr': '1.2'})
    def describe_stack_resource(self, ctxt, stack_identity, resource_name, with_attr=None):
        """Detailed information about one resource; ``with_attr`` names attributes to resolve as well."""

    @engine_method()
    def describe_stack_resources(self, ctxt, stack_identity, resource_name):
        """Detailed information about the resources of a stack, or only those named ``resource_name``."""

    @engine_method()
    def find_physical_resource(self, ctxt, physical_resource_id):
        """The identifier of the resource that has this physical resource id."""

    @engine_method(optional={'nested_depth': '1.0', 'with_detail': '1.12', 'filters': '1.25'})
    def list_stack_resources(self, ctxt, stack_identity, nested_depth=0, with_detail=False, filters=None):
        """The resources of a stack, and of its nested stacks down to ``nested_depth``.

        ``with_detail`` adds each resource's details; ``filters`` is a dict of attribute: value.
        """

    @engine_method(optional={'sync_call': '1.3'}, writes=True)
    def resource_signal(self, ctxt, stack_identity, resource_name, details, sync_call=False):
        """Sends a signal with ``details`` to a resource; ``sync_call`` waits until the resource handled it."""

    @engine_method(since='1.26', optional={'resource_status_reason': '1.26'}, writes=True)
    def resource_mark_unhealthy(self, ctxt, stack_identity, resource_name, mark_unhealthy,
                                resource_status_reason=None):
        """Marks a resource unhealthy (``mark_unhealthy`` True) or healthy again (False), with a reason."""

    # -- resource types and templates ----------------------------------------

    @engine_method(optional={'support_status': '1.1', 'type_name': '1.16', 'heat_version': '1.16',
                             'with_description': '1.30'})
    def list_resource_types(self, ctxt, support_status=None, type_name=None, heat_version=None,
                            with_description=False):
        """The resource types this engine knows.

        ``support_status`` keeps those of that support status, ``type_name`` those whose name matches
        (a regular expression), ``heat_version`` those available in that heat version;
        ``with_description`` adds each type's description.
        """

    @engine_method(optional={'with_description': '1.30'})
    def resource_schema(self, ctxt, type_name, with_description=False):
        """The schema (properties and attributes) of a resource type."""

    @engine_method(optional={'template_type': '1.9'})
    def generate_template(self, ctxt, type_name, template_type='cfn'):
        """A template with one resource of type ``type_name``, in ``template_type`` 'cfn' or 'hot'."""

    @engine_method(since='1.11')
    def list_template_versions(self, ctxt):
        """The template versions this engine accepts."""

    @engine_method(since='1.13', optional={'with_condition': '1.35'})
    def list_template_functions(self, ctxt, template_version, with_condition=False):
        """The intrinsic functions of a template version; ``with_condition`` the condition functions."""

    # -- engine ----------------------------------------------------------------

    @engine_method()
    def get_revision(self, ctxt):
        """The engine's revision (its heat version)."""

    @engine_method(since='1.4')
    def list_services(self, ctxt):
        """The heat-engine services and their status."""

    # -- software configuration and deployments ------------------------------

    @engine_method()
    def show_software_config(self, ctxt, config_id):
        """One software configuration."""

    @engine_method(since='1.10', optional={'limit': '1.10', 'marker': '1.10', 'tenant_safe': '1.10'})
    def list_software_configs(self, ctxt, limit=None, marker=None, tenant_safe=True):
        """The software configurations, with paging; ``tenant_safe`` scopes them to the current project."""

    @engine_method(writes=True, empty={'inputs': list, 'outputs': list, 'options': dict})
    def create_software_config(self, ctxt, group, name, config, inputs=None, outputs=None, options=None):
        """Creates a software configuration (inputs and outputs sent as [] and options as {} when not given)."""

    @engine_method(writes=True)
    def delete_software_config(self, ctxt, config_id):
        """Deletes a software configuration."""

    @engine_method()
    def list_software_deployments(self, ctxt, server_id=None):
        """The software deployments, or those of one server."""

    @engine_method()
    def metadata_software_deployments(self, ctxt, server_id):
        """The deployment metadata of a server: the configurations deployed to it."""

    @engine_method()
    def show_software_deployment(self, ctxt, deployment_id):
        """One software deployment."""

    @engine_method(since='1.27', waits='timeout')
    def check_software_deployment(self, ctxt, deployment_id, timeout):
        """One software deployment, once it is no longer IN_PROGRESS or ``timeout`` seconds have passed.

        The engine itself waits up to ``timeout`` seconds, so the RPC is given that long on top of its own.
        """

    @engine_method(optional={'deployment_id': '1.21'}, writes=True, empty={'input_values': dict})
    def create_software_deployment(self, ctxt, server_id, config_id=None, input_values=None, action='INIT',
                                   status='COMPLETE', status_reason='', stack_user_project_id=None,
                                   deployment_id=None):
        """Creates a software deployment of a configuration to a server (input_values sent as {} if none)."""

    @engine_method(since='1.5', writes=True)
    def update_software_deployment(self, ctxt, deployment_id, config_id=None, input_values=None,
                                   output_values=None, action=None, status=None, status_reason=None,
                                   updated_at=None):
        """Updates a software deployment. Every argument is sent: the engine takes updated_at positionally."""

    @engine_method(writes=True)
    def delete_software_deployment(self, ctxt, deployment_id):
        """Deletes a software deployment."""

    @engine_method(since='1.6', writes=True)
    def signal_software_deployment(self, ctxt, deployment_id, details, updated_at=None):
        """Signals a software deployment with the outputs in ``details`` (as the server would)."""

    # -- the CloudWatch watch API (1.0; engines since Pike answer NoSuchMethod) --

    @engine_method(writes=True, removed=True)
    def create_watch_data(self, ctxt, watch_name, stats_data):
        """Posts data for a CloudWatch-style watch rule (removed from the engine: answers NotSupported)."""

    @engine_method(optional={'watch_name': '1.0'}, removed=True)
    def show_watch(self, ctxt, watch_name=None):
        """The attributes of one watch rule, or of all (removed from the engine: answers NotSupported)."""

    @engine_method(optional={'metric_namespace': '1.0', 'metric_name': '1.0'}, removed=True)
    def show_watch_metric(self, ctxt, metric_namespace=None, metric_name=None):
        """The datapoints of a metric, or of all (removed from the engine: answers NotSupported)."""

    @engine_method(writes=True, removed=True)
    def set_watch_state(self, ctxt, watch_name, state):
        """Sets the state of a watch rule for a while (removed from the engine: answers NotSupported)."""


# Every engine method of EngineClient: {name: MethodSpec}, derived from the methods above.
METHODS = method_table(EngineClient)


def api_methods():
    """Names of the engine methods this client implements (for tests and docs)."""
    return sorted(METHODS)


__all__ = ['EngineClient', 'METHODS', 'api_methods', 'format_version']

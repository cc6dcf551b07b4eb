# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The heat-engine RPC API versions, as data.

One table says, for every engine method, the API version that introduced the
method and the version that introduced each optional argument. The
EngineClient consults it to pin each call to the lowest version that carries
the arguments it actually sends, and to honour an API version cap.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# The newest engine RPC API this client knows (heat.engine.service.EngineService.RPC_API_VERSION).
LATEST_API_VERSION = '1.36'
BASE_API_VERSION = '1.0'

# Sentinel default for optional arguments whose "unset" value is None.
UNSET = None


class MethodSpec:
    """What one engine RPC method needs.

    ``since`` is the API version that introduced the method. ``optional``
    maps an optional argument to ``(since, default)``: an argument whose value
    equals its default is not sent at all, so it never raises the version.
    Arguments not listed in ``optional`` are always sent. ``writes`` marks
    calls that change engine state, whose timeout means "outcome unknown".
    """

    __slots__ = ('name', 'since', 'optional', 'writes', 'removed')

    def __init__(self, name, since=BASE_API_VERSION, optional=None, writes=False, removed=False):
        self.name = name
        self.since = since
        self.optional = dict(optional or {})
        self.writes = writes
        # Methods that current engines no longer have (the CloudWatch "watch" API).
        self.removed = removed

    def __repr__(self):
        return 'MethodSpec(%r, since=%r)' % (self.name, self.since)


def _stack_filters(since=BASE_API_VERSION):
    """Optional arguments shared by list_stacks and count_stacks."""
    return {
        'filters': (since, UNSET),
        'tenant_safe': (since, True),
        'show_deleted': (since, False),
        'show_nested': (since, False),
        'show_hidden': (since, False),
        'tags': (since, UNSET),
        'tags_any': (since, UNSET),
        'not_tags': (since, UNSET),
        'not_tags_any': (since, UNSET),
    }


def _paging():
    return {
        'limit': (BASE_API_VERSION, UNSET),
        'marker': (BASE_API_VERSION, UNSET),
        'sort_keys': (BASE_API_VERSION, UNSET),
        'sort_dir': (BASE_API_VERSION, UNSET),
    }


def _template_inputs():
    """Optional arguments shared by create/update/preview of a stack."""
    return {
        'environment_files': ('1.23', UNSET),
        'files_container': ('1.36', UNSET),
    }


def _build_specs():
    list_stacks = dict(_paging())
    list_stacks.update(_stack_filters())
    list_events = dict(_paging())
    list_events.update({'filters': ('1.0', UNSET), 'nested_depth': ('1.31', UNSET)})
    stack_write = dict(_template_inputs())
    stack_write['template_id'] = ('1.29', UNSET)

    specs = [
        # Stacks
        MethodSpec('identify_stack'),
        MethodSpec('list_stacks', optional=list_stacks),
        MethodSpec('count_stacks', optional=_stack_filters()),
        MethodSpec('show_stack', optional={'resolve_outputs': ('1.20', True)}),
        MethodSpec('preview_stack', optional=_template_inputs()),
        MethodSpec('create_stack', optional=stack_write, writes=True),
        MethodSpec('update_stack', optional=stack_write, writes=True),
        MethodSpec('preview_update_stack', since='1.15', optional=_template_inputs()),
        # params is always sent: heat's environment merging fails on None.
        MethodSpec('validate_template', optional={
            'files': ('1.17', UNSET),
            'show_nested': ('1.18', False),
            'environment_files': ('1.23', UNSET),
            'ignorable_errors': ('1.24', UNSET),
            'files_container': ('1.36', UNSET),
        }),
        MethodSpec('authenticated_to_backend'),
        MethodSpec('get_template'),
        MethodSpec('get_environment', since='1.28'),
        MethodSpec('get_files', since='1.32'),
        MethodSpec('delete_stack', writes=True),
        MethodSpec('abandon_stack', writes=True),
        MethodSpec('export_stack', since='1.22'),
        MethodSpec('list_outputs', since='1.19'),
        MethodSpec('show_output', since='1.19'),
        MethodSpec('migrate_convergence_1', since='1.34', writes=True),
        # Stack actions
        MethodSpec('stack_suspend', writes=True),
        MethodSpec('stack_resume', writes=True),
        MethodSpec('stack_check', writes=True),
        MethodSpec('stack_cancel_update', optional={'cancel_with_rollback': ('1.14', True)}, writes=True),
        # Snapshots
        MethodSpec('stack_snapshot', writes=True),
        MethodSpec('show_snapshot'),
        MethodSpec('delete_snapshot', writes=True),
        MethodSpec('stack_list_snapshots'),
        MethodSpec('stack_restore', writes=True),
        # Resources and events
        MethodSpec('list_events', optional=list_events),
        MethodSpec('describe_stack_resource', optional={'with_attr': ('1.2', UNSET)}),
        MethodSpec('describe_stack_resources'),
        MethodSpec('find_physical_resource'),
        MethodSpec('list_stack_resources', optional={
            'nested_depth': ('1.0', 0),
            'with_detail': ('1.12', False),
            'filters': ('1.25', UNSET),
        }),
        MethodSpec('resource_signal', optional={'sync_call': ('1.3', False)}, writes=True),
        MethodSpec('resource_mark_unhealthy', since='1.26',
                   optional={'resource_status_reason': ('1.26', UNSET)}, writes=True),
        # Resource types and template introspection
        MethodSpec('list_resource_types', optional={
            'support_status': ('1.1', UNSET),
            'type_name': ('1.16', UNSET),
            'heat_version': ('1.16', UNSET),
            'with_description': ('1.30', False),
        }),
        MethodSpec('resource_schema', optional={'with_description': ('1.30', False)}),
        MethodSpec('generate_template', optional={'template_type': ('1.9', 'cfn')}),
        MethodSpec('list_template_versions', since='1.11'),
        MethodSpec('list_template_functions', since='1.13', optional={'with_condition': ('1.35', False)}),
        # Engine
        MethodSpec('get_revision'),
        MethodSpec('list_services', since='1.4'),
        # Software configuration and deployments
        MethodSpec('show_software_config'),
        MethodSpec('list_software_configs', since='1.10', optional={
            'limit': ('1.10', UNSET),
            'marker': ('1.10', UNSET),
            'tenant_safe': ('1.10', True),
        }),
        MethodSpec('create_software_config', writes=True),
        MethodSpec('delete_software_config', writes=True),
        MethodSpec('list_software_deployments'),
        MethodSpec('metadata_software_deployments'),
        MethodSpec('show_software_deployment'),
        MethodSpec('check_software_deployment', since='1.27'),
        MethodSpec('create_software_deployment', optional={'deployment_id': ('1.21', UNSET)}, writes=True),
        # The engine requires updated_at positionally, so it is always sent: 1.5 and 1.6.
        MethodSpec('update_software_deployment', since='1.5', writes=True),
        MethodSpec('delete_software_deployment', writes=True),
        MethodSpec('signal_software_deployment', since='1.6', writes=True),
        # CloudWatch-style watch rules: in the 1.0 API, removed from engines since Pike.
        MethodSpec('create_watch_data', writes=True, removed=True),
        MethodSpec('show_watch', optional={'watch_name': ('1.0', UNSET)}, removed=True),
        MethodSpec('show_watch_metric', optional={
            'metric_namespace': ('1.0', UNSET),
            'metric_name': ('1.0', UNSET),
        }, removed=True),
        MethodSpec('set_watch_state', writes=True, removed=True),
    ]
    return dict((spec.name, spec) for spec in specs)


METHODS = _build_specs()


def parse_version(version):
    """'1.36' -> (1, 36). Raises ValueError with a clear message on bad input."""
    text = str(version).strip()
    parts = text.split('.')
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise ValueError("'%s' is not an API version of the form MAJOR.MINOR, such as 1.36" % text)
    return int(parts[0]), int(parts[1])


def format_version(version_tuple):
    return '%d.%d' % version_tuple


def plan_arguments(spec, kwargs):
    """Decide what to send for one call of ``spec`` with ``kwargs``.

    Returns ``(sent, version, needs)``: the arguments to send (optional ones at
    their default dropped), the lowest API version that carries all of them,
    and a dict naming what raised the version (``{name: version}``), so that a
    refusal under a cap can say which argument was the cause.
    """
    sent = {}
    version = parse_version(spec.since)
    needs = {spec.name: spec.since}
    for name, value in kwargs.items():
        if name in spec.optional:
            since, default = spec.optional[name]
            if value == default and type(value) is type(default):  # noqa: E721 - 0 is not False
                continue
            if parse_version(since) > version:
                version = parse_version(since)
            needs[name] = since
        sent[name] = value
    return sent, format_version(version), needs

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_engine_info: what heat-engine says about itself, one small function per subject."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.base import Runner

GATHER_CHOICES = ('revision', 'services', 'template_versions', 'template_functions', 'resource_types',
                  'resource_schema', 'generated_template', 'credentials')
SUPPORT_STATUSES = ('UNKNOWN', 'SUPPORTED', 'DEPRECATED', 'UNSUPPORTED', 'HIDDEN')

# What heat 27 does when asked authenticated_to_backend (its clients object has no authenticated()).
BROKEN_CREDENTIAL_CHECK = ('heat-engine could not check the credentials: its authenticated_to_backend raised '
                           '%s: %s (a bug in this heat release, not an answer about the credentials)')


def template_version_name(version):
    """'2018-08-31' or 'rocky' -> 'heat_template_version.2018-08-31' / '.rocky'; full names stay as they are."""
    return version if '.' in version else 'heat_template_version.' + version


def gather_revision(client, options):
    return client.get_revision(None)


def gather_services(client, options):
    return client.list_services(None)


def gather_template_versions(client, options):
    return client.list_template_versions(None)


def gather_template_functions(client, options):
    """The functions of one template version, each with whether it is a condition function.

    The plain listing is asked for first: heat 27 adds the condition functions to a version's
    plain listing for the rest of the engine's life once anyone asked with conditions, after which
    they can no longer be told apart (they then show ``condition: false``).
    """
    version = template_version_name(options['template_version'])
    plain = client.list_template_functions(None, version)
    names = set(item['functions'] for item in plain)
    listing = plain
    if options.get('with_conditions'):
        listing = client.list_template_functions(None, version, with_condition=True)
    return sorted(({'name': item['functions'], 'description': item.get('description'),
                    'condition': item['functions'] not in names} for item in listing),
                  key=lambda item: item['name'])


def gather_resource_types(client, options):
    filters = options.get('resource_type_filters') or {}
    listing = client.list_resource_types(None, support_status=filters.get('support_status'),
                                         type_name=filters.get('name'), heat_version=filters.get('version'),
                                         with_description=bool(filters.get('with_description')))
    types = []
    for item in listing:
        if isinstance(item, dict):
            types.append({'name': item.get('resource_type'), 'description': item.get('description')})
        else:
            types.append({'name': item, 'description': None})
    return sorted(types, key=lambda item: item['name'])


def gather_resource_schema(client, options):
    return client.resource_schema(None, options['resource_type'], with_description=bool(options.get('with_description')))


def gather_generated_template(client, options):
    return client.generate_template(None, options['resource_type'], template_type=options.get('template_type') or 'cfn')


def gather_credentials(client, options):
    """Whether the engine accepts the caller's credentials: True/False, or None with the reason it cannot say."""
    try:
        answer = client.authenticated_to_backend(None)
    except errors.AuthError as exc:
        return {'accepted': False, 'explanation': 'the engine refused the credentials: %s' % exc}
    except errors.EngineError as exc:
        if exc.remote_name == 'AttributeError':
            return {'accepted': None, 'explanation': BROKEN_CREDENTIAL_CHECK % (exc.remote_name, exc)}
        raise
    return {'accepted': bool(answer), 'explanation': 'the engine answered %r' % (answer,)}


GATHERERS = {
    'revision': gather_revision,
    'services': gather_services,
    'template_versions': gather_template_versions,
    'template_functions': gather_template_functions,
    'resource_types': gather_resource_types,
    'resource_schema': gather_resource_schema,
    'generated_template': gather_generated_template,
    'credentials': gather_credentials,
}

# What each subject needs among the module's options (checked before any RPC).
NEEDS = {
    'template_functions': 'template_version',
    'resource_schema': 'resource_type',
    'generated_template': 'resource_type',
}


def missing_needs(gather, options):
    """Messages for subjects whose required option is not set."""
    return ['%s needs %s' % (subject, NEEDS[subject]) for subject in gather
            if subject in NEEDS and not options.get(NEEDS[subject])]


def check_options(params):
    """Refuse subjects whose option is missing, naming each (before any RPC)."""
    problems = missing_needs(params['gather'], params)
    if problems:
        raise errors.ConfigurationError('; '.join(problems))


def gather(client, subjects, options):
    """Result keys for the subjects asked for, in a stable order."""
    result = {}
    for subject in GATHER_CHOICES:
        if subject not in subjects:
            continue
        value = GATHERERS[subject](client, options)
        if subject == 'credentials':
            result['credentials_accepted'] = value['accepted']
            result['credentials_explanation'] = value['explanation']
        else:
            result[subject] = value
    return result


class EngineInfoRunner(Runner):
    """Asks the engine about each subject of ``gather``; never changes anything."""

    def perform(self):
        check_options(self.params)
        result = gather(self.client, self.params['gather'], self.params)
        result['changed'] = False
        return result

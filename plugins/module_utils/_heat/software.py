# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Software configs and deployments as heat-engine keeps them: the normal form of a config's definition,
lookups by id and name, deletion, and what a deployment signal does.

The decisions of heat_software_config(_info) and heat_software_deployment(_info) built on these are in
_runners/heat_software_config.py and _runners/heat_software_deployment.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import looks_like_uuid, paginate

DEFAULT_GROUP = 'Heat::Ungrouped'
CONFIG_PAGE_SIZE = 200
# Output keys heat-engine records from every deployment signal (rpc api SOFTWARE_DEPLOYMENT_OUTPUTS).
SIGNAL_OUTPUT_KEYS = ('deploy_stdout', 'deploy_stderr', 'deploy_status_code')


# -- the engine's normal form of inputs and outputs ---------------------------------------------------------

def _number(value):
    if isinstance(value, bool) or not isinstance(value, str) or value == '':
        return value
    for convert in (int, float):
        try:
            return convert(value)
        except ValueError:
            pass
    return value


def _boolean(value):
    if isinstance(value, str) and value.lower() in ('true', 'false'):
        return value.lower() == 'true'
    return value


def _comma_list(value):
    if isinstance(value, str) and value != '':
        return value.split(',')
    return value


def _string(value):
    if isinstance(value, (dict, list)):
        return value
    if isinstance(value, bool):
        return 'True' if value else 'False'
    return str(value)


_DEFAULT_CONVERSIONS = {
    'String': _string,
    'Number': _number,
    'Boolean': _boolean,
    'CommaDelimitedList': _comma_list,
}


def _drop_empty(item):
    return dict((key, value) for key, value in item.items() if value is not None)


def normalise_input(item):
    """One input definition the way heat-engine stores it.

    The engine fills ``type: String``, drops ``replace_on_change`` when false, turns an explicit null
    ``description`` into '' and converts ``default`` to the input's type ('5' -> 5 for a Number).
    An empty description counts as none here, so both spellings compare equal.
    """
    item = _drop_empty(item)
    item.setdefault('type', 'String')
    if not item.get('replace_on_change'):
        item.pop('replace_on_change', None)
    if item.get('description') == '':
        del item['description']
    if 'default' in item:
        convert = _DEFAULT_CONVERSIONS.get(item['type'])
        if convert is not None:
            item['default'] = convert(item['default'])
    return item


def normalise_output(item):
    """One output definition the way heat-engine stores it (``type: String``, ``error_output: false`` filled)."""
    item = _drop_empty(item)
    item.setdefault('type', 'String')
    item['error_output'] = bool(item.get('error_output', False))
    if item.get('description') == '':
        del item['description']
    return item


def definition(group, config, inputs, outputs, options):
    """The comparable form of a software config (what makes two configs the same)."""
    return {
        'group': group or DEFAULT_GROUP,
        'config': config if config is not None else '',
        'inputs': [normalise_input(item) for item in inputs or []],
        'outputs': [normalise_output(item) for item in outputs or []],
        'options': options or {},
    }


def definition_of(raw_config):
    """The comparable form of a software config the engine returned (show_software_config)."""
    return definition(raw_config.get('group'), raw_config.get('config'), raw_config.get('inputs'),
                      raw_config.get('outputs'), raw_config.get('options'))


def differences(current, wanted):
    """Names of the fields (group, config, inputs, outputs, options) in which two definitions differ."""
    return [key for key in ('group', 'config', 'inputs', 'outputs', 'options') if current.get(key) != wanted.get(key)]


# -- software config lookups ----------------------------------------------------------------------------------

def iter_configs(client):
    """Every software config summary (id, name, group, creation_time) of the project, newest first."""
    return paginate(lambda size, marker: client.list_software_configs(None, limit=size, marker=marker),
                    lambda item: item['id'], CONFIG_PAGE_SIZE)


def show_config(client, config_id):
    """The full software config with id ``config_id``, or None."""
    try:
        return client.show_software_config(None, config_id)
    except errors.NotFoundError:
        return None


def configs_named(client, name):
    """Summaries of the software configs called ``name``, newest first (the engine's listing order)."""
    return [item for item in iter_configs(client) if item.get('name') == name]


def config_like(client, name, wanted):
    """A full software config called ``name`` whose definition is ``wanted``, or None."""
    for item in configs_named(client, name):
        found = show_config(client, item['id'])
        if found is not None and not differences(definition_of(found), wanted):
            return found
    return None


def current_config(client, name):
    """The full software config that ``name`` refers to: the newest config of that name, or None."""
    named = configs_named(client, name)
    if not named:
        return None
    return show_config(client, named[0]['id'])


def find_config(client, id_or_name):
    """A full software config by id, else by name (the newest of that name), or None."""
    if looks_like_uuid(id_or_name):
        found = show_config(client, id_or_name)
        if found is not None:
            return found
    return current_config(client, id_or_name)


def resolve_config(client, id_or_name):
    """find_config, or NotFoundError naming the ``config`` option."""
    found = find_config(client, id_or_name)
    if found is None:
        raise errors.NotFoundError("config: no software config with id or name '%s'" % id_or_name)
    return found


# -- deployments ------------------------------------------------------------------------------------------------

def delete_each(delete, items, check_mode):
    """The absent side of configs and deployments: report what goes, delete it unless in check mode.

    ``delete(id)`` is the client's delete method; an item already gone counts as deleted.
    """
    ids = [item['id'] for item in items]
    result = {'changed': bool(ids), 'deleted_ids': ids, 'diff': {'before': {'ids': ids}, 'after': {'ids': []}}}
    if not check_mode:
        for item_id in ids:
            try:
                delete(None, item_id)
            except errors.NotFoundError:
                pass  # deleted meanwhile: that is what was wanted
    return result


def show_deployment(client, deployment_id):
    """The software deployment with id ``deployment_id``, or None."""
    try:
        return client.show_software_deployment(None, deployment_id)
    except errors.NotFoundError:
        return None


def predict_signal(deployment, config, details):
    """What signal_software_deployment would make of ``details``: (status, status_reason, output_values).

    Mirrors heat-engine: a non-zero ``deploy_status_code`` or a value for an output flagged
    ``error_output`` means FAILED, anything else COMPLETE; a deployment that is not IN_PROGRESS
    ignores signals (None is returned then).
    """
    if deployment.get('status') != 'IN_PROGRESS':
        return None
    details = details or {}
    outputs = dict(deployment.get('output_values') or {})
    reasons = []
    code = details.get('deploy_status_code')
    if code and str(code) != '0':
        reasons.append('deploy_status_code : Deployment exited with non-zero status code: %s' % code)
    for output in (config or {}).get('outputs') or []:
        key = output.get('name')
        if key in details:
            outputs[key] = details[key]
            if output.get('error_output'):
                reasons.append('%s : %s' % (key, details[key]))
    for key in SIGNAL_OUTPUT_KEYS:
        outputs[key] = details.get(key)
    if reasons:
        return 'FAILED', ', '.join(reasons), outputs
    return 'COMPLETE', 'Outputs received', outputs


def read_config_text(config, config_file):
    """The config text: ``config``, or the content of the file ``config_file``."""
    if not config_file:
        return config
    try:
        with open(config_file, 'r') as handle:
            return handle.read()
    except (IOError, OSError, UnicodeDecodeError) as exc:
        raise errors.ConfigurationError("config_file: cannot read '%s': %s" % (config_file, exc))

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""How heat-engine merges ``environment_files``, worked out on the client.

The engine merges each environment layer over the environment it is sent
(heat.common.environment_util): ``parameters`` and ``parameter_defaults`` by
each parameter's merge strategy (overwrite, merge, deep_merge, chosen per file
in ``parameter_merge_strategies``), the other sections one level deep. The
modules need the same result to compare a stack's stored environment with
the wanted one, and to send it as one environment where the API version cap
does not allow ``environment_files``. A contract test runs these rules and
the engine's own side by side.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors

STRATEGIES = ('overwrite', 'merge', 'deep_merge')
PARAMETER_SECTIONS = ('parameters', 'parameter_defaults')
# Declared parameter types (HOT and CFN spellings, lower case) -> how the engine merges them.
MERGE_KINDS = {
    'json': 'map', 'comma_delimited_list': 'list', 'commadelimitedlist': 'list',
    'string': 'string', 'number': 'number', 'boolean': 'boolean',
}


class MergeError(errors.ValidationFailedError):
    """Environments the engine would refuse to merge; nothing was sent."""
    kind = 'template_error'


def merge_layers(base, layers, parameter_types):
    """The environment the engine stores after merging ``layers`` (EnvironmentLayer) over ``base``.

    ``parameter_types`` maps each parameter declared by the template or a file to its type; as in
    the engine, parameters no template declares are dropped once a section has values to merge into.
    """
    merged = copy.deepcopy(base)
    chosen = {}
    for layer in layers:
        document = copy.deepcopy(layer.document)
        strategies = document.pop('parameter_merge_strategies', None) or {}
        for section, value in document.items():
            if not value:
                continue
            if section in PARAMETER_SECTIONS:
                merged[section] = merge_parameters(merged.get(section), value, parameter_types, strategies,
                                                   chosen, layer.where)
            elif isinstance(value, list):
                if merged.get(section):
                    raise MergeError('environment %s: %s is set by an earlier environment too, and the engine '
                                     'cannot merge two of them' % (layer.where, section))
                merged[section] = value
            else:
                merged[section] = merge_map(merged.get(section), value)
    return merged


def strategy_for(name, strategies, chosen):
    """The merge strategy of parameter ``name`` in a file with ``strategies``; ``chosen`` by earlier files."""
    default = strategies.get('default', 'overwrite')
    strategy = strategies.get(name, chosen.get(name, default))
    return strategy if strategy in STRATEGIES else default


def merge_parameters(old, new, parameter_types, strategies, chosen, where):
    declared = [(name, value) for name, value in new.items() if name in parameter_types and value is not None]
    for name, _value in declared:
        strategy = strategy_for(name, strategies, chosen)
        if chosen.setdefault(name, strategy) != strategy:
            raise MergeError('environment %s asks to %s parameter %s, but an earlier environment asked to %s it'
                             % (where, strategy, name, chosen[name]))
    if not old:
        return new
    for name, value in declared:
        strategy = chosen[name]
        if strategy == 'overwrite':
            old[name] = value
        else:
            old[name] = merge_parameter(old, name, value, parameter_types[name], strategy == 'deep_merge', where)
    return old


def merge_parameter(old, name, value, declared_type, deep, where):
    kind = MERGE_KINDS.get(declared_type, 'string')
    if kind == 'map':
        try:
            value = json.loads(value if isinstance(value, str) else json.dumps(value)) if value else value
        except ValueError:
            raise MergeError('environment %s: parameter %s is not valid JSON' % (where, name))
        return merge_map(old.get(name, {}), value, deep)
    if kind == 'list' and isinstance(value, (list, str)):
        return merge_list(old.get(name), value)
    if kind == 'string' and isinstance(value, str):
        return (old.get(name) or '') + value
    raise MergeError('environment %s: parameter %s (%s) cannot be merged with the value given; the engine '
                     'merges only json, comma_delimited_list and string values' % (where, name, declared_type))


def merge_list(old, new):
    """Lists are joined; comma-delimited strings are joined with a comma."""
    if not old:
        return new
    if isinstance(new, list):
        return (old if isinstance(old, list) else [old]) + new
    return ','.join([old if isinstance(old, str) else ','.join(str(item) for item in old), new])


def merge_map(old, new, deep=False):
    """``new`` over ``old``, one level deep, or all the way down with ``deep``; None values are skipped."""
    if not old:
        return new
    for key, value in new.items():
        if value is None:
            continue
        if not deep:
            old[key] = value
        elif isinstance(value, dict):
            old[key] = merge_map(old.get(key), value, deep) if old.get(key) else value
        elif isinstance(value, list):
            old[key] = merge_list(old.get(key), value) if old.get(key) else value
        elif isinstance(value, str):
            old[key] = (old.get(key) or '') + value
        else:
            old[key] = value
    return old

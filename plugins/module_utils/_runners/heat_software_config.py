# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_software_config and heat_software_config_info.

When a config is kept, replaced or deleted. The engine's normal form of a config and the lookups are in
_heat/software.py; results are shaped by _heat/shapes.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.base import Runner
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import shape_config
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.software import (
    config_like, configs_named, current_config, definition, definition_of, delete_each, differences, iter_configs,
    read_config_text, show_config,
)


# -- software configs --------------------------------------------------------------------------------------

def config_differences(current, wanted, name):
    """What differs between the engine's config ``current`` and the ``wanted`` definition called ``name``.

    Configs are immutable: any difference (the name included) means a new config replaces ``current``.
    """
    differing = differences(definition_of(current), wanted)
    if current.get('name') != name:
        differing.insert(0, 'name')
    return differing


def config_diff(current, wanted, name):
    before = dict(definition_of(current), name=current.get('name')) if current else {}
    return {'before': before, 'after': dict(wanted, name=name)}


class SoftwareConfigRunner(Runner):
    """heat_software_config: a config of this name and definition exists (present), or none does (absent)."""

    def perform(self):
        if self.params['state'] == 'absent':
            return self.ensure_absent()
        return self.ensure_present()

    def wanted(self):
        params = self.params
        text = read_config_text(params['config'], params['config_file'])
        return definition(params['group'], text, params['inputs'], params['outputs'], params['options'])

    def existing(self, wanted):
        """The config ``present`` compares with: the one with ``id``; else a config called ``name`` that
        already has the wanted definition (several may share the name, and the engine's creation times have
        one-second resolution, so "newest" alone is not always decidable); else the newest called ``name``."""
        name = self.params['name']
        if self.params['id']:
            found = show_config(self.client, self.params['id'])
            if found is None:
                raise errors.NotFoundError("id: no software config with id '%s'" % self.params['id'])
            return found
        return config_like(self.client, name, wanted) or current_config(self.client, name)

    def ensure_present(self):
        name, keep_old = self.params['name'], self.params['keep_old']
        wanted = self.wanted()
        current = self.existing(wanted)
        result = {'changed': False, 'replaced': False, 'diff': config_diff(current, wanted, name)}
        if current is not None:
            differing = config_differences(current, wanted, name)
            if not differing:
                result['config'] = shape_config(current)
                return result
            result.update(replaced=True, old_id=current['id'], differences=differing, old_deleted=not keep_old)
        result['changed'] = True
        if self.check_mode:
            result['config'] = shape_config(dict(wanted, name=name))
            return result
        result['config'] = shape_config(self.client.create_software_config(
            None, wanted['group'], name, wanted['config'], wanted['inputs'], wanted['outputs'], wanted['options']))
        if result['replaced'] and not keep_old:
            result['old_deleted'] = self.delete_replaced(current['id'])
        return result

    def delete_replaced(self, old_id):
        """Delete a replaced config; one still in use is kept (the engine refuses), with a warning."""
        try:
            self.client.delete_software_config(None, old_id)
        except errors.ValidationFailedError as exc:
            self.module.warn("the replaced software config %s was kept: %s" % (old_id, exc))
            return False
        return True

    def ensure_absent(self):
        if self.params['id']:
            found = show_config(self.client, self.params['id'])
            doomed = [found] if found else []
        else:
            doomed = configs_named(self.client, self.params['name'])
        result = delete_each(self.client.delete_software_config, doomed, self.check_mode)
        return dict(result, config={}, replaced=False)


def config_matches(found, name):
    """Whether the config ``found`` (None when not found) is listed for the ``name`` filter (None: any)."""
    return found is not None and (not name or found.get('name') == name)


class SoftwareConfigInfoRunner(Runner):
    """heat_software_config_info: the configs (one by id, or those named ``name``), in full with detail."""

    def perform(self):
        params = self.params
        if params['id']:
            found = show_config(self.client, params['id'])
            configs = [found] if config_matches(found, params['name']) else []
        else:
            configs = [item for item in iter_configs(self.client) if config_matches(item, params['name'])]
            if params['detail']:
                # A config deleted between the listing and its show is left out.
                configs = [full for full in (show_config(self.client, item['id']) for item in configs) if full]
        return {'changed': False, 'configs': [shape_config(item) for item in configs]}

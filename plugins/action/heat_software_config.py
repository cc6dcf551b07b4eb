# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_software_config on the controller: config_file is read here (plugin_utils/controller_files.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.plugin_utils.controller_files import ConfigFileAction


class ActionModule(ConfigFileAction):
    pass

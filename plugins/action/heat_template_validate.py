# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_template_validate on the controller: the template, its files and its environments are read here (plugin_utils/controller_files.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.plugin_utils.controller_files import StackFilesAction


class ActionModule(StackFilesAction):
    pass

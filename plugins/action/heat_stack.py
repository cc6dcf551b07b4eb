# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_stack on the controller: the template, its files and its environments are read here (plugin_utils/controller_files.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.plugin_utils.controller_files import StackFilesAction

# The states that send a template; absent and adopted read none (adopted takes it from adopt_data).
READING_STATES = ('present', 'suspended')


class ActionModule(StackFilesAction):

    def reads_files(self, args):
        return (args.get('state') or 'present') in READING_STATES

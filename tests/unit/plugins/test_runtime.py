# -*- coding: utf-8 -*-
"""meta/runtime.yml's action group lists exactly the modules the collection has."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

import yaml

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


def test_the_heat_action_group_lists_every_module_and_nothing_else():
    with open(os.path.join(REPO_ROOT, 'meta', 'runtime.yml')) as handle:
        runtime = yaml.safe_load(handle)
    modules = sorted(name[:-3] for name in os.listdir(os.path.join(REPO_ROOT, 'plugins', 'modules'))
                     if name.endswith('.py') and not name.startswith('_'))
    assert len(modules) >= 11
    assert sorted(runtime['action_groups']['heat']) == modules

# -*- coding: utf-8 -*-
"""Every failure carries an ``error.kind``, and every kind is in the README's failures table."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat import documents, environments, plans, protection

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))


def _kinds(cls):
    found = {cls.kind}
    for sub in cls.__subclasses__():
        found |= _kinds(sub)
    return found


def _readme_failures_table():
    with open(os.path.join(REPO_ROOT, 'README.md')) as handle:
        text = handle.read()
    section = text.split('## How failures are reported', 1)[1].split('\n## ', 1)[0]
    rows = [line for line in section.splitlines() if line.startswith('| `')]
    return set(kind for row in rows for kind in re.findall(r'`(\w+)`', row.split('|')[1]))


def test_every_error_kind_is_in_the_readme_failures_table():
    kinds = _kinds(errors.HeatRpcError)
    # The error classes defined outside errors.py are found too (their modules are imported above).
    assert {documents.TemplateError.kind, environments.MergeError.kind, protection.ProtectedResourceError.kind,
            plans.PlanChangedError.kind} <= kinds
    assert {'wait_timeout', 'stack_failed', 'template_error', 'configuration', 'outcome_unknown'} <= kinds
    assert sorted(kinds ^ _readme_failures_table()) == []


def test_modules_fail_only_through_typed_errors():
    """A module that called fail_json itself would fail without error.kind."""
    modules_dir = os.path.join(REPO_ROOT, 'plugins', 'modules')
    calls = []
    for name in sorted(os.listdir(modules_dir)):
        with open(os.path.join(modules_dir, name)) as handle:
            calls += ['%s:%d' % (name, number) for number, line in enumerate(handle, 1) if 'fail_json(' in line]
    assert calls == []

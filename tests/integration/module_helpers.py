# -*- coding: utf-8 -*-
"""Small helpers shared by the test_module_* playbook tests."""

from conftest import engine_environment, run_playbook


def task(module, _title, **args):
    """One playbook task calling ``heat_rpc.engine.<module>`` with ``args``."""
    return {'name': _title, 'heat_rpc.engine.' + module: args}


def play(tmp_path, label, tasks, testbed, check=False, diff=False):
    """Run ``tasks`` in their own directory under ``tmp_path`` (several runs per test) against ``testbed``."""
    where = tmp_path / label
    where.mkdir()
    return run_playbook(where, tasks, env=engine_environment(testbed), check=check, diff=diff)

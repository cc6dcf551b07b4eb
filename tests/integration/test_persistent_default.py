# -*- coding: utf-8 -*-
"""The persistent helper as the default (issue #24), against the real engine through ansible-playbook: a play that
sets nothing goes through one helper; a host where the helper cannot run connects quietly unless persistent: true
asked for it; become gives each user a helper of its own, never shared. Each test has its own helper directories
(short paths in /tmp) and ends their helpers."""

import os
import shutil
import tempfile

import pytest

from conftest import run_playbook
from helper_processes import FALLBACK_WARNING, end_helpers, helper_pids, process_state, socket_inodes_bound_in


@pytest.fixture
def helper_dirs():
    """A factory of helper directories (not yet created, under a short private parent); their helpers end with the test."""
    parent = tempfile.mkdtemp(prefix='hrpc-d-')
    os.chmod(parent, 0o1777)  # as /tmp: a become user may create its own directory in it
    made = []

    def factory(name):
        made.append(os.path.join(parent, name))
        return made[-1]

    yield factory
    for directory in made:
        end_helpers(directory)
    shutil.rmtree(parent, ignore_errors=True)


def warnings_of(run):
    return [warning for result in run.results.values() for warning in result.get('warnings', [])]


def process_uid(pid):
    with open('/proc/%d/status' % pid) as handle:
        return [int(line.split()[1]) for line in handle if line.startswith('Uid:')][0]


def test_a_play_that_sets_nothing_goes_through_one_helper(tmp_path, env, helper_dirs):
    directory = helper_dirs('default')
    assert 'HEAT_RPC_PERSISTENT' not in env
    run = run_playbook(tmp_path, [
        {'name': 'engine', 'heat_rpc.engine.heat_engine_info': {}},
        {'name': 'stacks', 'heat_rpc.engine.heat_stack_info': {}},
        {'name': 'engine again', 'heat_rpc.engine.heat_engine_info': {}},
    ], env=dict(env, HEAT_RPC_PERSISTENT_DIR=directory))
    assert run.returncode == 0, run.output
    assert not any(result.get('failed') for result in run.results.values()), run.results
    assert warnings_of(run) == []
    # One helper served the three tasks, and it is still there for the next play.
    [helper] = helper_pids(directory)
    assert process_state(helper) not in (None, 'Z')


def test_module_runs_keep_their_compiled_code_and_the_next_play_reads_it(tmp_path, env, helper_dirs):
    directory = helper_dirs('code')
    code = os.path.join(directory, 'code')
    tasks = [{'name': 'engine', 'heat_rpc.engine.heat_engine_info': {}},
             {'name': 'stacks', 'heat_rpc.engine.heat_stack_info': {}}]
    first = run_playbook(tmp_path, tasks, env=dict(env, HEAT_RPC_PERSISTENT_DIR=directory))
    assert first.returncode == 0, first.output
    kept = sorted(os.listdir(code))
    # The runner, client, settings, ... of both modules: their shared code once.
    assert len(kept) > 15 and all(name.endswith('.code') for name in kept)
    assert oct(os.stat(code).st_mode & 0o777) == oct(0o700)
    written = dict((name, os.stat(os.path.join(code, name)).st_mtime_ns) for name in kept)
    second = run_playbook(tmp_path, tasks, env=dict(env, HEAT_RPC_PERSISTENT_DIR=directory))
    assert second.returncode == 0, second.output
    # Read, not written again, and the tasks' results the same.
    assert dict((name, os.stat(os.path.join(code, name)).st_mtime_ns) for name in os.listdir(code)) == written
    assert second.results['engine']['revision'] == first.results['engine']['revision']
    assert second.results['stacks']['stacks'] == first.results['stacks']['stacks']


# (persistent, whether a task that cannot use the helper warns): not set is quiet, asked for is told.
UNUSABLE_DIRECTORY = [
    (None, False),
    (True, True),
]


@pytest.mark.parametrize('persistent, warned', UNUSABLE_DIRECTORY, ids=['not set', 'true'])
def test_a_home_where_no_helper_directory_can_be_made_connects_the_run_itself(tmp_path, env, persistent, warned):
    # As a HOME that cannot be written: the helper's directory under it cannot be created.
    home = tmp_path / 'home'
    home.write_text('a file, not a directory\n')
    directory = str(home / '.ansible' / 'heat_rpc')
    options = {} if persistent is None else {'persistent': persistent}
    run = run_playbook(tmp_path / 'run', [
        {'name': 'stacks', 'heat_rpc.engine.heat_stack_info': options},
        {'name': 'engine', 'heat_rpc.engine.heat_engine_info': options},
    ], env=dict(env, HEAT_RPC_PERSISTENT_DIR=directory))
    assert run.returncode == 0, run.output
    assert not any(result.get('failed') for result in run.results.values()), run.results
    expected = FALLBACK_WARNING + 'persistent_dir %s cannot be used: Not a directory' % directory
    assert warnings_of(run) == [expected, expected][:2 * warned]
    assert not os.path.exists(directory)


def test_become_gives_each_user_a_helper_of_its_own(tmp_path, env, unprivileged_target, helper_dirs):
    """A helper per uid: the user's runs start one as the user; root's runs never use it, nor it root's."""
    target = unprivileged_target
    users_dir, roots_dir = helper_dirs('user'), helper_dirs('root')
    tasks = [
        {'name': 'as the user', 'heat_rpc.engine.heat_engine_info': {'persistent_dir': users_dir}},
        {'name': 'as root', 'heat_rpc.engine.heat_engine_info': {'persistent_dir': roots_dir}, 'become': False},
        # Root, told the user's directory: it belongs to another user, so root connects itself (quietly).
        {'name': 'as root in the user\'s directory', 'heat_rpc.engine.heat_engine_info': {'persistent_dir': users_dir},
         'become': False},
        {'name': 'as the user again', 'heat_rpc.engine.heat_engine_info': {'persistent_dir': users_dir}},
    ]
    run = run_playbook(tmp_path, env=env, **target.playbook_args(tasks))
    assert set(run.results) == set(task['name'] for task in tasks), run.output[-3000:]
    assert not any(result.get('failed') for result in run.results.values()), run.results
    assert warnings_of(run) == []
    [users_helper] = helper_pids(users_dir)
    [roots_helper] = helper_pids(roots_dir)
    assert (process_uid(users_helper), process_uid(roots_helper)) == (target.uid, 0)
    assert os.stat(users_dir).st_uid == target.uid and os.stat(roots_dir).st_uid == 0
    # One socket each: root's run in the user's directory bound nothing there.
    assert (len(socket_inodes_bound_in(users_dir)), len(socket_inodes_bound_in(roots_dir))) == (1, 1)

# -*- coding: utf-8 -*-
"""examples/stack_lifecycle.yml, the playbook examples/demo.sh runs, step by step against the test bed.

This is also the module smoke run CI repeats on the newest ansible-core (.ci/run): create, re-apply,
check-mode preview with --diff, update and delete of a stack with a nested template, each through
ansible-playbook, with the recap figures asserted.
"""

from conftest import run_example_playbook


def run_lifecycle(tmp_path, env, *args):
    """ansible-playbook examples/stack_lifecycle.yml ARGS, as examples/demo.sh runs it."""
    return run_example_playbook(tmp_path, env, 'stack_lifecycle.yml', *args)


def recap(run):
    return dict((key, run.stats.get(key)) for key in ('ok', 'changed', 'failed', 'skipped'))


def test_demo_playbook_create_reapply_preview_update_delete(tmp_path, env, service, stack_name):
    name = ['-e', 'demo_stack_name=%s' % stack_name]

    created = run_lifecycle(tmp_path, env, *name)
    assert created.returncode == 0, created.output
    assert recap(created) == {'ok': 2, 'changed': 1, 'failed': 0, 'skipped': 1}
    assert 'CREATE_COMPLETE: hello from a nested stack (token ' in created.output
    stored = service.find(stack_name)
    assert stored['stack_status'] == 'COMPLETE'

    again = run_lifecycle(tmp_path, env, *name)
    assert again.returncode == 0, again.output
    assert recap(again) == {'ok': 2, 'changed': 0, 'failed': 0, 'skipped': 1}
    assert service.find(stack_name)['updated_time'] is None  # no update was sent

    preview = run_lifecycle(tmp_path, env, *name, '--check', '--diff', '-e', 'demo_greeting=bonjour')
    assert preview.returncode == 0, preview.output
    assert recap(preview) == {'ok': 2, 'changed': 1, 'failed': 0, 'skipped': 1}
    assert '-            "greeting": "hello"\n+            "greeting": "bonjour"' in preview.output
    # Nested stacks' resources are named by path (parent/child).
    assert "resources that would be updated: ['message', 'message/text']" in preview.output
    assert service.find(stack_name)['updated_time'] is None  # check mode wrote nothing

    updated = run_lifecycle(tmp_path, env, *name, '-e', 'demo_greeting=bonjour')
    assert updated.returncode == 0, updated.output
    assert recap(updated) == {'ok': 2, 'changed': 1, 'failed': 0, 'skipped': 1}
    assert 'UPDATE_COMPLETE: bonjour from a nested stack (token ' in updated.output

    deleted = run_lifecycle(tmp_path, env, *name, '-e', 'demo_state=absent')
    assert deleted.returncode == 0, deleted.output
    assert recap(deleted) == {'ok': 1, 'changed': 1, 'failed': 0, 'skipped': 2}
    assert service.find(stack_name) is None

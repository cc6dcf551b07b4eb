# -*- coding: utf-8 -*-
"""heat_stack_hook, and heat_stack's breakpoints and until_hook, through ansible-playbook against the real engine.

One stack does it all: created paused on pre-create hooks (a top-level resource and a member of a
nested group), listed, waited for, cleared in check mode and for real (twice: the second is no change),
then updated with pre-update breakpoints (applied again while paused: reported, nothing sent), released
until UPDATE_COMPLETE, re-applied with and without
breakpoints (no update either way), and a failing update is judged a failure with until_hook.
"""

from module_helpers import play, task

TEMPLATE = {
    'heat_template_version': '2018-08-31',
    'parameters': {'value': {'type': 'string', 'default': 'v1'}, 'web_fails': {'type': 'boolean', 'default': False}},
    'resources': {
        'web': {'type': 'OS::Heat::TestResource', 'properties': {'value': {'get_param': 'value'},
                                                                 'fail': {'get_param': 'web_fails'}}},
        'group': {'type': 'OS::Heat::ResourceGroup', 'properties': {'count': 2, 'resource_def': {
            'type': 'OS::Heat::TestResource', 'properties': {'value': {'get_param': 'value'}}}}},
    },
}


def stack_task(title, name, **args):
    return task('heat_stack', title, name=name, template_body=TEMPLATE, **args)


def hook_task(title, name, **args):
    return task('heat_stack_hook', title, stack=name, **args)


def paths(result):
    return sorted(hook['path'] for hook in result['hooks'])


def test_hooks_list_wait_clear_and_heat_stack_breakpoints(tmp_path, heat_testbed, service, stack_name):
    name = stack_name
    tasks = [
        stack_task('create paused', name, breakpoints={'pre_create': ['web', 'group/1']}, until_hook=True),
        hook_task('wait for the member', name, action='wait', resources=['group/1'], wait_timeout=120),
        hook_task('wait for web', name, action='wait', resources=['web'], wait_timeout=120),
        hook_task('list all', name),
        hook_task('list updates only', name, hook='pre-update'),
        dict(hook_task('dry clear', name, action='clear', resources=['group/*']), check_mode=True),
        hook_task('list members after the dry clear', name, resources=['group/*']),
        hook_task('clear members', name, action='clear', resources=['group/*'], hook='pre-create'),
        hook_task('clear members again', name, action='clear', resources=['group/*']),
        hook_task('clear web', name, action='clear', resources=['w?b']),
        hook_task('wait for the end', name, action='wait', wait_timeout=120),
        hook_task('clear after the end', name, action='clear', resources=['*']),
        stack_task('breakpoints on a matching stack', name, breakpoints={'pre_update': ['group/*']}),
        stack_task('update paused', name, parameters={'value': 'v2'}, breakpoints={'pre_update': ['group/*']},
                   until_hook=True),
        stack_task('applied again while paused', name, parameters={'value': 'v2'},
                   breakpoints={'pre_update': ['group/*']}, until_hook=True),
    ]
    release = len(tasks)
    tasks += [
        dict(hook_task('release until complete', name, action='clear', resources=['group/*']),
             until="task_%d.stack.status == 'UPDATE_COMPLETE'" % release, retries=60, delay=1),
        stack_task('re-applied without breakpoints', name, parameters={'value': 'v2'}),
        stack_task('failing update', name, parameters={'value': 'v2', 'web_fails': True}, until_hook=True,
                   rollback=False),
        hook_task('wait on the failed stack', name, action='wait'),
        hook_task('missing stack', 'no-such-' + name),
        hook_task('empty pattern', name, resources=['//']),
        stack_task('until_hook without wait', name, until_hook=True, wait=False),
    ]
    run = play(tmp_path, 'run', tasks, heat_testbed)
    results = run.results

    created = results['create paused']
    assert created['changed'] is True and created['stack']['status'] == 'CREATE_IN_PROGRESS', created
    assert created['hooks'] and set(paths(created)) <= {'web', 'group/1'}
    assert paths(results['wait for the member']) == ['group/1']
    assert paths(results['wait for web']) == ['web']
    listed = results['list all']
    assert paths(listed) == ['group/1', 'web'] and listed['changed'] is False
    member = [hook for hook in listed['hooks'] if hook['path'] == 'group/1'][0]
    web = [hook for hook in listed['hooks'] if hook['path'] == 'web'][0]
    assert (member['resource'], member['hook'], member['action']) == ('1', 'pre-create', 'CREATE')
    assert member['stack_name'].startswith(name + '-group-') and member['stack_id'] != created['stack']['id']
    assert web['stack_name'] == name and web['resource_type'] == 'OS::Heat::TestResource'
    assert results['list updates only']['hooks'] == []

    dry = results['dry clear']
    assert dry['changed'] is True and [hook['path'] for hook in dry['cleared']] == ['group/1']
    assert paths(results['list members after the dry clear']) == ['group/1']  # check mode cleared nothing
    cleared = results['clear members']
    assert cleared['changed'] is True and [hook['path'] for hook in cleared['cleared']] == ['group/1']
    again = results['clear members again']
    assert again['changed'] is False and again['cleared'] == [] and again['hooks'] == []
    assert results['clear web']['changed'] is True
    end = results['wait for the end']
    assert end['hooks'] == [] and end['stack']['status'] == 'CREATE_COMPLETE' and end.get('failed') is not True
    assert results['clear after the end']['changed'] is False

    matching = results['breakpoints on a matching stack']
    assert matching['changed'] is False and matching['differences'] == []
    assert matching['stack']['updated_time'] is None  # no update was sent for the breakpoints alone
    paused = results['update paused']
    assert paused['changed'] is True and paused['stack']['status'] == 'UPDATE_IN_PROGRESS', paused
    assert paused['hooks'] and all(hook['path'] in ('group/0', 'group/1') and hook['hook'] == 'pre-update'
                                   for hook in paused['hooks'])
    again_paused = results['applied again while paused']
    assert again_paused['changed'] is False and again_paused['stack']['status'] == 'UPDATE_IN_PROGRESS', again_paused
    assert again_paused['hooks'] and 'differences' not in again_paused  # picked up where it stopped, sent nothing
    released = results['release until complete']
    assert released['stack']['status'] == 'UPDATE_COMPLETE' and released.get('failed') is not True, released
    reapplied = results['re-applied without breakpoints']
    assert reapplied['changed'] is False and reapplied['differences'] == [], reapplied

    failing = results['failing update']
    assert failing['failed'] is True and failing['error']['kind'] == 'stack_failed', failing
    assert 'UPDATE_FAILED' in failing['msg'] and failing['hooks'] == []
    waited = results['wait on the failed stack']
    assert waited['failed'] is True and waited['error']['kind'] == 'stack_failed'
    assert results['missing stack']['msg'] == "stack 'no-such-%s' not found" % name
    assert results['empty pattern']['error']['kind'] == 'configuration'
    assert results['empty pattern']['msg'].startswith("resources: '//' is not a resource pattern")
    assert results['until_hook without wait']['msg'] == 'until_hook needs wait: true (it says when a wait ends)'
    assert service.find(name)['stack_status'] == 'FAILED'

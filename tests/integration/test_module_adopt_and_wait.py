# -*- coding: utf-8 -*-
"""heat_stack state=adopted and heat_stack_wait through ansible-playbook against the real engine.

One play: abandon a stack, adopt its resources under a new name (same physical ids, the random string
kept), adopt again (no change), refuse other data on that name; then act on the adopted stack with
wait: false and let heat_stack_wait judge each end (an update, a failed update, a delete).
"""

from conftest import unique_name
from module_helpers import play, task

TEMPLATE = {
    'heat_template_version': '2018-08-31',
    'resources': {
        'none': {'type': 'OS::Heat::None'},
        'word': {'type': 'OS::Heat::RandomString', 'properties': {'length': 12}},
    },
    'outputs': {
        'word': {'value': {'get_attr': ['word', 'value']}},
        'none_id': {'value': {'get_resource': 'none'}},
    },
}
GROWN = dict(TEMPLATE, resources=dict(TEMPLATE['resources'], extra={'type': 'OS::Heat::None'}))
# A TestResource with fail: true fails its create, so the update that adds it ends UPDATE_FAILED.
BROKEN = dict(GROWN, resources=dict(GROWN['resources'], broken={
    'type': 'OS::Heat::TestResource', 'properties': {'value': 'x', 'fail': True}}))


def physical_ids(client, identity):
    return dict((item['resource_name'], item['physical_resource_id'])
                for item in client.list_stack_resources(None, identity))


def test_abandon_adopt_round_trip_then_wait_without_acting(tmp_path, heat_testbed, client, service, make_stack,
                                                           stack_name):
    original = make_stack(TEMPLATE, name=unique_name('orig'))
    before = service.show(original)
    kept_ids = physical_ids(client, original)
    assert sorted(kept_ids) == ['none', 'word'] and all(kept_ids.values())
    new = stack_name

    run = play(tmp_path, 'adopt', [
        task('heat_stack_action', 'abandon', stack=original['stack_name'], action='abandon'),
        task('heat_stack', 'data without resources', name=new, state='adopted',
             adopt_data={'template': TEMPLATE}),
        task('heat_stack', 'template with adopt', name=new, state='adopted', adopt_data='{{ task_0.data }}',
             template_body=TEMPLATE),
        dict(task('heat_stack', 'dry adopt', name=new, state='adopted', adopt_data='{{ task_0.data }}'),
             check_mode=True, diff=True),
        task('heat_stack', 'adopt', name=new, state='adopted', adopt_data='{{ task_0.data | to_json }}'),
        task('heat_stack_info', 'adopted resources', name=new, include=['resources']),
        task('heat_stack', 'adopt again', name=new, state='adopted', adopt_data='{{ task_0.data }}'),
        task('heat_stack', 'other data', name=new, state='adopted',
             adopt_data="{{ task_0.data | combine({'resources': {'none': {'resource_id': 'not-ours'}}}, "
                        "recursive=true) }}"),
        # Acting without waiting, then waiting without acting.
        task('heat_stack', 'grow, no wait', name=new, template_body=GROWN, wait=False),
        task('heat_stack_wait', 'wait settled', stack=new),
        task('heat_stack_wait', 'wait for the update that ended', stack=new, state=['update_complete']),
        task('heat_stack', 'break, no wait', name=new, template_body=BROKEN, wait=False),
        task('heat_stack_wait', 'wait broken', stack=new, state='settled'),
        task('heat_stack_wait', 'wait for the failure', stack=new, state=['UPDATE_FAILED']),
        task('heat_stack_wait', 'bad target', stack=new, state=['UPDATE_IN_PROGRESS']),
        task('heat_stack', 'delete, no wait', name=new, state='absent', wait=False),
        task('heat_stack_wait', 'wait absent', stack=new, state='absent'),
        task('heat_stack_wait', 'wait for a missing stack', stack=new),
    ], heat_testbed, diff=False)
    results = run.results

    assert results['abandon']['changed'] is True, results['abandon']
    assert service.find(original['stack_name']) is None
    refused = results['data without resources']
    assert refused['failed'] is True and refused['error']['kind'] == 'configuration'
    assert refused['msg'] == 'adopt_data.resources must be a mapping, not missing'
    assert results['template with adopt']['msg'] == ('state=adopted takes the template, files and environment from '
                                                     'adopt_data; remove template_body')
    dry = results['dry adopt']
    assert dry['changed'] is True and dry['resource_changes']['added'] == ['none', 'word']
    assert dry['diff']['before'] == {} and dry['diff']['after']['template'] == TEMPLATE

    adopted = results['adopt']
    assert adopted.get('failed') is not True, adopted.get('msg')
    assert (adopted['changed'], adopted['stack']['status']) == (True, 'ADOPT_COMPLETE')
    # The same resources: physical ids and the random string's value are those of the abandoned stack.
    assert adopted['stack']['outputs'] == dict((out['output_key'], out['output_value']) for out in before['outputs'])
    assert dict((item['name'], item['physical_id']) for item in results['adopted resources']['stacks'][0]['resources']) \
        == kept_ids
    again = results['adopt again']
    assert (again['changed'], again['stack']['id']) == (False, adopted['stack']['id'])
    other = results['other data']
    assert other['failed'] is True and other['error']['kind'] == 'conflict'
    assert 'does not hold the resources of adopt_data: none (%s here, not-ours in adopt_data)' % kept_ids['none'] \
        in other['msg']

    assert results['grow, no wait']['changed'] is True
    settled = results['wait settled']
    assert (settled['changed'], settled['stack']['status']) == (False, 'UPDATE_COMPLETE')
    assert settled['stack']['outputs']['word'] == adopted['stack']['outputs']['word']
    assert results['wait for the update that ended']['stack']['status'] == 'UPDATE_COMPLETE'

    broken = results['wait broken']
    assert broken['failed'] is True and broken['changed'] is False
    assert broken['stack']['status'] == 'UPDATE_FAILED'
    assert [item['name'] for item in broken['failed_resources']] == ['broken']
    assert any(event['resource_name'] == 'broken' for event in broken['events'])
    assert results['wait for the failure'].get('failed') is not True
    assert results['wait for the failure']['stack']['status'] == 'UPDATE_FAILED'
    assert results['bad target']['error']['kind'] == 'configuration'

    assert results['delete, no wait']['changed'] is True
    gone = results['wait absent']
    assert (bool(gone.get('failed')), gone['changed'], gone['stack']) == (False, False, None)
    missing = results['wait for a missing stack']
    assert missing['failed'] is True and missing['error']['kind'] == 'not_found'
    assert service.find(new) is None

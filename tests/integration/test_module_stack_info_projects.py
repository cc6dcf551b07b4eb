# -*- coding: utf-8 -*-
"""heat_stack_info across projects through ansible-playbook: all_projects, filter_project_id, is_admin."""

import uuid

from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import RequestContext
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import StackService
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import wait_for_stack

from conftest import STACK_WAIT, settings_for, unique_name
from module_helpers import play, task

NONE = {'heat_template_version': '2018-08-31', 'resources': {'none': {'type': 'OS::Heat::None'}}}


def delete_in_project(testbed, project_id, name):
    """Delete ``name`` in ``project_id`` if it is there (cleanup, whatever the play did)."""
    context = dict((key, value) for key, value in testbed['context'].items() if key in RequestContext.FIELDS)
    context['project_id'] = project_id
    with EngineClient(settings_for(testbed, context=RequestContext(**context))) as client:
        service = StackService(client)
        raw = service.find(name)
        if raw is not None:
            client.delete_stack(None, raw['stack_identity'])
            wait_for_stack(service, raw['stack_identity'], STACK_WAIT, actions=('DELETE',))


def test_listing_across_projects_and_by_project(tmp_path, heat_testbed):
    ours = heat_testbed['context']['project_id']
    theirs = uuid.uuid4().hex
    mine, other = unique_name('mine'), unique_name('other')
    names = {'name': [mine, other]}

    def info(title, **options):
        return task('heat_stack_info', title, filters=names, sort_keys=['name'], **options)

    try:
        run = play(tmp_path, 'projects', [
            task('heat_stack', 'create ours', name=mine, template_body=NONE),
            task('heat_stack', 'create theirs', name=other, template_body=NONE, project_id=theirs),
            info('own project'),
            info('their project', project_id=theirs),
            info('all projects', all_projects=True),
            info('filtered to theirs', all_projects=True, filter_project_id=[theirs]),
            info('count theirs', all_projects=True, filter_project_id=[theirs], count_only=True),
            info('filter without all_projects', filter_project_id=[theirs]),
            info('admin context', is_admin=True),
        ], heat_testbed)
        results = run.results
        assert results['create ours']['stack']['project_id'] == ours, results['create ours']
        assert results['create theirs']['stack']['project_id'] == theirs, results['create theirs']

        def listed(title):
            return [(stack['name'], stack['project_id']) for stack in results[title]['stacks']]

        # Names sort mine- before other-.
        assert listed('own project') == [(mine, ours)]
        assert listed('their project') == [(other, theirs)]
        assert listed('all projects') == [(mine, ours), (other, theirs)]
        assert listed('filtered to theirs') == [(other, theirs)]
        assert results['count theirs']['count'] == 1
        refused = results['filter without all_projects']
        assert refused['failed'] is True and refused['error']['kind'] == 'configuration'
        assert refused['msg'].startswith('filter_project_id needs all_projects: true')
        # What the docs say: an admin request context is not scoped to its project by the engine.
        assert listed('admin context') == [(mine, ours), (other, theirs)]
    finally:
        delete_in_project(heat_testbed, ours, mine)
        delete_in_project(heat_testbed, theirs, other)

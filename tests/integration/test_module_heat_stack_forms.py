# -*- coding: utf-8 -*-
"""heat_stack's re-apply matrix: every template form real users write, against the real engine.

Each form goes create -> re-apply unchanged (changed false, no new event, updated_time kept) -> one
change (changed true) -> re-apply (changed false). All forms run side by side in one playbook per step.
"""

import functools
import http.server
import json
import shutil
import threading

import pytest
import yaml

from conftest import run_playbook, unique_name

HOT = '2018-08-31'


def value_template(value, **extra):
    template = {'heat_template_version': HOT,
                'resources': {'v': {'type': 'OS::Heat::Value', 'properties': {'value': value}}},
                'outputs': {'out': {'value': {'get_attr': ['v', 'value']}}}}
    template.update(extra)
    return template


def write(path, document):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document if isinstance(document, str) else yaml.safe_dump(document))


class Form:
    """One template form: how to lay its files out, its task options, and the one change to make."""

    def __init__(self, name, lay_out, options, change):
        self.name = name
        self.lay_out = lay_out
        self.options = options
        self.change = change


def nested_by_relative_path(root):
    write(root / 'child.yaml', value_template('one'))
    write(root / 'main.yaml', {'heat_template_version': HOT, 'resources': {'c': {'type': 'child.yaml'}}})


def nested_two_levels(root):
    write(root / 'lib' / 'grand.yaml', value_template({'get_file': 'data/text.txt'}))
    write(root / 'lib' / 'data' / 'text.txt', 'first text')
    write(root / 'lib' / 'child.yaml', {'heat_template_version': HOT, 'resources': {'g': {'type': 'grand.yaml'}}})
    write(root / 'main.yaml', {'heat_template_version': HOT, 'resources': {'c': {'type': 'lib/child.yaml'}}})


def nested_through_registry(root):
    write(root / 'lib' / 'child.yaml', value_template({'get_param': 'word'},
                                                      parameters={'word': {'type': 'string'}}))
    write(root / 'env.yaml', {'resource_registry': {'My::Child': 'lib/child.yaml'}})
    write(root / 'main.yaml', {'heat_template_version': HOT, 'parameters': {'word': {'type': 'string'}},
                               'resources': {'c': {'type': 'My::Child', 'properties': {
                                   'word': {'get_param': 'word'}}}}})


def group_of_nested(root):
    write(root / 'member.yaml', value_template({'get_param': 'index'}, parameters={'index': {'type': 'number'}}))
    write(root / 'main.yaml', {'heat_template_version': HOT, 'parameters': {'count': {'type': 'number'}},
                               'resources': {'group': {'type': 'OS::Heat::ResourceGroup', 'properties': {
                                   'count': {'get_param': 'count'},
                                   'resource_def': {'type': 'member.yaml',
                                                    'properties': {'index': '%index%'}}}}}})


def json_template(root):
    write(root / 'child.yaml', value_template('json child'))
    (root / 'main.json').write_text(json.dumps({'heat_template_version': HOT,
                                                'resources': {'c': {'type': 'child.yaml'}}}, indent=1))


def with_conditions(root):
    write(root / 'main.yaml', {
        'heat_template_version': HOT,
        'parameters': {'env_type': {'type': 'string', 'default': 'test'}},
        'conditions': {'is_prod': {'equals': [{'get_param': 'env_type'}, 'prod']}},
        'resources': {'always': {'type': 'OS::Heat::None'},
                      'prod_only': {'type': 'OS::Heat::None', 'condition': 'is_prod'}}})


def merge_strategies(root):
    write(root / 'main.yaml', {'heat_template_version': HOT,
                               'parameters': {'items': {'type': 'comma_delimited_list'},
                                              'settings': {'type': 'json'}},
                               'resources': {'v': {'type': 'OS::Heat::Value', 'properties': {
                                   'value': {'list_join': [',', {'get_param': 'items'}]}}}}})
    write(root / 'base.yaml', {'parameter_defaults': {'items': ['a'], 'settings': {'x': {'deep': 1}}},
                               'parameter_merge_strategies': {'items': 'merge', 'settings': 'deep_merge'}})
    write(root / 'extra.yaml', {'parameter_defaults': {'items': ['b'], 'settings': {'x': {'more': 2}}}})


def plain(root):
    write(root / 'main.yaml', {'heat_template_version': HOT,
                               'parameters': {'secret': {'type': 'string', 'hidden': True}},
                               'resources': {'n': {'type': 'OS::Heat::None'}}})


FORMS = [
    Form('nested type by relative path', nested_by_relative_path, {'template': 'main.yaml'},
         lambda root: write(root / 'child.yaml', value_template('two'))),
    Form('nested two levels with get_file', nested_two_levels, {'template': 'main.yaml'},
         lambda root: write(root / 'lib' / 'data' / 'text.txt', 'second text')),
    Form('nested through an environment registry', nested_through_registry,
         {'template': 'main.yaml', 'environment': ['env.yaml'], 'parameters': {'word': 'one'}},
         {'parameters': {'word': 'two'}}),
    Form('ResourceGroup of a nested template', group_of_nested,
         {'template': 'main.yaml', 'parameters': {'count': 2}}, {'parameters': {'count': 3}}),
    Form('JSON template', json_template, {'template': 'main.json'},
         lambda root: write(root / 'child.yaml', value_template('json child two'))),
    Form('template with conditions', with_conditions, {'template': 'main.yaml'},
         {'parameters': {'env_type': 'prod'}}),
    Form('environment files with merge strategies', merge_strategies,
         {'template': 'main.yaml', 'environment': ['base.yaml', 'extra.yaml']},
         lambda root: write(root / 'extra.yaml', {'parameter_defaults': {'items': ['c']}})),
    Form('tags', plain, {'template': 'main.yaml', 'tags': ['a'], 'parameters': {'secret': 's1'}}, {'tags': ['a', 'b']}),
    Form('timeout and rollback', plain, {'template': 'main.yaml', 'timeout': 10, 'rollback': False,
                                         'parameters': {'secret': 's1'}}, {'timeout': 11, 'rollback': True}),
    Form('hidden parameter (converge pushes a new value)', plain,
         {'template': 'main.yaml', 'parameters': {'secret': 's1'}},
         {'parameters': {'secret': 's2'}, 'converge': True}),
]


def task(form, name, root, extra=None):
    options = dict(form.options)
    for key in ('template',):
        options[key] = str(root / options[key])
    if 'environment' in options:
        options['environment'] = [str(root / entry) for entry in options['environment']]
    for key, value in (extra or {}).items():
        options[key] = dict(options.get(key) or {}, **value) if isinstance(value, dict) else value
    return {'name': form.name, 'heat_rpc.engine.heat_stack': dict(name=name, **options)}


def engine_view(client, service, name):
    raw = service.find(name, resolve_outputs=False)
    identity = raw['stack_identity']
    return {'state': '%s_%s' % (raw['stack_action'], raw['stack_status']), 'updated_time': raw['updated_time'],
            'events': len(client.list_events(None, identity))}


@pytest.fixture
def stack_names(service, client):
    names = dict((form.name, unique_name('form')) for form in FORMS)
    yield names
    for name in names.values():
        identity = service.identify(name)
        if identity is not None:
            client.delete_stack(None, identity)


def results_of(run):
    return [run.results[form.name] for form in FORMS]


def test_every_form_re_applies_unchanged_and_changes_once(tmp_path, env, client, service, stack_names):
    roots = dict((form.name, tmp_path / 'tree' / str(index)) for index, form in enumerate(FORMS))
    for form in FORMS:
        form.lay_out(roots[form.name])
    tasks = [task(form, stack_names[form.name], roots[form.name]) for form in FORMS]

    created = run_playbook(tmp_path / 'create', tasks, env=env)
    for form, result in zip(FORMS, results_of(created)):
        assert result['changed'] is True and not result.get('failed'), (form.name, result.get('msg'))
    before = dict((form.name, engine_view(client, service, stack_names[form.name])) for form in FORMS)

    again = run_playbook(tmp_path / 'again', tasks, env=env)
    for form, result in zip(FORMS, results_of(again)):
        assert (result['changed'], result.get('differences'), bool(result.get('failed'))) == (False, [], False), \
            (form.name, result.get('msg'), result.get('differences'))
        assert engine_view(client, service, stack_names[form.name]) == before[form.name], form.name

    # The whole tree copied elsewhere (another checkout, an AWX project sync) is the same definition.
    moved = tmp_path / 'moved'
    shutil.copytree(str(tmp_path / 'tree'), str(moved))
    moved_tasks = [task(form, stack_names[form.name], moved / str(index)) for index, form in enumerate(FORMS)]
    from_elsewhere = run_playbook(tmp_path / 'elsewhere', moved_tasks, env=env)
    for form, result in zip(FORMS, results_of(from_elsewhere)):
        assert (result['changed'], result.get('differences')) == (False, []), (form.name, result.get('msg'))

    changed_tasks = []
    for index, form in enumerate(FORMS):
        root = moved / str(index)
        if callable(form.change):
            form.change(root)
            changed_tasks.append(task(form, stack_names[form.name], root))
        else:
            changed_tasks.append(task(form, stack_names[form.name], root, form.change))
    changed = run_playbook(tmp_path / 'change', changed_tasks, env=env, diff=True)
    for form, result in zip(FORMS, results_of(changed)):
        assert result['changed'] is True and not result.get('failed'), (form.name, result.get('msg'))
        assert result['stack']['status'] == 'UPDATE_COMPLETE', form.name
    # Diff mode shows what changed inside a file, not only its name.
    deep_diff = changed.results['nested two levels with get_file']['diff']['prepared']
    assert '-first text' in deep_diff and '+second text' in deep_diff and 'lib/data/text.txt' in deep_diff
    settled = run_playbook(tmp_path / 'settled', changed_tasks, env=env)
    for form, result in zip(FORMS, results_of(settled)):
        expected_changed = 'converge' in (form.change if isinstance(form.change, dict) else {})
        assert result['changed'] is expected_changed and not result.get('failed'), (form.name, result.get('msg'))
        if not expected_changed:
            assert result['differences'] == [], form.name

    outputs = dict((form.name, result['stack'].get('outputs')) for form, result in zip(FORMS, results_of(changed)))
    assert outputs['environment files with merge strategies'] is not None
    merged = client.get_environment(None, service.identify(stack_names['environment files with merge strategies']))
    # The engine merged the files by their strategies: items merged, settings deep-merged.
    assert merged['parameter_defaults'] == {'items': ['a', 'c'], 'settings': {'x': {'deep': 1}}}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_template_url_over_http_with_a_nested_template(tmp_path, env, client, service, stack_name):
    nested_two_levels(tmp_path / 'site')
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                             functools.partial(QuietHandler, directory=str(tmp_path / 'site')))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = 'http://127.0.0.1:%d/main.yaml' % server.server_address[1]
        apply = [{'name': 'stack', 'heat_rpc.engine.heat_stack': {'name': stack_name, 'template_url': url}}]
        created = run_playbook(tmp_path / 'create', apply, env=env).results['stack']
        assert created['changed'] is True and not created.get('failed'), created.get('msg')
        files = client.get_files(None, service.identify(stack_name))
        assert sorted(files) == ['lib/child.yaml', 'lib/data/text.txt', 'lib/grand.yaml']
        again = run_playbook(tmp_path / 'again', apply, env=env).results['stack']
        assert (again['changed'], again['differences']) == (False, [])
        write(tmp_path / 'site' / 'lib' / 'data' / 'text.txt', 'changed over http')
        changed = run_playbook(tmp_path / 'change', apply, env=env).results['stack']
        assert changed['changed'] is True and changed['differences'] == ['files']
        assert changed['resource_changes']['updated'] == ['c', 'c/g', 'c/g/v']
    finally:
        server.shutdown()


def test_stack_created_with_absolute_keys_re_applies_unchanged_and_updates_in_place(
        tmp_path, env, client, service, stack_name):
    """Stacks created by 0.1.0 keyed files by absolute file:// URLs; the same content is the same stack."""
    nested_two_levels(tmp_path)
    base = 'file://%s/' % tmp_path
    child = {'heat_template_version': HOT, 'resources': {'g': {'type': base + 'lib/grand.yaml'}}}
    grand = value_template({'get_file': base + 'lib/data/text.txt'})
    template = {'heat_template_version': HOT, 'resources': {'c': {'type': base + 'lib/child.yaml'}}}
    files = {base + 'lib/child.yaml': json.dumps(child), base + 'lib/grand.yaml': json.dumps(grand),
             base + 'lib/data/text.txt': 'first text'}
    environment = {'parameters': {}, 'parameter_defaults': {}, 'resource_registry': {}, 'event_sinks': [],
                   'encrypted_param_names': [], 'parameter_merge_strategies': {}}
    client.create_stack(None, stack_name, template, environment, files, {})
    run_playbook(tmp_path / 'wait', [{'name': 'wait', 'heat_rpc.engine.heat_stack': {
        'name': stack_name, 'state': 'present', 'existing': True}}], env=env)
    before = engine_view(client, service, stack_name)
    nested_id = client.describe_stack_resource(None, service.identify(stack_name), 'c')['physical_resource_id']

    apply = [{'name': 'stack', 'heat_rpc.engine.heat_stack': {'name': stack_name,
                                                              'template': str(tmp_path / 'main.yaml')}}]
    again = run_playbook(tmp_path / 'again', apply, env=env).results['stack']
    assert (again['changed'], again['differences'], bool(again.get('failed'))) == (False, [], False), again.get('msg')
    assert engine_view(client, service, stack_name) == before

    write(tmp_path / 'lib' / 'data' / 'text.txt', 'second text')
    changed = run_playbook(tmp_path / 'change', apply, env=env).results['stack']
    assert changed['changed'] is True and changed['stack']['status'] == 'UPDATE_COMPLETE', changed.get('msg')
    # The new relative keys update the nested stack in place: it is not replaced.
    assert client.describe_stack_resource(None, service.identify(stack_name), 'c')['physical_resource_id'] == nested_id
    assert sorted(client.get_files(None, service.identify(stack_name))) == [
        'lib/child.yaml', 'lib/data/text.txt', 'lib/grand.yaml']

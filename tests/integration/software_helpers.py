# -*- coding: utf-8 -*-
"""What the software integration tests share: a config definition written loosely, and task builders."""

from module_helpers import task

SCRIPT = '#!/bin/sh\necho "$version" > $heat_outputs_path.result\n'

# Written loosely on purpose: the engine stores type: String, converts the Number default to 5, drops the
# false replace_on_change and adds error_output: false; the second run must still be unchanged.
INPUTS = [
    {'name': 'version', 'description': 'what to install'},
    {'name': 'retries', 'type': 'Number', 'default': '5', 'replace_on_change': False},
    {'name': 'flags', 'type': 'CommaDelimitedList', 'default': 'a,b', 'replace_on_change': True},
]
OUTPUTS = [{'name': 'result'}, {'name': 'problem', 'error_output': True}]


def config_task(_title, **args):
    return task('heat_software_config', _title, **args)


def deployment_task(_title, **args):
    return task('heat_software_deployment', _title, **args)


def ids_named(client, name):
    return [item['id'] for item in client.list_software_configs(None, limit=1000) if item['name'] == name]

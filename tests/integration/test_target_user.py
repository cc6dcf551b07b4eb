# -*- coding: utf-8 -*-
"""The unprivileged_target fixture (target_user.py): tasks run as another local user, with its own python.

One playbook run checks against the machine that the become'd tasks run as that user, with the fixture's
interpreter (which imports oslo_messaging and yaml), that the user cannot read the test's directory where
the playbook lies, that the HEAT_RPC_* variables run_playbook passes reach the user's processes through
su, and that a module of the collection, given no connection options, talks to the test bed as that user.
"""

import base64
import hashlib
import json
import os
import re

import pytest

from conftest import run_playbook

pytestmark = [pytest.mark.engine, pytest.mark.playbook]

# Run as the user with the fixture's python: who runs it, where the requirements come from.
IMPORTS = '''
import json, os, pwd, sys
import oslo_messaging, yaml
print(json.dumps({"user": pwd.getpwuid(os.getuid()).pw_name, "prefix": sys.prefix,
                  "oslo_messaging": oslo_messaging.__file__, "yaml": yaml.__file__}))
'''
# The HEAT_RPC_* variables the user's process sees, as hashes (the values hold the test bed's password).
ENVIRONMENT = '''
import hashlib, json, os
print(json.dumps(dict((k, hashlib.sha256(v.encode()).hexdigest()) for k, v in os.environ.items()
                      if k.startswith("HEAT_RPC_"))))
'''


def exec_lines(output, python, module):
    """The -vvv EXEC lines where ``python`` runs ``module``'s AnsiballZ payload (not those that set its mode)."""
    return [line for line in output.splitlines()
            if line.startswith('<localhost> EXEC ') and re.search(r'%s \S*/AnsiballZ_%s\.py' % (re.escape(python), module), line)]


def test_tasks_run_as_an_unprivileged_user_with_its_own_python(tmp_path, env, unprivileged_target, session_helper_dir):
    target = unprivileged_target
    # The session's helper directory, as run_playbook passes it (root's: the user's module runs connect themselves).
    env = dict(env, HEAT_RPC_PERSISTENT_DIR=session_helper_dir)
    assert target.user != 'root' and target.uid != 0
    assert not target.python.startswith('/root/')
    venv = os.path.dirname(os.path.dirname(target.python))
    secret = tmp_path / 'controller-only.txt'
    secret.write_text('only the controller reads this\n')
    tasks = [
        {'name': 'who', 'ansible.builtin.command': 'id -un'},
        {'name': 'facts', 'ansible.builtin.setup': {
            'gather_subset': ['!all', 'min'], 'filter': ['ansible_user_id', 'ansible_user_uid', 'ansible_python']}},
        {'name': 'imports', 'ansible.builtin.command': {'argv': [target.python, '-c', IMPORTS]}},
        {'name': 'environment', 'ansible.builtin.command': {'argv': [target.python, '-c', ENVIRONMENT]}},
        {'name': 'cat as user', 'ansible.builtin.command': {'argv': ['cat', str(secret)]}},
        {'name': 'slurp as user', 'ansible.builtin.slurp': {'src': str(secret)}},
        {'name': 'slurp as root', 'ansible.builtin.slurp': {'src': str(secret)}, 'become': False},
        {'name': 'engine info', 'heat_rpc.engine.heat_engine_info': {'gather': ['revision', 'services']}},
    ]
    run = run_playbook(tmp_path, env=env, verbosity=3, **target.playbook_args(tasks))
    results = run.results
    assert set(results) == set(task['name'] for task in tasks), run.output[-3000:]

    # (a) every become'd task runs as the user, a module too, with the fixture's interpreter
    assert results['who']['stdout'] == target.user
    facts = results['facts']['ansible_facts']
    assert facts['ansible_user_id'] == target.user and facts['ansible_user_uid'] == target.uid
    assert facts['ansible_python']['executable'] == target.python

    # (b) that interpreter imports the modules' requirements, from its own virtualenv, as the user
    imports = json.loads(results['imports']['stdout'])
    assert imports['user'] == target.user and imports['prefix'] == venv
    assert imports['oslo_messaging'].startswith(venv + os.sep) and imports['yaml'].startswith(venv + os.sep)

    # (c) the user cannot read the directory the playbook lies in; root (no become) can
    assert (tmp_path / 'playbook.yml').exists()
    cat = results['cat as user']
    assert cat['failed'] and cat['rc'] != 0 and 'Permission denied' in cat['stderr'], cat
    assert results['slurp as user']['failed']
    assert results['slurp as user']['msg'] == 'File is not readable: %s' % secret
    assert base64.b64decode(results['slurp as root']['content']).decode() == secret.read_text()

    # (d) su keeps the environment: the HEAT_RPC_* variables run_playbook passes reach the user's processes ...
    seen = json.loads(results['environment']['stdout'])
    assert seen == dict((key, hashlib.sha256(value.encode()).hexdigest()) for key, value in env.items())
    # ... so a module of the collection, with no connection options, reaches the test bed as the user
    info = results['engine info']
    assert not info.get('failed'), info
    assert info['revision'] == 'unknown'
    assert any(s['binary'] == 'heat-engine' and s['status'] == 'up' for s in info['services'])
    su = re.compile(r"^<localhost> EXEC /bin/sh -c 'su +%s +-c " % re.escape(target.user))
    [line] = exec_lines(run.output, target.python, 'heat_engine_info')
    assert su.match(line), line
    # and the control: of the two slurps, the one without become ran as root
    assert sorted(bool(su.match(line)) for line in exec_lines(run.output, target.python, 'slurp')) == [False, True]

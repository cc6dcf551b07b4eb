# -*- coding: utf-8 -*-
"""Approved plans: one id over the stored stack, the definition asked for and the preview; what moved, by part."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.plans import (
    MOVED, Plan, PlanChangedError, check_plan_id, desired_state, refuse, summary,
)

KEY = b'key'
STACK = {'id': 's1', 'updated_time': 't1', 'template': {'a': 1}}
DEFINITION = {'state': 'present', 'template': {'a': 2}, 'environment': {'parameters': {'secret': 'hush'}}}
PREVIEW = {'replaced': ['db']}


def plan(key=KEY, **parts):
    """The plan of STACK, DEFINITION and PREVIEW, with the ``parts`` given (stack, definition, preview) instead."""
    return Plan(key, parts.get('stack', STACK), parts.get('definition', DEFINITION), parts.get('preview', PREVIEW))


@pytest.mark.parametrize('changed,moved', [
    ({}, []),
    ({'stack': dict(STACK, updated_time='t2')}, [MOVED['stack']]),
    ({'stack': None}, [MOVED['stack']]),
    ({'definition': dict(DEFINITION, template={'a': 3})}, [MOVED['definition']]),
    # A changed secret changes the plan.
    ({'definition': dict(DEFINITION, environment={'parameters': {'secret': 'other'}})}, [MOVED['definition']]),
    ({'preview': {'replaced': ['db', 'web']}}, [MOVED['preview']]),
    ({'stack': dict(STACK, id='s2'), 'preview': {}}, [MOVED['stack'], MOVED['preview']]),
])
def test_what_moved_is_told_part_by_part(changed, moved):
    approved = plan().id
    assert plan(**changed).moved_since(approved) == moved


def test_the_same_plan_has_the_same_id_whatever_the_order_of_keys():
    assert plan().id == plan(definition=dict(reversed(list(DEFINITION.items())))).id
    assert plan().id.startswith('hp1-') and len(plan().id) == 4 + 3 * 17 - 1


def test_the_id_is_keyed_and_shows_no_plain_hash_of_a_secret():
    """Without the key, a guess of the secret cannot be tested against the id."""
    import hashlib
    import json
    assert plan().id != plan(key=b'another key').id
    plain = hashlib.sha256(json.dumps(DEFINITION, sort_keys=True, separators=(',', ':')).encode()).hexdigest()[:16]
    assert plain not in plan().id and 'hush' not in plan().id


@pytest.mark.parametrize('value', ['', 'hp1-xyz', 'hp2-' + '0' * 16 + '-' + '0' * 16 + '-' + '0' * 16, None,
                                   'hp1-' + '0' * 16 + '-' + '0' * 16])
def test_a_value_that_is_not_a_plan_id_is_refused_naming_the_option(value):
    with pytest.raises(errors.ConfigurationError, match='^approved_plan: '):
        check_plan_id(value)
    with pytest.raises(errors.ConfigurationError, match='^approved_plan: '):
        plan().moved_since(value)


def test_a_refusal_is_typed_and_returns_both_plans():
    now = plan()
    with pytest.raises(PlanChangedError) as caught:
        refuse('web', [MOVED['stack']], 'hp1-old', now)
    assert caught.value.kind == 'plan_changed'
    assert 'the stack changed since the plan was made' in str(caught.value) and 'Nothing was sent' in str(caught.value)
    assert caught.value.result == {'plan': now.id, 'approved_plan': 'hp1-old'}


@pytest.mark.parametrize('args,words', [
    (('update', 'web', ['parameters'], {'added': [], 'updated': ['app'], 'replaced': ['db'], 'deleted': []}),
     'update stack web (parameters differ): updated app; replaced db'),
    (('create', 'web', None, {'added': ['a', 'b']}), 'create stack web: added a, b'),
    (('none', 'web', [], None), 'leave stack web as it is'),
    (('update', 'web', [], {'updated': []}), 'update stack web: no resource changes'),
    (('delete', 'web', None, None, [{'path': 'db', 'kept': True}, {'path': 'x', 'kept': False}]),
     'delete stack web: 1 resources removed, db kept by their deletion policy'),
])
def test_the_summary_says_the_plan_in_one_sentence(args, words):
    assert summary(*args) == words


def test_the_definition_of_a_delete_is_the_state_and_options_alone():
    assert desired_state('absent', None, {'existing': False}) == {'state': 'absent', 'options': {'existing': False}}

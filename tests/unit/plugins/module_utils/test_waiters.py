# -*- coding: utf-8 -*-
"""The polling helper, with a fake clock so the schedule itself is asserted."""

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils.waiters import Poller, WaitTimeout, stack_settled


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_polls_fast_first_then_backs_off_and_returns_the_settled_state():
    clock = FakeClock()
    states = iter(['a'] * 10 + ['done'])
    poller = Poller(60, clock=clock.clock, sleep=clock.sleep)
    assert poller.wait(lambda: next(states), lambda s: s == 'done') == 'done'
    assert clock.sleeps[0] == 0.05
    assert clock.sleeps[:3] == pytest.approx([0.05, 0.075, 0.1125])
    assert max(clock.sleeps) <= 2.0
    # The first second has several polls, so short operations are seen within ~0.2 s.
    assert sum(1 for s in clock.sleeps if s <= 0.2) >= 4


def test_never_sleeps_past_the_deadline_and_reports_the_last_state():
    clock = FakeClock()
    poller = Poller(3, clock=clock.clock, sleep=clock.sleep)
    with pytest.raises(WaitTimeout) as caught:
        poller.wait(lambda: 'IN_PROGRESS', lambda s: False, describe=lambda s: 'still ' + s)
    assert clock.now == pytest.approx(3.0)
    assert caught.value.last == 'IN_PROGRESS'
    assert 'still IN_PROGRESS' in str(caught.value)


@pytest.mark.parametrize('raw,actions,settled', [
    (None, None, True),
    ({'stack_action': 'CREATE', 'stack_status': 'IN_PROGRESS'}, None, False),
    ({'stack_action': 'CREATE', 'stack_status': 'COMPLETE'}, None, True),
    ({'stack_action': 'CREATE', 'stack_status': 'COMPLETE'}, ('UPDATE', 'ROLLBACK'), False),
    ({'stack_action': 'ROLLBACK', 'stack_status': 'COMPLETE'}, ('UPDATE', 'ROLLBACK'), True),
])
def test_stack_settled(raw, actions, settled):
    assert stack_settled(raw, actions) is settled

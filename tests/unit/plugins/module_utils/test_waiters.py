# -*- coding: utf-8 -*-
"""The polling helper, with a fake clock so the schedule itself is asserted."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import Poller, WaitTimeout, stack_settled


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
    assert clock.sleeps[:4] == pytest.approx([0.05, 0.075, 0.1125, 0.16875])
    # Within the first minute no gap is longer than 0.2 s: the end is noticed within ~0.2 s.
    assert max(clock.sleeps) == pytest.approx(0.2)


def test_a_long_wait_relaxes_to_one_poll_a_second():
    clock = FakeClock()
    poller = Poller(300, clock=clock.clock, sleep=clock.sleep)
    with pytest.raises(WaitTimeout):
        poller.wait(lambda: 'IN_PROGRESS', lambda s: False)
    early = [s for s, at in zip(clock.sleeps, _moments(clock.sleeps)) if at < 60]
    late = [s for s, at in zip(clock.sleeps, _moments(clock.sleeps)) if at > 70]
    assert max(early) == pytest.approx(0.2)
    assert min(late[:-1]) == pytest.approx(1.0) and max(late) <= 1.0  # the last one stops at the deadline
    assert len(clock.sleeps) < 60 / 0.2 + 240 + 10  # about 300 + 240 reads for 5 minutes


def _moments(sleeps):
    moments, now = [], 0.0
    for seconds in sleeps:
        moments.append(now)
        now += seconds
    return moments


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

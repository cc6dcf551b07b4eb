# -*- coding: utf-8 -*-
"""The wire between a run and its helper (``_rpc/persistent/wire.py``): frames, and typed errors in them."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import socket
import threading

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent import wire


# -- the wire ---------------------------------------------------------------------------------------------------------


WIRE_CLASSES = [cls for cls in vars(errors).values()
                if isinstance(cls, type) and issubclass(cls, errors.HeatRpcError)
                and not issubclass(cls, errors.FailureWithFacts)]


@pytest.mark.parametrize('cls', WIRE_CLASSES, ids=lambda cls: cls.__name__)
def test_every_call_error_crosses_the_wire_unchanged(cls):
    original = cls('the message', remote_name='Remote', details='Traceback ...', method='show_stack')
    back = wire.error_from_wire(json.loads(json.dumps(wire.error_to_wire(original))))
    assert back.__class__ is cls
    assert (back.message, back.remote_name, back.details, back.method, back.kind) == (
        'the message', 'Remote', 'Traceback ...', 'show_stack', original.kind)


@pytest.mark.parametrize('name', ['StackFailed', 'WaitTimeout', 'FailureWithFacts', 'ValueError', 'NoSuchClass', None,
                                  'errors'])
def test_a_class_that_no_call_raises_comes_back_as_the_base_error(name):
    back = wire.error_from_wire({'class': name, 'message': 'm', 'method': 'x'})
    assert back.__class__ is errors.HeatRpcError
    assert (back.message, back.method) == ('m', 'x')


def test_an_error_without_a_message_still_says_where_it_came_from():
    back = wire.error_from_wire({'class': 'EngineError', 'message': None})
    assert back.__class__ is errors.EngineError
    assert back.message == 'the persistent helper reported an error'


def test_frames_carry_json_and_a_closed_peer_between_frames_is_the_end():
    left, right = socket.socketpair()
    with left, right:
        big = {'template': 'x' * 3000000, 'nested': [1, {'a': None}]}
        sender = threading.Thread(target=wire.send_frame, args=(left, big))
        sender.start()
        assert wire.recv_frame(right) == big
        sender.join()
        left.close()
        assert wire.recv_frame(right) is None


def test_a_peer_closing_mid_frame_is_an_error_not_the_end():
    left, right = socket.socketpair()
    with left, right:
        left.sendall(wire.FRAME_HEADER.pack(100) + b'{"partial":')
        left.close()
        with pytest.raises(EOFError):
            wire.recv_frame(right)


def test_a_frame_over_the_limit_is_refused_before_reading_it():
    left, right = socket.socketpair()
    with left, right:
        left.sendall(wire.FRAME_HEADER.pack(wire.MAX_FRAME + 1))
        with pytest.raises(ValueError, match='over the limit'):
            wire.recv_frame(right)


def test_a_value_json_cannot_carry_is_refused_naming_its_type_and_nothing_is_sent():
    left, right = socket.socketpair()
    with left, right:
        with pytest.raises(errors.ConfigurationError, match='type set'):
            wire.send_frame(left, {'kwargs': {'tags': {'a', 'b'}}})
        right.setblocking(False)
        with pytest.raises(BlockingIOError):
            right.recv(1)

# -*- coding: utf-8 -*-
"""What the tests of the persistent helper share: their settings and the doubles a run falls back to."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import socket
import time

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import connection_settings
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.settings import RequestContext

from helper_processes import process_state


TOPIC = 'engine-persistent'


def make_settings(directory, **overrides):
    options = dict(transport_url='fake://', topic=TOPIC, timeout=5, connect_timeout=2, persistent=True,
                   persistent_dir=directory, persistent_idle_timeout=30,
                   context=RequestContext(username='demo', password='s3cret-pass', project_id='p1', user_id='u1'))
    options.update(overrides)
    return connection_settings(**options)


def refuse_fallback(settings):
    raise AssertionError('the run connected in process')


class InProcessDouble:
    """Stands for the in-process connection a run falls back to."""

    def __init__(self, settings):
        self.calls = []
        self.closed = False

    def invoke(self, method, kwargs, version, **options):
        self.calls.append(method)
        return 'from in process'

    def close(self):
        self.closed = True


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def wait_until_gone(pid, seconds):
    """Whether process ``pid`` ends within ``seconds`` (here it is this process's child: a zombie counts as ended)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process_state(pid) in (None, 'Z'):
            return True
        time.sleep(0.1)
    return False

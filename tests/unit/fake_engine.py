# -*- coding: utf-8 -*-
"""An in-process RPC server on oslo.messaging's fake transport that records what reaches it."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import sys
import threading

import oslo_messaging
from oslo_messaging._drivers import common as driver_common

from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import METHODS


class RecordingEndpoint:
    """Answers every engine method name and records (method, kwargs, ctxt, version)."""

    def __init__(self, version):
        self.target = oslo_messaging.Target(version=version)
        self.received = []
        self.answers = {}
        self.raises = {}

    def _handle(self, method, ctxt, kwargs):
        self.received.append({'method': method, 'kwargs': kwargs, 'ctxt': ctxt})
        if method in self.raises:
            raise self.raises[method]
        return self.answers.get(method, {'method': method, 'kwargs': kwargs})

    def __getattr__(self, name):
        if name in METHODS and not METHODS[name].removed:
            return lambda ctxt, **kwargs: self._handle(name, ctxt, kwargs)
        raise AttributeError(name)


class FakeEngine:
    """A real oslo.messaging RPC server (threading executor) with one recording endpoint."""

    def __init__(self, transport, version='1.36', exchange='heat', topic='engine'):
        self.endpoint = RecordingEndpoint(version)
        self.versions = []
        target = oslo_messaging.Target(exchange=exchange, topic=topic, server='fake-engine', version=version)
        self.server = oslo_messaging.get_rpc_server(transport, target, [self.endpoint], executor='threading')
        self._patch_dispatcher()

    def _patch_dispatcher(self):
        real_dispatch = self.server.dispatcher.dispatch
        lock = threading.Lock()

        def dispatch(incoming):
            with lock:
                self.versions.append(incoming.message.get('version'))
            try:
                return real_dispatch(incoming)
            except Exception:  # pylint: disable=broad-except
                # The fake driver hands exceptions over as they are; put them through the same
                # serialisation the RabbitMQ driver uses, so the client sees what a real engine sends.
                data = driver_common.serialize_remote_exception(sys.exc_info())
                raise driver_common.deserialize_remote_exception(data, [])

        self.server.dispatcher.dispatch = dispatch

    @property
    def last(self):
        record = dict(self.endpoint.received[-1])
        record['version'] = self.versions[-1]
        return record

    def reset(self):
        del self.endpoint.received[:]
        del self.versions[:]
        self.endpoint.raises.clear()
        self.endpoint.answers.clear()

    def start(self):
        self.server.start()
        return self

    def stop(self):
        self.server.stop()
        self.server.wait()


__all__ = ['FakeEngine']

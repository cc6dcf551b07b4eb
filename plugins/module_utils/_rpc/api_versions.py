# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The heat-engine RPC API versions, and the decorator that turns a method signature into them.

Each EngineClient method that calls the engine is written once: its signature (the engine's arguments
after ``ctxt``, with their defaults) and an ``@engine_method(...)`` line giving the API version that
introduced the method and the version that introduced each optional argument. The decorator derives a
MethodSpec from the two; the client uses it to pin each call to the lowest version that carries the
arguments it actually sends, and to honour an API version cap. ``method_table`` collects the specs of
a class into the table of engine methods.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import inspect

# The newest engine RPC API this client knows (heat.engine.service.EngineService.RPC_API_VERSION).
LATEST_API_VERSION = '1.36'
BASE_API_VERSION = '1.0'


class MethodSpec:
    """What one engine RPC method needs.

    ``since`` is the API version that introduced the method. ``optional``
    maps an optional argument to ``(since, default)``: an argument whose value
    equals its default is not sent at all, so it never raises the version.
    Arguments not listed in ``optional`` are always sent. ``writes`` marks
    calls that change engine state, whose timeout means "outcome unknown".
    ``arguments`` names every engine argument, in the order of the signature;
    ``empty`` maps an always-sent argument to the type (dict or list) whose
    empty value is sent when the caller gives none; ``waits`` names the
    argument holding how many seconds the engine itself waits before it answers.
    """

    __slots__ = ('name', 'since', 'optional', 'writes', 'removed', 'arguments', 'empty', 'waits')

    def __init__(self, name, since=BASE_API_VERSION, optional=None, writes=False, removed=False, arguments=(),
                 empty=None, waits=None):
        self.name = name
        self.since = since
        self.optional = dict(optional or {})
        self.writes = writes
        # Methods that current engines no longer have (the CloudWatch "watch" API).
        self.removed = removed
        self.arguments = tuple(arguments)
        self.empty = dict(empty or {})
        self.waits = waits

    def __repr__(self):
        return 'MethodSpec(%r, since=%r)' % (self.name, self.since)

    def engine_arguments(self, values):
        """The engine arguments out of ``values`` (every parameter of one call, defaults applied)."""
        sent = {}
        for name in self.arguments:
            value = values[name]
            if name in self.empty and not value:
                value = self.empty[name]()
            sent[name] = value
        return sent


def engine_method(since=BASE_API_VERSION, optional=None, writes=False, removed=False, empty=None, waits=None,
                  client_options=()):
    """Make a client method, whose body is only its docstring, the call of the engine method of its name.

    The method's parameters after ``self`` and ``ctxt`` are the engine's arguments, except those named in
    ``client_options`` (such as ``cast``), which are handed to the client instead. ``optional`` maps an
    argument to the API version that introduced it: left at its signature default (equal value, same type)
    it is not sent. Every other argument is always sent. ``empty`` maps an argument to dict or list: a
    value of None (or any empty value) is sent as a new empty one. ``waits`` names the argument that says
    how long the engine itself waits before answering. The call goes to ``client._invoke(ctxt, spec,
    arguments, **client_options)``; the derived MethodSpec is the decorated function's ``engine_spec``.
    """
    def decorate(func):
        signature = inspect.signature(func)
        spec = _spec_from_signature(func.__name__, signature, since, dict(optional or {}), writes, removed,
                                    dict(empty or {}), waits, tuple(client_options))

        @functools.wraps(func)
        def call_engine(client, ctxt, *args, **kwargs):
            bound = signature.bind(client, ctxt, *args, **kwargs)
            bound.apply_defaults()
            options = dict((name, bound.arguments[name]) for name in client_options)
            return client._invoke(ctxt, spec, spec.engine_arguments(bound.arguments), **options)

        call_engine.engine_spec = spec
        return call_engine
    return decorate


def _spec_from_signature(name, signature, since, optional, writes, removed, empty, waits, client_options):
    """The MethodSpec of ``name`` from its signature; a TypeError (at import) for a decoration that does not fit."""
    params = list(signature.parameters.values())
    if [param.name for param in params[:2]] != ['self', 'ctxt']:
        raise TypeError("engine method %s: the parameters must start with 'self, ctxt'" % name)
    params = params[2:]
    for param in params:
        if param.kind not in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY):
            raise TypeError('engine method %s: *%s is not an engine argument' % (name, param.name))
    defaults = dict((param.name, param.default) for param in params)
    for argument in list(optional) + list(empty) + list(client_options) + ([waits] if waits else []):
        if argument not in defaults:
            raise TypeError("engine method %s has no parameter '%s'" % (name, argument))
    for argument in optional:
        if defaults[argument] is inspect.Parameter.empty:
            raise TypeError("engine method %s: optional '%s' needs a default" % (name, argument))
        if parse_version(optional[argument]) < parse_version(since):
            raise TypeError("engine method %s: '%s' cannot be older than the method" % (name, argument))
    return MethodSpec(
        name, since=since, writes=writes, removed=removed, empty=empty, waits=waits,
        optional=dict((argument, (version, defaults[argument])) for argument, version in optional.items()),
        arguments=[param.name for param in params if param.name not in client_options])


def method_table(cls):
    """The engine methods of ``cls`` (those made by engine_method): {name: MethodSpec}."""
    table = {}
    for attribute in dir(cls):
        spec = getattr(getattr(cls, attribute), 'engine_spec', None)
        if isinstance(spec, MethodSpec):
            table[spec.name] = spec
    return table


def parse_version(version):
    """'1.36' -> (1, 36). Raises ValueError with a clear message on bad input."""
    text = str(version).strip()
    parts = text.split('.')
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise ValueError("'%s' is not an API version of the form MAJOR.MINOR, such as 1.36" % text)
    return int(parts[0]), int(parts[1])


def format_version(version_tuple):
    return '%d.%d' % version_tuple


def plan_arguments(spec, kwargs):
    """Decide what to send for one call of ``spec`` with ``kwargs``.

    Returns ``(sent, version, needs)``: the arguments to send (optional ones at
    their default dropped), the lowest API version that carries all of them,
    and a dict naming what raised the version (``{name: version}``), so that a
    refusal under a cap can say which argument was the cause.
    """
    sent = {}
    version = parse_version(spec.since)
    needs = {spec.name: spec.since}
    for name, value in kwargs.items():
        if name in spec.optional:
            since, default = spec.optional[name]
            if value == default and type(value) is type(default):  # noqa: E721 - 0 is not False
                continue
            if parse_version(since) > version:
                version = parse_version(since)
            needs[name] = since
        sent[name] = value
    return sent, format_version(version), needs

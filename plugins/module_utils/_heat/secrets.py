# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The values of hidden parameters that a run can know of, so that they are masked wherever engine text shows.

The engine quotes a value it cannot use in its messages (``could not convert string to float: '<value>'``), and
keeps such messages as the status reasons of stacks, resources and events and as output errors. A run knows a
hidden value when the task gave it (``templates.StackInputs.secrets``) or when the stack holds it where the engine
does not mask it: an environment file (``environment_files``), whose text get_files returns as it was sent. A value
given in ``parameters`` when the stack was made is stored masked and cannot be known (only export_stack's data
carries it).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors

# Failures after which another call would only wait out its own deadline: no stack is read after them.
UNANSWERED = (errors.BrokerUnreachableError, errors.EngineNotAnsweringError)
# Environment sections that give parameters values.
VALUE_SECTIONS = ('parameters', 'parameter_defaults')


def _environments_among(files, documents):
    """Every file of ``files`` that reads as an environment (a mapping with parameter values, not a template)."""
    for text in (files or {}).values():
        try:
            document = documents.parse_document(text, 'file', 'environment')
        except documents.TemplateError:
            continue
        if not any(key in document for key in documents.VERSION_KEYS) and any(
                isinstance(document.get(section), dict) for section in VALUE_SECTIONS):
            yield document


def stored_secret_values(template, files):
    """The values that the environment files among ``files`` give to parameters ``template`` or ``files`` hide.

    The document reader (and PyYAML with it) is imported here, by a run whose stack has files: every module that
    reads a stack imports this file, and most stacks have none.
    """
    from ansible_collections.heat_rpc.engine.plugins.module_utils._heat import documents
    hidden = documents.hidden_parameters(template, files)
    if not hidden:
        return []
    values = []
    for document in _environments_among(files, documents):
        values.extend(value for value in documents.secret_values(hidden, document) if value not in values)
    return values


def stack_secret_values(client, identity):
    """The hidden values the stack ``identity`` holds in its environment files (read with get_files, get_template).

    Nothing when the API version cap forbids get_files, the stack has no files or is gone. Only a stack that is
    found is asked, so a broker or engine failure here is the run's failure as any other call's.
    """
    if not client.allows('get_files'):
        return []
    try:
        files = client.get_files(None, identity)
        if not files:
            return []
        template = client.get_template(None, identity)
    except errors.NotFoundError:
        return []
    return stored_secret_values(template or {}, files)


def mask_stack_secrets(client, identity, mask, failure=None):
    """Hand ``mask`` the hidden values the stack ``identity`` holds: the one rule of when a stack is read for them.

    After ``failure``, a failure that left the engine or the broker unanswered reads nothing (another call would only
    wait out its own deadline), and a read that fails changes nothing (the failure ends the run either way); without
    one, a failed read is the run's failure.
    """
    if isinstance(failure, UNANSWERED):
        return
    try:
        values = stack_secret_values(client, identity)
    except errors.HeatRpcError:
        if failure is None:
            raise
        return
    mask(values)


@contextlib.contextmanager
def stack_secrets_masked_on_failure(client, identity):
    """For the controller plugins: on an engine failure about the stack ``identity``, the hidden values it holds
    join the secrets of the client's scrubber, with which plugin_utils/engine.py masks the error's text."""
    try:
        yield
    except errors.HeatRpcError as exc:
        def add_to_scrubber(values):
            for value in values:
                client.settings.scrubber.add(value)
        mask_stack_secrets(client, identity, add_to_scrubber, failure=exc)
        raise

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller plugins' (inventory, lookup) way to the engine: connection options -> a client, errors -> AnsibleError.

The connection options are those of the modules (the ``connection`` doc fragment), turned into
ConnectionSettings by the one shared function, settings_from_options(): same types, defaults and
HEAT_RPC_* environment fallbacks as a module's.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib

from ansible.errors import AnsibleError

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible.connection_options import settings_from_options
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.transport import (
    HAS_OSLO_MESSAGING, OSLO_MESSAGING_IMPORT_ERROR,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils.engine_client import EngineClient


@contextlib.contextmanager
def engine_client(given, what, error_class=AnsibleError):
    """An EngineClient for the connection options in ``given``, closed on exit.

    Any HeatRpcError (bad options, engine errors) becomes ``error_class`` with a message that starts
    with ``what`` and never shows a secret.
    """
    if not HAS_OSLO_MESSAGING:
        raise error_class('%s: the Python library oslo.messaging is needed on the controller (%s)' % (
            what, OSLO_MESSAGING_IMPORT_ERROR))
    try:
        settings = settings_from_options(given)
    except errors.HeatRpcError as exc:
        raise error_class('%s: %s' % (what, exc))
    client = EngineClient(settings)
    try:
        yield client
    except errors.HeatRpcError as exc:
        # from None: at -vvv ansible-core 2.16 prints the traceback with its context, the unmasked engine error.
        raise error_class('%s: %s' % (what, settings.scrubber.scrub(str(exc)))) from None
    finally:
        client.close()

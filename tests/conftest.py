# -*- coding: utf-8 -*-
"""Shared pytest setup: make the collection importable as ansible_collections.heat_rpc.engine."""

import hashlib
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE_DIR = os.path.expanduser(os.environ.get('HEAT_RPC_CACHE_DIR', '~/.cache/heat_rpc'))


def collections_root():
    """A directory holding ansible_collections/heat_rpc/engine that points at this checkout.

    A checkout that already sits at .../ansible_collections/heat_rpc/engine is used as it is;
    otherwise a symlink outside the work tree is made (inside it, pytest would walk it forever).
    """
    parts = REPO_ROOT.split(os.sep)
    if parts[-3:-2] == ['ansible_collections'] and parts[-2:] == ['heat_rpc', 'engine']:
        return os.sep.join(parts[:-3]) or os.sep
    key = hashlib.sha1(REPO_ROOT.encode('utf-8')).hexdigest()[:12]
    root = os.path.join(CACHE_DIR, 'collections', key)
    link = os.path.join(root, 'ansible_collections', 'heat_rpc', 'engine')
    if os.path.realpath(link) != REPO_ROOT:
        os.makedirs(os.path.dirname(link), exist_ok=True)
        tmp_link = '%s.%d' % (link, os.getpid())
        os.symlink(REPO_ROOT, tmp_link)
        os.replace(tmp_link, link)
    return root


COLLECTIONS_ROOT = collections_root()
if COLLECTIONS_ROOT not in sys.path:
    sys.path.insert(0, COLLECTIONS_ROOT)
os.environ['ANSIBLE_COLLECTIONS_PATH'] = COLLECTIONS_ROOT

pytest_plugins = ['conftest_testbed']

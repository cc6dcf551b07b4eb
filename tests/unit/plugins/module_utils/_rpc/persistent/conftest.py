# -*- coding: utf-8 -*-
"""Fixtures of the persistent helper tests."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import shutil
import tempfile

import pytest


@pytest.fixture
def short_dir():
    """A private directory with a short path (a Unix socket path has at most 107 bytes)."""
    path = tempfile.mkdtemp(prefix='hrpc-')
    yield path
    shutil.rmtree(path, ignore_errors=True)

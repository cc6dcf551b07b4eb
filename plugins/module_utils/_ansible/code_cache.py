# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's module_utils, compiled once per source and kept, for module runs from an AnsiballZ payload.

A module runs its code from the payload's zip, and Python compiles source imported from a zip on every import (it
writes no ``__pycache__`` there): 40 to 130 ms of every task went to compiling this collection's own code again.
Every module calls ``cache_compiled_code()`` before it imports the rest; from then on, each module_util imported
from the zip is read as code compiled by an earlier run, or compiled and kept for the next.

- Where: ``code/`` in the persistent directory (``HEAT_RPC_PERSISTENT_DIR``, else ``~/.ansible/heat_rpc``; the
  ``persistent_dir`` option is not known yet when a module imports), used only when it is this user's alone
  (``directory.private_directory``): what is there is executed.
- Which: an entry's name is the SHA-256 of the module's name, its source, the Python bytecode version and the
  optimisation level, so a changed collection, another Python or ``-O`` never read another's code.
- Never in the way: a directory that cannot be used, an entry that cannot be read or written, or code from anywhere
  but a zip (the sanity and unit tests, the controller plugins, which Python caches itself) leaves the import to
  Python as before. Entries no run has read for ``KEEP_DAYS`` days are deleted when a new one is written.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import importlib.abc
import importlib.util
import marshal
import os
import sys
import tempfile
import time
import types
import zipimport

from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent import directory

PACKAGE = 'ansible_collections.heat_rpc.engine.plugins.module_utils'
KEEP_DAYS = 30
_DAY = 86400.0


def entry_name(name, source):
    """The file name of the compiled code of module ``name`` with ``source``, for this Python."""
    digest = hashlib.sha256()
    for part in (b'heat_rpc.engine compiled code 1', importlib.util.MAGIC_NUMBER, str(sys.flags.optimize).encode('ascii'),
                 name.encode('utf-8'), source.encode('utf-8')):
        digest.update(len(part).to_bytes(8, 'big') + part)
    return digest.hexdigest() + '.code'


def pseudo_filename(name, is_package):
    """The file name a traceback shows: the module's path in the collection (the payload's own path is gone by then)."""
    return name.replace('.', '/') + ('/__init__.py' if is_package else '.py')


class CompiledCodeLoader(importlib.abc.Loader):
    """Loads one module of a zip through the cache, from the source read when it was found."""

    def __init__(self, cache, source, is_package):
        self.cache = cache
        self.source = source
        self.package = is_package

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        exec(self.get_code(module.__name__), module.__dict__)

    def get_code(self, name):
        return self.cache.code_of(name, self.source, self.package)

    def get_source(self, name):
        return self.source

    def is_package(self, name):
        return self.package


class CompiledCode(importlib.abc.MetaPathFinder):
    """Finds ``package``'s modules in the zips of their parent's path, and loads them with CompiledCodeLoader.

    It looks in the zip itself instead of asking zipimport's find_spec, which compiles the module to learn its
    file name (Python 3.10 to 3.13), and then compiles it again to run it.
    """

    def __init__(self, cache_dir, package=PACKAGE, now=time.time):
        self.cache_dir = cache_dir
        self.package = package
        self.now = now
        self._importers = {}

    def find_spec(self, name, path, target=None):
        if not name.startswith(self.package + '.'):
            return None
        tail = name.rpartition('.')[2]
        for entry in path or ():
            try:
                importer = self._importers.get(entry) or self._importers.setdefault(entry, zipimport.zipimporter(entry))
                is_package = importer.is_package(name)
                source = importer.get_source(name)
            except (zipimport.ZipImportError, OSError):
                continue
            if source is None:
                return None  # compiled code only: left to zipimport
            origin = os.path.join(entry, tail, '__init__.py') if is_package else os.path.join(entry, tail + '.py')
            spec = importlib.util.spec_from_loader(name, CompiledCodeLoader(self, source, is_package), origin=origin,
                                                   is_package=is_package)
            spec.has_location = True
            if is_package:
                spec.submodule_search_locations.append(os.path.join(entry, tail))
            return spec
        return None

    def code_of(self, name, source, is_package):
        path = os.path.join(self.cache_dir, entry_name(name, source))
        code = self.read(path)
        if code is None:
            code = compile(source, pseudo_filename(name, is_package), 'exec', dont_inherit=True)
            self.write(path, code)
        return code

    def read(self, path):
        """The code kept at ``path``, or None (missing, or not code this Python can load)."""
        try:
            with open(path, 'rb') as handle:
                data = handle.read()
                mtime = os.fstat(handle.fileno()).st_mtime
            code = marshal.loads(data)
        except (OSError, EOFError, ValueError, TypeError):
            return None
        if code.__class__ is not types.CodeType:
            return None
        if self.now() - mtime > _DAY:
            # Marks the entry as read, for the pruning below; at most once a day.
            try:
                os.utime(path)
            except OSError:
                pass
        return code

    def write(self, path, code):
        """Keep ``code`` at ``path`` (whole or not at all), and delete entries no run has read for KEEP_DAYS."""
        try:
            descriptor, temporary = tempfile.mkstemp(dir=self.cache_dir, prefix='.new-')
            try:
                with os.fdopen(descriptor, 'wb') as handle:
                    handle.write(marshal.dumps(code))
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return
        self.prune()

    def prune(self):
        limit = self.now() - KEEP_DAYS * _DAY
        try:
            names = os.listdir(self.cache_dir)
        except OSError:
            return
        for name in names:
            path = os.path.join(self.cache_dir, name)
            try:
                if os.stat(path).st_mtime < limit:
                    os.unlink(path)
            except OSError:
                pass


def cache_dir_of(environ):
    """``code/`` in the persistent directory, when it and it alone are private; else None."""
    base = environ.get(directory.DIR_VARIABLE) or directory.DEFAULT_DIR
    try:
        return directory.private_directory(os.path.join(directory.private_directory(base), 'code'))
    except directory.UnsafeDirectory:
        return None


def from_zip(package):
    """Whether ``package`` (imported) was imported from a zip: a module run from its AnsiballZ payload."""
    return isinstance(getattr(sys.modules.get(package), '__loader__', None), zipimport.zipimporter)


def cache_compiled_code(environ=None, meta_path=None, package=PACKAGE):
    """Have ``package``'s modules imported from a zip come from the cache from now on; once per process.

    Returns the finder in use, or None when nothing was changed: the code is not in a zip (Python caches code
    imported from files itself), or no usable directory.
    """
    if not from_zip(package):
        return None
    meta_path = sys.meta_path if meta_path is None else meta_path
    for finder in meta_path:
        if isinstance(finder, CompiledCode):
            return finder
    cache_dir = cache_dir_of(os.environ if environ is None else environ)
    if cache_dir is None:
        return None
    finder = CompiledCode(cache_dir, package)
    meta_path.insert(0, finder)
    return finder

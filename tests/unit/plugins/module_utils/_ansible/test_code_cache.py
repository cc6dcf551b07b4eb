# -*- coding: utf-8 -*-
"""The compiled-code cache of module runs: what is compiled, kept, read, refused and pruned.

A synthetic package in a zip stands for the collection's module_utils in an AnsiballZ payload.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import builtins
import os
import sys
import time
import traceback
import zipfile

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils._ansible import code_cache
from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.persistent import directory

PACKAGE = 'codecachepkg'
SOURCES = {
    PACKAGE + '/__init__.py': '',
    PACKAGE + '/mod.py': 'VALUE = 1\n\n\ndef fail():\n    raise ValueError("from the zip")\n',
    PACKAGE + '/sub/__init__.py': 'from codecachepkg.sub import inner\n',
    PACKAGE + '/sub/inner.py': 'from codecachepkg.mod import VALUE\nDOUBLE = VALUE * 2\n',
}
# What the package's import compiles: every module but the parent package, imported before the cache is asked for.
CACHED = 3


@pytest.fixture
def payload(tmp_path, monkeypatch):
    """A function making a zip of SOURCES (with changes) that is imported from, its parent package imported."""
    monkeypatch.setattr(sys, 'meta_path', list(sys.meta_path))
    monkeypatch.setattr(sys, 'path', list(sys.path))
    made = []

    def make(**changes):
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + '.')]:
            del sys.modules[name]
        path = str(tmp_path / ('payload%d.zip' % len(made)))
        with zipfile.ZipFile(path, 'w') as archive:
            for name, source in dict(SOURCES, **changes).items():
                archive.writestr(name, source)
        if made:
            sys.path.remove(made[-1])
        sys.path.insert(0, path)
        made.append(path)
        __import__(PACKAGE)
        return path

    yield make
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + '.')]:
        del sys.modules[name]


@pytest.fixture
def persistent_dir(tmp_path):
    path = tmp_path / 'persistent'
    path.mkdir(mode=0o700)
    return str(path)


def install(persistent_dir):
    return code_cache.cache_compiled_code(environ={directory.DIR_VARIABLE: persistent_dir}, package=PACKAGE)


def entries(persistent_dir):
    return sorted(os.listdir(os.path.join(persistent_dir, 'code')))


def import_counting_compiles(monkeypatch):
    """Import the package's modules; how many times Python compiled source meanwhile."""
    calls = []
    real = builtins.compile

    def counting(*args, **kwargs):
        calls.append(args[1] if len(args) > 1 else kwargs.get('filename'))
        return real(*args, **kwargs)
    monkeypatch.setattr(builtins, 'compile', counting)
    try:
        __import__(PACKAGE + '.sub')
        __import__(PACKAGE + '.mod')
    finally:
        monkeypatch.setattr(builtins, 'compile', real)
    return calls


def test_the_first_run_compiles_each_module_once_and_keeps_it_the_next_none(payload, persistent_dir, monkeypatch):
    payload()
    assert install(persistent_dir) is not None
    compiled = import_counting_compiles(monkeypatch)
    # Once each: not twice, as zipimport does (its find_spec compiles to learn the file name).
    assert sorted(compiled) == ['codecachepkg/mod.py', 'codecachepkg/sub/__init__.py', 'codecachepkg/sub/inner.py']
    assert len(entries(persistent_dir)) == CACHED
    assert sys.modules[PACKAGE + '.sub.inner'].DOUBLE == 2

    path = payload()  # the next run: a new payload of the same code
    compiled = import_counting_compiles(monkeypatch)
    assert compiled == []
    assert len(entries(persistent_dir)) == CACHED
    inner = sys.modules[PACKAGE + '.sub.inner']
    assert inner.DOUBLE == 2
    assert inner.__file__ == os.path.join(path, PACKAGE, 'sub', 'inner.py')
    assert sys.modules[PACKAGE + '.sub'].__path__ == [os.path.join(path, PACKAGE, 'sub')]


def test_changed_source_is_compiled_and_kept_beside_the_old(payload, persistent_dir, monkeypatch):
    payload()
    install(persistent_dir)
    import_counting_compiles(monkeypatch)
    payload(**{PACKAGE + '/mod.py': 'VALUE = 5\n'})
    assert import_counting_compiles(monkeypatch) == ['codecachepkg/mod.py']
    assert sys.modules[PACKAGE + '.sub.inner'].DOUBLE == 10
    assert len(entries(persistent_dir)) == CACHED + 1


@pytest.mark.parametrize('damage', [b'', b'not marshal data', b'\xe3garbage', b'i\x01\x00\x00\x00'])
def test_an_entry_that_is_not_code_is_compiled_again_and_replaced(payload, persistent_dir, monkeypatch, damage):
    payload()
    install(persistent_dir)
    import_counting_compiles(monkeypatch)
    for name in entries(persistent_dir):
        with open(os.path.join(persistent_dir, 'code', name), 'wb') as handle:
            handle.write(damage)
    payload()
    assert len(import_counting_compiles(monkeypatch)) == CACHED
    assert sys.modules[PACKAGE + '.sub.inner'].DOUBLE == 2
    payload()
    assert import_counting_compiles(monkeypatch) == []


def test_a_traceback_shows_the_line_from_the_source(payload, persistent_dir, monkeypatch):
    payload()
    install(persistent_dir)
    import_counting_compiles(monkeypatch)
    payload()
    mod = __import__(PACKAGE + '.mod', fromlist=['fail'])
    with pytest.raises(ValueError) as caught:
        mod.fail()
    text = ''.join(traceback.format_exception(caught.type, caught.value, caught.tb))
    assert 'File "codecachepkg/mod.py", line 5, in fail' in text
    assert 'raise ValueError("from the zip")' in text


@pytest.mark.parametrize('problem, prepare', [
    ('open to others', lambda path: os.chmod(path, 0o755)),
    ('not a directory', lambda path: (os.rmdir(path), open(path, 'w').close())),
    ('code/ open to others', lambda path: os.mkdir(os.path.join(path, 'code'), 0o777) or os.chmod(
        os.path.join(path, 'code'), 0o777)),
])
def test_a_directory_that_is_not_private_is_not_used(payload, persistent_dir, monkeypatch, problem, prepare):
    payload()
    prepare(persistent_dir)
    before = list(sys.meta_path)
    assert install(persistent_dir) is None
    assert sys.meta_path == before
    assert len(import_counting_compiles(monkeypatch)) >= CACHED  # Python's own import, as before
    assert sys.modules[PACKAGE + '.sub.inner'].DOUBLE == 2


def test_code_not_imported_from_a_zip_is_left_to_python(tmp_path):
    # The collection itself, in these tests, is imported from files: nothing is installed, nothing is made.
    target = str(tmp_path / 'never')
    before = list(sys.meta_path)
    assert code_cache.cache_compiled_code(environ={directory.DIR_VARIABLE: target}) is None
    assert sys.meta_path == before
    assert not os.path.exists(target)


def test_it_is_installed_once(payload, persistent_dir):
    payload()
    finder = install(persistent_dir)
    assert install(persistent_dir) is finder
    assert [item for item in sys.meta_path if isinstance(item, code_cache.CompiledCode)] == [finder]


def test_the_default_directory_is_used_when_the_variable_is_blank(payload, tmp_path, monkeypatch):
    payload()
    monkeypatch.setenv('HOME', str(tmp_path))
    finder = code_cache.cache_compiled_code(environ={directory.DIR_VARIABLE: ''}, package=PACKAGE)
    assert finder.cache_dir == os.path.join(str(tmp_path), '.ansible', 'heat_rpc', 'code')


DAY = 86400


@pytest.mark.parametrize('age_days, kept', [(0, True), (29, True), (31, False), (400, False)])
def test_a_new_entry_deletes_those_no_run_read_for_keep_days(tmp_path, age_days, kept):
    now = time.time()
    finder = code_cache.CompiledCode(str(tmp_path), package=PACKAGE, now=lambda: now)
    old = tmp_path / 'old.code'
    old.write_bytes(b'x')
    os.utime(str(old), (now - age_days * DAY, now - age_days * DAY))
    finder.code_of(PACKAGE + '.new', 'X = 1\n', False)
    assert old.exists() is kept
    assert (tmp_path / code_cache.entry_name(PACKAGE + '.new', 'X = 1\n')).exists()


@pytest.mark.parametrize('age_days, refreshed', [(0.5, False), (2, True), (29, True)])
def test_reading_an_entry_marks_it_read_at_most_once_a_day(tmp_path, age_days, refreshed):
    now = time.time()
    finder = code_cache.CompiledCode(str(tmp_path), package=PACKAGE, now=lambda: now)
    finder.code_of(PACKAGE + '.m', 'X = 1\n', False)
    path = str(tmp_path / code_cache.entry_name(PACKAGE + '.m', 'X = 1\n'))
    os.utime(path, (now - age_days * DAY, now - age_days * DAY))
    finder.code_of(PACKAGE + '.m', 'X = 1\n', False)
    assert (os.stat(path).st_mtime > now - DAY / 2) is refreshed


@pytest.mark.parametrize('other', [
    dict(name='codecachepkg.other'),
    dict(source='X = 2\n'),
    dict(optimize=1),
])
def test_an_entry_is_named_by_module_source_and_python(monkeypatch, other):
    base = code_cache.entry_name('codecachepkg.m', 'X = 1\n')
    assert code_cache.entry_name('codecachepkg.m', 'X = 1\n') == base
    if 'optimize' in other:
        monkeypatch.setattr(sys, 'flags', type('Flags', (), {'optimize': other['optimize']})())
    assert code_cache.entry_name(other.get('name', 'codecachepkg.m'), other.get('source', 'X = 1\n')) != base


def test_modules_outside_the_package_are_not_looked_at(payload, persistent_dir):
    payload()
    finder = install(persistent_dir)
    assert finder.find_spec('json', None) is None
    assert finder.find_spec(PACKAGE + 'x.mod', [os.path.dirname(sys.modules[PACKAGE].__file__)]) is None
    assert finder.find_spec(PACKAGE + '.missing', sys.modules[PACKAGE].__path__) is None

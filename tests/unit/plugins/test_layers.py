# -*- coding: utf-8 -*-
"""The house rules of plugins/: which layer may import which, no AnsibleModule on the controller, mirrored tests.

Every .py under plugins/ is parsed with ``ast``; every import of ``ansible_collections.heat_rpc.engine.plugins``
counts, also one inside a function. (Names built at run time, such as importlib.import_module() of a string,
are not seen.) LAYERS says which layer a file is in, MAY_IMPORT what a layer may import: read the two tables
to see the house. A new file outside every layer, or an import against the table, fails with the file, the
line, the import and the rule.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import ast
import json
import os
import subprocess
import sys

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
PLUGINS = os.path.join(REPO_ROOT, 'plugins')
UNIT_TESTS = os.path.join(REPO_ROOT, 'tests', 'unit', 'plugins')
PACKAGE = 'ansible_collections.heat_rpc.engine.plugins'

# The layer of a file: the first entry whose path (under plugins/) is the file or a folder holding it.
LAYERS = (
    ('module_utils/errors.py', 'errors'),                # typed errors
    ('module_utils/_rpc/', '_rpc'),                      # the wire: versions, settings, redaction, transport, helper
    ('module_utils/engine_client.py', 'engine_client'),  # EngineClient: every engine RPC method
    ('module_utils/_heat/', '_heat'),                    # the Heat domain, on any client
    ('module_utils/_runners/', '_runners'),              # one runner per module family
    ('module_utils/_ansible/', '_ansible'),              # AnsibleModule adapter and connection bootstrap
    ('plugin_utils/', 'plugin_utils'),                   # the controller plugins' client and action base
    ('action/', 'action'),                               # file-taking modules' controller side
    ('inventory/', 'inventory'),
    ('lookup/', 'lookup'),
    ('modules/', 'modules'),
    ('doc_fragments/', 'doc_fragments'),
)

# What a layer may import from the collection. A layer imports itself only where it is listed.
MAY_IMPORT = {
    'errors': (),
    '_rpc': ('errors', '_rpc'),
    'engine_client': ('errors', '_rpc'),
    '_heat': ('errors', '_heat'),
    '_runners': ('errors', '_heat', '_runners'),
    '_ansible': ('errors', '_rpc', 'engine_client', '_ansible'),
    'plugin_utils': ('errors', '_rpc', 'engine_client', '_ansible', '_heat'),
    'inventory': ('errors', 'plugin_utils', '_heat'),
    'lookup': ('errors', 'plugin_utils', '_heat'),
    'action': ('plugin_utils',),
    'modules': ('errors', '_ansible', '_runners', '_heat'),
    'doc_fragments': (),
}

# The controller side: nothing these import, directly or not, may import AnsibleModule.
CONTROLLER_LAYERS = ('inventory', 'lookup', 'plugin_utils', 'action')
ANSIBLE_MODULE = 'ansible.module_utils.basic'

# Code folders whose every module has a unit test at the mirrored path tests/unit/plugins/<dirs>/test_<name>.py.
MIRRORED = ('module_utils', 'plugin_utils', 'inventory', 'lookup')


# -- the checker: works on {path under plugins/: source}, so synthetic trees can be fed to it ------------------

def code_files(root=PLUGINS):
    """{path under plugins/ ('/'-separated): source} of every .py file."""
    files = {}
    for directory, _dirs, names in os.walk(root):
        for name in names:
            if name.endswith('.py'):
                path = os.path.join(directory, name)
                with open(path, encoding='utf-8') as handle:
                    files[os.path.relpath(path, root).replace(os.sep, '/')] = handle.read()
    return files


def layer_of(path):
    for prefix, layer in LAYERS:
        if path == prefix or (prefix.endswith('/') and path.startswith(prefix)):
            return layer
    return None


def _absolute(path, node):
    """The module a (possibly relative) ImportFrom names, as a dotted name."""
    if not node.level:
        return node.module or ''
    package = [PACKAGE] + path.split('/')[:-1]
    base = package[:len(package) - (node.level - 1)]
    return '.'.join(base + ([node.module] if node.module else []))


def _file_of(dotted, files):
    """The path under plugins/ of a collection module (a .py or a package's __init__.py), else None."""
    relative = dotted[len(PACKAGE) + 1:].replace('.', '/')
    for candidate in (relative + '.py', relative + '/__init__.py'):
        if candidate in files:
            return candidate
    return None


def imports_of(path, source):
    """(line, statement, dotted names it may load) of every import statement, at any depth."""
    found = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append((node.lineno, 'import %s%s' % (alias.name, ' as ' + alias.asname if alias.asname else ''),
                              [alias.name]))
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, node)
            for alias in node.names:
                # ``from package import name``: name is a submodule, or an attribute of the package.
                found.append((node.lineno, 'from %s%s import %s' % ('.' * node.level, node.module or '', alias.name),
                              ['%s.%s' % (module, alias.name), module]))
    return sorted(found)


def collection_imports(files):
    """{path: [(line, statement, imported path or None when it names no file of the collection)]}."""
    edges = {}
    for path, source in sorted(files.items()):
        edges[path] = []
        for line, statement, candidates in imports_of(path, source):
            ours = [name for name in candidates if name == PACKAGE or name.startswith(PACKAGE + '.')]
            if ours:
                target = next((found for found in (_file_of(name, files) for name in ours) if found), None)
                edges[path].append((line, statement, target))
    return edges


def layer_violations(files):
    """One message per file outside every layer, import of no collection file, or import against MAY_IMPORT."""
    problems = []
    for path, edges in sorted(collection_imports(files).items()):
        layer = layer_of(path)
        if layer is None:
            problems.append('plugins/%s is in no layer: add its folder to LAYERS (and its rule to MAY_IMPORT)' % path)
            continue
        for line, statement, target in edges:
            where = 'plugins/%s:%d: %s' % (path, line, statement)
            if target is None:
                problems.append('%s names no module of the collection' % where)
                continue
            wanted = layer_of(target)
            if wanted not in MAY_IMPORT[layer]:
                problems.append('%s reaches plugins/%s (layer %s); rule: %s may import %s' % (
                    where, target, wanted, layer, ', '.join(MAY_IMPORT[layer]) or 'nothing of the collection'))
    return problems


def imports_ansible_module(source):
    """The line that imports ansible.module_utils.basic (AnsibleModule), or None."""
    for line, _statement, candidates in imports_of('', source):
        if any(name == ANSIBLE_MODULE or name.startswith(ANSIBLE_MODULE + '.') for name in candidates[:1]):
            return line
    return None


def reached_from(start, files):
    """{path reached through collection imports from ``start``: the chain of paths that leads to it}."""
    edges = collection_imports(files)
    chains = {start: [start]}
    queue = [start]
    while queue:
        path = queue.pop(0)
        for _line, _statement, target in edges.get(path, ()):
            if target and target not in chains:
                chains[target] = chains[path] + [target]
                queue.append(target)
    return chains


def controller_leaks(files):
    """A message per controller-side file from which a file that imports AnsibleModule can be reached."""
    problems = []
    for path in sorted(files):
        if layer_of(path) not in CONTROLLER_LAYERS:
            continue
        for reached, chain in sorted(reached_from(path, files).items()):
            line = imports_ansible_module(files[reached])
            if line is not None:
                problems.append('%s imports AnsibleModule: plugins/%s:%d imports %s' % (
                    ' -> '.join('plugins/' + item for item in chain), reached, line, ANSIBLE_MODULE))
    return problems


def find_cycle(graph):
    """A list of nodes [a, b, ..., a] going round, or None; ``graph`` maps a node to the nodes it points to."""
    done, path = set(), []

    def visit(node):
        if node in path:
            return path[path.index(node):] + [node]
        if node in done:
            return None
        path.append(node)
        for following in sorted(graph.get(node, ())):
            cycle = visit(following)
            if cycle:
                return cycle
        path.pop()
        done.add(node)
        return None
    for node in sorted(graph):
        cycle = visit(node)
        if cycle:
            return cycle
    return None


def without_self(graph):
    return dict((node, set(targets) - {node}) for node, targets in graph.items())


def layer_graph(files):
    graph = {}
    for path, edges in collection_imports(files).items():
        graph.setdefault(layer_of(path), set()).update(layer_of(target) for _line, _statement, target in edges if target)
    return graph


def mirror_of(path):
    """tests/unit/plugins/<dirs>/test_<name>.py, as a path under tests/unit/plugins/."""
    directory, name = os.path.split(path)
    return '/'.join(filter(None, (directory, 'test_' + name)))


def mirrored_code(files):
    return sorted(path for path in files
                  if path.split('/')[0] in MIRRORED and os.path.basename(path) != '__init__.py')


# -- the house as it is --------------------------------------------------------------------------------------

FILES = code_files()


def test_the_tables_cover_the_same_layers():
    assert sorted(set(layer for _prefix, layer in LAYERS)) == sorted(MAY_IMPORT)
    for layer, allowed in MAY_IMPORT.items():
        assert set(allowed) <= set(MAY_IMPORT), layer


def test_every_file_is_in_a_layer_and_imports_only_what_its_layer_may():
    assert len(FILES) > 40
    problems = layer_violations(FILES)
    assert not problems, '\n'.join(problems)


def test_the_house_has_no_cycles_between_layers():
    assert find_cycle(without_self(MAY_IMPORT)) is None
    assert find_cycle(without_self(layer_graph(FILES))) is None


def test_controller_plugins_reach_no_ansible_module():
    problems = controller_leaks(FILES)
    assert not problems, '\n'.join(problems)


def test_the_controller_check_looks_where_ansible_module_is_near():
    # Not vacuous: the controller path does reach the connection options, the module adapter next to them
    # does import AnsibleModule, and the modules reach it.
    reached = reached_from('plugin_utils/engine.py', FILES)
    assert 'module_utils/_ansible/connection_options.py' in reached
    assert 'module_utils/_ansible/module.py' not in reached
    assert imports_ansible_module(FILES['module_utils/_ansible/module.py']) is not None
    assert imports_ansible_module(FILES['module_utils/_ansible/connection_options.py']) is None
    assert 'module_utils/_ansible/module.py' in reached_from('modules/heat_stack.py', FILES)
    for plugin in ('inventory/heat_stack.py', 'lookup/heat_stack_output.py'):
        assert 'plugin_utils/engine.py' in reached_from(plugin, FILES)


# Modules whose payload carries the template loader (templates.py: file and URL reading, bundling, and with it
# ansible.module_utils.urls). AnsiballZ parses and zips every module_util an import statement names, one inside a
# function too, so a module outside this list that reached it would pay for it on every task.
TEMPLATE_READERS = ('modules/heat_stack.py', 'modules/heat_template_validate.py')
TEMPLATE_LOADER = 'module_utils/_heat/templates.py'


def test_only_the_modules_that_read_templates_carry_the_template_loader():
    modules = sorted(path for path in FILES if path.startswith('modules/') and not path.endswith('__init__.py'))
    carrying = [path for path in modules if TEMPLATE_LOADER in reached_from(path, FILES)]
    assert carrying == sorted(TEMPLATE_READERS), dict(
        (path, ' -> '.join(reached_from(path, FILES)[TEMPLATE_LOADER])) for path in carrying)


def test_only_the_template_loader_imports_ansible_url_handling():
    importing = sorted(path for path, source in FILES.items() if any(
        name == 'ansible.module_utils.urls' for _line, _statement, names in imports_of(path, source) for name in names))
    assert importing == [TEMPLATE_LOADER]


def first_statements_after_docs(source):
    """The module's statements after its docstring, DOCUMENTATION, EXAMPLES, RETURN and __future__ lines."""
    body = ast.parse(source).body
    return [node for node in body if not (
        (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        or (isinstance(node, ast.ImportFrom) and node.module == '__future__')
        or (isinstance(node, ast.Assign) and [target.id for target in node.targets if isinstance(target, ast.Name)]
            in (['DOCUMENTATION'], ['EXAMPLES'], ['RETURN'], ['__metaclass__'])))]


def test_every_module_keeps_its_compiled_code_before_importing_the_rest():
    # cache_compiled_code() only serves the imports that come after it: a module that imported anything of the
    # collection first would compile that again in every task.
    modules = sorted(path for path in FILES if path.startswith('modules/') and not path.endswith('__init__.py'))
    assert modules
    for path in modules:
        first, second = first_statements_after_docs(FILES[path])[:2]
        assert isinstance(first, ast.ImportFrom) and first.module == PACKAGE + '.module_utils._ansible.code_cache', path
        assert ast.unparse(second) == 'cache_compiled_code()', path


IMPORTED_MODULES = '''
import importlib, json, sys
sys.path.insert(0, %(root)r)
importlib.import_module(%(module)r)
print(json.dumps(sorted(sys.modules)))
'''


@pytest.mark.parametrize('module', ['plugin_utils.engine', 'lookup.heat_stack_output'])
def test_a_controller_process_loads_no_ansible_module(module):
    # The same, as Python sees it in a fresh interpreter (so also through third-party imports). Not for the
    # inventory plugin: ansible's own BaseInventoryPlugin imports ansible.module_utils.basic.
    code = IMPORTED_MODULES % {'root': os.environ['ANSIBLE_COLLECTIONS_PATH'], 'module': '%s.%s' % (PACKAGE, module)}
    result = subprocess.run([sys.executable, '-W', 'ignore', '-c', code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    modules = json.loads(result.stdout.strip().splitlines()[-1])
    assert '%s.%s' % (PACKAGE, module) in modules
    assert ANSIBLE_MODULE not in modules
    assert '%s.module_utils._ansible.module' % PACKAGE not in modules


# -- the mirror: a test module beside each code module's path ----------------------------------------------

def test_every_code_module_has_a_mirrored_test():
    expected = [mirror_of(path) for path in mirrored_code(FILES)]
    missing = [test for test in expected
               if not os.path.isfile(os.path.join(UNIT_TESTS, test))]
    assert not missing, 'code modules without their mirrored unit test:\n' + '\n'.join(
        'tests/unit/plugins/%s' % test for test in missing)


def test_test_folders_are_packages():
    # Equal basenames (inventory/test_heat_stack.py, _runners/test_heat_stack.py) need a package each.
    for directory, _dirs, names in os.walk(UNIT_TESTS):
        if any(name.startswith('test_') and name.endswith('.py') for name in names):
            assert '__init__.py' in names, directory


# -- the checker catches what it should ----------------------------------------------------------------------

def synthetic():
    """A small tree of empty files, one or two per layer, to add a file to."""
    return {'module_utils/errors.py': '', 'module_utils/engine_client.py': '', 'module_utils/_rpc/transport.py': '',
            'module_utils/_heat/shapes.py': '', 'module_utils/_ansible/module.py': '',
            'module_utils/_ansible/connection_options.py': '', 'plugin_utils/engine.py': ''}


def imported(module, name):
    return 'from %s.%s import %s\n' % (PACKAGE, module, name)


@pytest.mark.parametrize('path,source,message', [
    # An import inside a function counts.
    ('module_utils/_heat/stacks.py', 'import os\n\n\ndef f():\n    ' + imported('module_utils._rpc', 'transport'),
     'plugins/module_utils/_heat/stacks.py:5: from %s.module_utils._rpc import transport reaches '
     'plugins/module_utils/_rpc/transport.py (layer _rpc); rule: _heat may import errors, _heat' % PACKAGE),
    ('module_utils/errors.py', 'import %s.module_utils.engine_client as client\n' % PACKAGE,
     'plugins/module_utils/errors.py:1: import %s.module_utils.engine_client as client reaches '
     'plugins/module_utils/engine_client.py (layer engine_client); rule: errors may import nothing of the '
     'collection' % PACKAGE),
    # A relative import, and a name imported from a module (not a submodule).
    ('module_utils/_rpc/settings.py', 'from ..engine_client import EngineClient\n',
     'plugins/module_utils/_rpc/settings.py:1: from ..engine_client import EngineClient reaches '
     'plugins/module_utils/engine_client.py (layer engine_client); rule: _rpc may import errors, _rpc'),
    ('module_utils/_runners/base.py', imported('module_utils._ansible.module', 'HeatRpcModule'),
     'plugins/module_utils/_runners/base.py:1: from %s.module_utils._ansible.module import HeatRpcModule reaches '
     'plugins/module_utils/_ansible/module.py (layer _ansible); rule: _runners may import errors, _heat, '
     '_runners' % PACKAGE),
    ('doc_fragments/connection.py', imported('module_utils', 'errors'),
     'plugins/doc_fragments/connection.py:1: from %s.module_utils import errors reaches '
     'plugins/module_utils/errors.py (layer errors); rule: doc_fragments may import nothing of the '
     'collection' % PACKAGE),
    ('lookup/x.py', imported('module_utils', 'engine_client'),
     'plugins/lookup/x.py:1: from %s.module_utils import engine_client reaches plugins/module_utils/engine_client.py '
     '(layer engine_client); rule: lookup may import errors, plugin_utils, _heat' % PACKAGE),
    ('module_utils/_heat/x.py', imported('module_utils._heat', 'gone'),
     'plugins/module_utils/_heat/x.py:1: from %s.module_utils._heat import gone names no module of the '
     'collection' % PACKAGE),
    ('module_utils/stray.py', '',
     'plugins/module_utils/stray.py is in no layer: add its folder to LAYERS (and its rule to MAY_IMPORT)'),
])
def test_the_checker_catches_an_import_against_the_rules(path, source, message):
    files = synthetic()
    files[path] = source
    assert layer_violations(files) == [message]


def test_the_checker_lets_allowed_imports_through():
    files = synthetic()
    files['module_utils/_heat/stacks.py'] = imported('module_utils', 'errors') + imported(
        'module_utils._heat.shapes', 'stack_state') + 'from ansible.module_utils.basic import AnsibleModule\n'
    files['plugin_utils/engine.py'] = imported('module_utils._ansible.connection_options', 'x')
    assert layer_violations(files) == []


def test_the_checker_follows_the_controller_path_to_ansible_module():
    files = synthetic()
    files['lookup/out.py'] = imported('plugin_utils.engine', 'engine_client')
    files['plugin_utils/engine.py'] = 'def f():\n    ' + imported('module_utils._ansible.connection_options', 'x')
    files['module_utils/_ansible/connection_options.py'] = imported('module_utils._ansible', 'module')
    files['module_utils/_ansible/module.py'] = 'import os\nfrom ansible.module_utils import basic\n'
    assert controller_leaks(files) == [
        'plugins/lookup/out.py -> plugins/plugin_utils/engine.py -> plugins/module_utils/_ansible/connection_options.py'
        ' -> plugins/module_utils/_ansible/module.py imports AnsibleModule: plugins/module_utils/_ansible/module.py:2 '
        'imports ansible.module_utils.basic',
        'plugins/plugin_utils/engine.py -> plugins/module_utils/_ansible/connection_options.py -> '
        'plugins/module_utils/_ansible/module.py imports AnsibleModule: plugins/module_utils/_ansible/module.py:2 '
        'imports ansible.module_utils.basic']
    files['module_utils/_ansible/connection_options.py'] = ''
    assert controller_leaks(files) == []


@pytest.mark.parametrize('source,line', [
    ('from ansible.module_utils.basic import AnsibleModule\n', 1),
    ('import ansible.module_utils.basic\n', 1),
    ('import os\n\n\ndef f():\n    from ansible.module_utils import basic\n', 5),
    ('from ansible.module_utils.common.arg_spec import ArgumentSpecValidator\n', None),
    ('from ansible.module_utils.basic_stuff import x\n', None),
    ('from ansible.module_utils import common\n', None),
])
def test_what_counts_as_importing_ansible_module(source, line):
    assert imports_ansible_module(source) == line


def test_the_cycle_finder():
    assert find_cycle({'a': {'b'}, 'b': {'c'}, 'c': set()}) is None
    assert find_cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}}) == ['a', 'b', 'c', 'a']
    assert find_cycle(without_self({'a': {'a', 'b'}, 'b': set()})) is None
    table = dict(MAY_IMPORT, _heat=('errors', '_heat', '_runners'))
    assert find_cycle(without_self(table)) == ['_heat', '_runners', '_heat']


def test_the_mirrored_path():
    assert mirror_of('module_utils/_heat/shapes.py') == 'module_utils/_heat/test_shapes.py'
    assert mirror_of('inventory/heat_stack.py') == 'inventory/test_heat_stack.py'
    assert mirrored_code({'module_utils/_rpc/__init__.py': '', 'modules/heat_stack.py': '', 'lookup/x.py': '',
                          'doc_fragments/c.py': ''}) == ['lookup/x.py']

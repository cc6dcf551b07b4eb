# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One template or environment document: parsed and checked, and the parameters it declares.

JSON first, then YAML with timestamps kept as strings (as heat reads them), refusing documents larger than the
engine accepts or whose aliases expand past a bound; which parameters a template declares, their types, and
which are hidden. Reading files and URLs and bundling a template with its files is ``templates.py``'s; this
file is apart so that what reads a stored stack's files (``secrets.py``, in every module that finds a stack)
carries only this, not the loader and Ansible's URL handling, in its payload.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - exercised by sanity's import test
    yaml = None
    HAS_YAML = False

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors

# heat-engine's default max_template_size (bytes); templates and files above it are refused.
MAX_TEMPLATE_BYTES = 524288
# The most nodes a YAML document may stand for once its aliases are expanded. A 512 KiB template
# written out in full has far fewer; an alias bomb has millions.
MAX_EXPANDED_NODES = 200000
VERSION_KEYS = ('heat_template_version', 'HeatTemplateFormatVersion', 'AWSTemplateFormatVersion')


class TemplateError(errors.ValidationFailedError):
    """A template, file or environment that cannot be used; nothing was sent."""
    kind = 'template_error'


if HAS_YAML:
    class _HeatYamlLoader(getattr(yaml, 'CSafeLoader', yaml.SafeLoader)):
        """SafeLoader that keeps timestamps as strings, as heat does (2018-08-31 stays a string)."""

    def _construct_string(loader, node):
        return loader.construct_scalar(node)

    _HeatYamlLoader.add_constructor('tag:yaml.org,2002:timestamp', _construct_string)


def parse_document(text, where, what='template'):
    """Parse JSON, else YAML; the result must be a mapping. Errors name ``where`` and the position."""
    if not HAS_YAML:
        raise TemplateError('the Python library PyYAML is required to read %ss' % what)
    if len(text.encode('utf-8') if not isinstance(text, bytes) else text) > MAX_TEMPLATE_BYTES:
        raise TemplateError('%s %s is larger than the engine accepts (%d bytes)' % (what, where, MAX_TEMPLATE_BYTES))
    stripped = text.lstrip()
    document = None
    if stripped.startswith('{'):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
    if document is None:
        try:
            document = load_yaml(text, where, what) if text.strip() else None
        except yaml.YAMLError as exc:
            raise TemplateError('%s %s is not valid YAML%s: %s' % (
                what, where, _position(exc), getattr(exc, 'problem', None) or exc))
    if not isinstance(document, dict):
        raise TemplateError('%s %s must be a mapping, not %s' % (
            what, where, 'empty' if document is None else type(document).__name__))
    return document


def load_yaml(text, where, what):
    """YAML text -> Python, refusing documents whose aliases expand past MAX_EXPANDED_NODES.

    Aliases make a small text stand for a huge document ("billion laughs"): the node graph is
    composed first (aliases share nodes, so it stays small) and its expanded size is counted over that
    graph, before anything is built from it.
    """
    loader = _HeatYamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        expanded = expanded_size(node)
        if expanded > MAX_EXPANDED_NODES:
            raise TemplateError('%s %s uses YAML aliases that expand to more than %d nodes (%s); refused before '
                                'anything was sent' % (what, where, MAX_EXPANDED_NODES,
                                                       'more' if expanded == float('inf') else expanded))
        return loader.construct_document(node)
    finally:
        loader.dispose()


def expanded_size(root):
    """How many nodes ``root`` stands for once every alias is expanded; counted on the shared graph."""
    sizes = {}
    pending = [(root, False)]
    while pending:
        node, children_done = pending.pop()
        if id(node) in sizes and not children_done:
            continue
        children = _children(node)
        if children_done:
            sizes[id(node)] = min(1 + sum(sizes.get(id(child), 0) for child in children), float('inf'))
            if sizes[id(node)] > MAX_EXPANDED_NODES:
                return sizes[id(node)]
            continue
        sizes[id(node)] = 0  # in progress: a cycle counts for nothing more
        pending.append((node, True))
        pending.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _children(node):
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _position(exc):
    mark = getattr(exc, 'problem_mark', None)
    if mark is None:
        return ''
    return ' (line %d, column %d)' % (mark.line + 1, mark.column + 1)


def check_template_version(template, where):
    if not any(key in template for key in VERSION_KEYS):
        raise TemplateError('template %s has no version key (one of %s)' % (where, ', '.join(VERSION_KEYS)))


def template_documents(template, files):
    """Every template among ``files`` (parsed), then the root template."""
    for text in files.values():
        try:
            document = parse_document(text, 'file')
        except TemplateError:
            continue
        if any(key in document for key in VERSION_KEYS):
            yield document
    yield template or {}


def declared_parameters(document):
    parameters = document.get('parameters') or document.get('Parameters') or {}
    return dict((name, schema) for name, schema in parameters.items() if isinstance(schema, dict))


def parameter_types(template, files):
    """Each parameter's declared type, from every template in ``files`` and then the root (which wins).

    The engine merges environment parameters by these types (heat's Template.all_param_schemata).
    """
    types = {}
    for document in template_documents(template, files):
        types.update(declared_types(document))
    return types


def hidden_parameters(template, files=None):
    """Names of the parameters that the root template or any template in ``files`` marks hidden."""
    return sorted(set(name for document in template_documents(template, files or {})
                      for name, schema in declared_parameters(document).items()
                      if schema.get('hidden') is True or str(schema.get('NoEcho')).lower() == 'true'))


def secret_values(hidden, environment):
    """The text of every value ``environment`` gives a hidden parameter: to mask wherever it may show."""
    values = []
    for section in ('parameters', 'parameter_defaults'):
        for name, value in (environment.get(section) or {}).items():
            if name in hidden and value not in (None, ''):
                values.append(value if isinstance(value, str) else json.dumps(value))
    return values


def declared_types(template):
    return dict((name, str(schema.get('type') or schema.get('Type') or 'string').lower())
                for name, schema in declared_parameters(template).items())


def check_parameter_value(template, name, value):
    """A list or mapping given for a parameter the template declares a string or number is refused.

    The engine would silently turn it into its Python text form.
    """
    declared = ((template or {}).get('parameters') or (template or {}).get('Parameters') or {}).get(name)
    kind = str(declared.get('type') or declared.get('Type') or '').lower() if isinstance(declared, dict) else ''
    if kind in ('string', 'number') and isinstance(value, (list, dict)):
        raise TemplateError('parameters.%s: the template declares it a %s, but a %s was given'
                            % (name, kind, type(value).__name__))

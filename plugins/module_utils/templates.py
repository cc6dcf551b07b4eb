# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Templates and environments, read and checked before anything is sent to the engine.

Does what the heat CLI does on the client side: parse a template (JSON first,
then YAML with timestamps kept as strings), follow nested template types and
``get_file`` references relative to the template's location and put them in
``files`` under absolute URLs, resolve environment ``resource_registry`` file
mappings the same way, and merge environments in order. Every problem is
reported as a TemplateError naming the file and, for YAML, line and column.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os

try:
    from urllib.parse import urljoin, urlparse
    from urllib.request import url2pathname, pathname2url
except ImportError:  # pragma: no cover - Python 2 is not supported
    from urlparse import urljoin, urlparse
    from urllib import url2pathname, pathname2url

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - exercised by sanity's import test
    yaml = None
    HAS_YAML = False

from ansible.module_utils.urls import open_url

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors

# heat-engine's default max_template_size (bytes); templates and files above it are refused.
MAX_TEMPLATE_BYTES = 524288
VERSION_KEYS = ('heat_template_version', 'HeatTemplateFormatVersion', 'AWSTemplateFormatVersion')
# Resource types that name a template file, as the heat CLI recognises them.
TEMPLATE_SUFFIXES = ('.yaml', '.yml', '.template', '.json')
# Seconds allowed to fetch a template_url (or a file it refers to) over HTTP.
URL_FETCH_TIMEOUT = 30
ENVIRONMENT_SECTIONS = ('parameters', 'parameter_defaults', 'resource_registry', 'event_sinks',
                        'encrypted_param_names', 'parameter_merge_strategies')


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
            document = yaml.load(text, Loader=_HeatYamlLoader) if text.strip() else None
        except yaml.YAMLError as exc:
            raise TemplateError('%s %s is not valid YAML%s: %s' % (
                what, where, _position(exc), getattr(exc, 'problem', None) or exc))
    if not isinstance(document, dict):
        raise TemplateError('%s %s must be a mapping, not %s' % (
            what, where, 'empty' if document is None else type(document).__name__))
    return document


def _position(exc):
    mark = getattr(exc, 'problem_mark', None)
    if mark is None:
        return ''
    return ' (line %d, column %d)' % (mark.line + 1, mark.column + 1)


def check_template_version(template, where):
    if not any(key in template for key in VERSION_KEYS):
        raise TemplateError('template %s has no version key (one of %s)' % (where, ', '.join(VERSION_KEYS)))


class Source:
    """Where a document came from: a URL (file:// for local paths) to resolve relative references against."""

    def __init__(self, url, fetch):
        self.url = url
        self.fetch = fetch

    def resolve(self, reference):
        return urljoin(self.url, reference)


def path_to_url(path):
    return 'file://' + pathname2url(os.path.abspath(path))


def directory_url(path):
    """file:// URL of a directory, with the trailing slash relative references need."""
    return path_to_url(path).rstrip('/') + '/'


def read_url(url, fetch_url=None):
    """The text at ``url``: file:// read locally, anything else through ``fetch_url``."""
    parsed = urlparse(url)
    if parsed.scheme in ('', 'file'):
        path = url2pathname(parsed.path)
        try:
            with open(path, 'rb') as handle:
                data = handle.read(MAX_TEMPLATE_BYTES + 1)
        except (IOError, OSError) as exc:
            raise TemplateError('cannot read %s: %s' % (path, exc.strerror or exc))
    else:
        if fetch_url is None:
            raise TemplateError('cannot fetch %s: only local files are supported here' % url)
        data = fetch_url(url)
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateError('%s is larger than the engine accepts (%d bytes)' % (display(url), MAX_TEMPLATE_BYTES))
    try:
        return data.decode('utf-8') if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise TemplateError('%s is not UTF-8 text' % display(url))


def display(url):
    """A file:// URL shown as its path, anything else as is."""
    parsed = urlparse(url)
    return url2pathname(parsed.path) if parsed.scheme == 'file' else url


class TemplateBundle:
    """A template with every file it needs: what create/update/preview/validate send."""

    def __init__(self, template, files, url=None):
        self.template = template
        self.files = files
        self.url = url


class TemplateLoader:
    """Reads templates and environments the way the heat CLI does.

    ``fetch_url(url) -> bytes`` fetches non-file URLs (the modules pass
    ansible's open_url); without it only local files can be read.
    """

    def __init__(self, fetch_url=None):
        self.fetch_url = fetch_url

    # -- templates ---------------------------------------------------------------------------

    def load(self, template=None, template_body=None, template_url=None, base_dir=None):
        """Exactly one of ``template`` (path), ``template_body`` (dict or text), ``template_url``."""
        files = {}
        if template is not None:
            url = path_to_url(template)
            text = read_url(url, self.fetch_url)
            document = parse_document(text, display(url))
        elif template_url is not None:
            url = template_url if urlparse(template_url).scheme else path_to_url(template_url)
            text = read_url(url, self.fetch_url)
            document = parse_document(text, display(url))
        elif template_body is not None:
            url = directory_url(base_dir) if base_dir else None
            if isinstance(template_body, dict):
                document = copy.deepcopy(template_body)
                _check_size(document, 'template_body')
            else:
                document = parse_document(template_body, 'template_body')
        else:
            raise TemplateError('one of template, template_body or template_url is required')
        where = display(url) if template is not None or template_url is not None else 'template_body'
        check_template_version(document, where)
        self._resolve(document, url, files, where)
        return TemplateBundle(document, files, url)

    def _resolve(self, document, base_url, files, where):
        """Walk a template: nested template types and get_file references go into ``files``.

        Each reference is rewritten to its absolute URL (the key in ``files``); returns whether any was.
        """
        rewritten = False
        resources = document.get('resources') or document.get('Resources') or {}
        if isinstance(resources, dict):
            for name, resource in resources.items():
                if not isinstance(resource, dict):
                    continue
                type_key = 'type' if 'type' in resource else 'Type'
                rtype = resource.get(type_key)
                if isinstance(rtype, str) and rtype.endswith(TEMPLATE_SUFFIXES):
                    resource[type_key] = self._add_file(rtype, base_url, files, where, 'resource %s type' % name,
                                                        template=True)
                    rewritten = True
        return self._resolve_get_file(document, base_url, files, where) or rewritten

    def _resolve_get_file(self, node, base_url, files, where):
        rewritten = False
        if isinstance(node, dict):
            for key, value in node.items():
                if key == 'get_file' and isinstance(value, str):
                    node[key] = self._add_file(value, base_url, files, where, 'get_file')
                    rewritten = True
                elif self._resolve_get_file(value, base_url, files, where):
                    rewritten = True
        elif isinstance(node, list):
            for item in node:
                if self._resolve_get_file(item, base_url, files, where):
                    rewritten = True
        return rewritten

    def _add_file(self, reference, base_url, files, where, what, template=False):
        """Load ``reference`` (relative to ``base_url``) into ``files``; return its key (absolute URL)."""
        if urlparse(reference).scheme:
            url = reference
        elif base_url is None:
            if os.path.isabs(reference):
                url = path_to_url(reference)
            else:
                raise TemplateError('%s in %s refers to %s, a relative path, but the template has no location; '
                                    'use template (a path), template_url, or set template_base_dir'
                                    % (what, where, reference))
        else:
            url = urljoin(base_url, reference)
        if url in files:
            return url
        text = read_url(url, self.fetch_url)
        files[url] = text
        if template:
            nested = parse_document(text, display(url), what='nested template')
            check_template_version(nested, display(url))
            if self._resolve(nested, url, files, display(url)):
                # Its own references now carry absolute URLs: store it rewritten, as the heat CLI does.
                files[url] = json.dumps(nested)
        return url

    # -- environments ------------------------------------------------------------------------

    def load_environments(self, entries, base_dir=None):
        """Merge environment files and dicts in order into one environment; returns (env, files)."""
        merged = empty_environment()
        files = {}
        for index, entry in enumerate(entries or []):
            if isinstance(entry, dict):
                environment = copy.deepcopy(entry)
                where = 'environment[%d]' % index
                url = directory_url(base_dir) if base_dir else None
            elif isinstance(entry, str):
                url = entry if urlparse(entry).scheme else path_to_url(entry)
                where = display(url)
                environment = parse_document(read_url(url, self.fetch_url), where, what='environment')
            else:
                raise TemplateError('environment[%d] must be a file path or a dict, not %s'
                                    % (index, type(entry).__name__))
            unknown = set(environment) - set(ENVIRONMENT_SECTIONS)
            if unknown:
                raise TemplateError('environment %s has unknown sections: %s (known: %s)' % (
                    where, ', '.join(sorted(unknown)), ', '.join(ENVIRONMENT_SECTIONS)))
            self._resolve_registry(environment.get('resource_registry') or {}, url, files, where)
            merge_environment(merged, environment)
        return merged, files

    def _resolve_registry(self, registry, base_url, files, where):
        for key, value in list(registry.items()):
            if key == 'resources' and isinstance(value, dict):
                for resource_name, mapping in value.items():
                    if isinstance(mapping, dict):
                        self._resolve_registry(mapping, base_url, files, '%s resource %s' % (where, resource_name))
            elif isinstance(value, str) and value.endswith(TEMPLATE_SUFFIXES):
                registry[key] = self._add_file(value, base_url, files, where, 'resource_registry %s' % key,
                                               template=True)


def _check_size(document, where):
    if len(json.dumps(document)) > MAX_TEMPLATE_BYTES:
        raise TemplateError('%s is larger than the engine accepts (%d bytes)' % (where, MAX_TEMPLATE_BYTES))


def empty_environment():
    """An environment with every section the engine's merging expects."""
    return {'parameters': {}, 'parameter_defaults': {}, 'resource_registry': {}, 'event_sinks': [],
            'encrypted_param_names': [], 'parameter_merge_strategies': {}}


def _deep_merge(base, extra):
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def merge_environment(merged, environment):
    """Merge ``environment`` into ``merged``: parameters replace, maps merge deeply, lists replace."""
    for section, value in environment.items():
        if value is None:
            continue
        if section in ('parameters', 'parameter_defaults', 'parameter_merge_strategies'):
            merged[section].update(copy.deepcopy(value))
        elif section == 'resource_registry':
            _deep_merge(merged[section], value)
        else:
            merged[section] = copy.deepcopy(value)
    return merged


TEMPLATE_OPTIONS = ('template', 'template_body', 'template_url')


def template_argument_spec():
    """The template options (documented in the ``template`` doc fragment); modules add ``parameters``."""
    return dict(
        template=dict(type='path'),
        template_body=dict(type='raw'),
        template_url=dict(type='str'),
        template_base_dir=dict(type='path'),
        environment=dict(type='list', elements='raw', default=[]),
        parameter_defaults=dict(type='dict', default={}),
    )


def load_stack_inputs(loader, params, require_template=True):
    """Template, files and environment from the options the template-taking modules share.

    ``params`` has ``template`` / ``template_body`` / ``template_url``, ``template_base_dir``,
    ``environment``, ``parameters`` and ``parameter_defaults``. The environments are merged in order,
    then ``parameters`` and ``parameter_defaults`` go over them; the result has every section the
    engine's merging expects. The template is None when no template option is set and
    ``require_template`` is false. Everything is read and checked before any RPC.
    """
    base_dir = params.get('template_base_dir')
    environment, files = loader.load_environments(params.get('environment') or [], base_dir)
    template = None
    if require_template or any(params.get(key) is not None for key in TEMPLATE_OPTIONS):
        bundle = loader.load(template=params.get('template'), template_body=params.get('template_body'),
                             template_url=params.get('template_url'), base_dir=base_dir)
        template = bundle.template
        files.update(bundle.files)
    environment['parameters'].update(copy.deepcopy(params.get('parameters') or {}))
    environment['parameter_defaults'].update(copy.deepcopy(params.get('parameter_defaults') or {}))
    return template, files, environment


def ansible_template_loader():
    """A TemplateLoader that fetches http(s) URLs with Ansible's own URL handling (open_url).

    It lives here, not in common.py, so that only the modules that read templates carry
    ansible.module_utils.urls and this file in their payload.
    """
    return TemplateLoader(fetch_url=lambda url: open_url(url, timeout=URL_FETCH_TIMEOUT).read())

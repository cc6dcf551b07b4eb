# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Templates and environments, read and checked before anything is sent to the engine.

Does what the heat CLI does on the client side: parse a template (JSON first,
then YAML with timestamps kept as strings), follow nested template types and
``get_file`` references relative to the template's location and put them in
``files``, resolve environment ``resource_registry`` file mappings the same way,
and hand the environments to the engine as ``environment_files`` (the engine
merges them in order, honouring ``parameter_merge_strategies``), as
``openstack stack create -e`` does. Every problem is reported as a
TemplateError naming the file and, for YAML, line and column.

Keys in ``files`` are relative to the root template's directory (``child.yaml``,
``lib/x.sh``, ``../common/y.yaml``), and references are rewritten to them, so
the same tree checked out anywhere sends the same template and files: the
engine looks nested templates and ``get_file`` up by the exact key.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os
import posixpath

try:
    from urllib.parse import quote, unquote, urljoin, urlparse
except ImportError:  # pragma: no cover - Python 2 is not supported
    from urlparse import urljoin, urlparse
    from urllib import quote, unquote

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.documents import (
    MAX_TEMPLATE_BYTES, TemplateError, check_parameter_value, check_template_version, hidden_parameters,
    parameter_types, parse_document, secret_values,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.environments import merge_layers

# Resource types that name a template file, as the heat CLI recognises them.
TEMPLATE_SUFFIXES = ('.yaml', '.yml', '.template', '.json')
# The most a template, its files and its environments may come to together. They travel in one RPC
# message, and RabbitMQ refuses messages over 16 MiB by default (max_message_size, since 4.0): half of
# that leaves room for the rest of the message. Applies where the module reads them and on the controller.
MAX_BUNDLE_BYTES = 8 * 1024 * 1024
# Seconds allowed to fetch a template_url (or a file it refers to) over HTTP.
URL_FETCH_TIMEOUT = 30
ENVIRONMENT_SECTIONS = ('parameters', 'parameter_defaults', 'resource_registry', 'event_sinks',
                        'encrypted_param_names', 'parameter_merge_strategies')
LIST_SECTIONS = ('event_sinks', 'encrypted_param_names')
# What a loader's renderer is shown: templates and environment files, never get_file files.
RENDERABLE = ('template', 'nested template', 'environment')


def pathname2url(path):
    """urllib.request.pathname2url as it is on POSIX (Python 3.10 to 3.13), without importing urllib.request: that
    loads http.client, email and ssl, 50 ms of every heat_stack task for two one-line functions."""
    return quote(path)


def url2pathname(path):
    """urllib.request.url2pathname as it is on POSIX; see pathname2url."""
    return unquote(path)


def path_to_url(path):
    return 'file://' + pathname2url(os.path.abspath(path))


def directory_url(path):
    """file:// URL of a directory, with the trailing slash relative references need."""
    return path_to_url(path).rstrip('/') + '/'


def base_of(url):
    """The URL of the directory ``url`` is in (with its trailing slash)."""
    return urljoin(url, '.')


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


def relative_key(url, key_base):
    """The key of ``url`` in ``files``: relative to ``key_base`` where both are on one host, else ``url``.

    ``key_base`` is the root template's directory URL (or None: keys stay absolute). A file outside
    that directory gets a ``../`` key, so only the layout of the tree matters, not where it lives.
    """
    if key_base is None:
        return url
    target, base = urlparse(url), urlparse(key_base)
    if (target.scheme, target.netloc) != (base.scheme, base.netloc) or target.query or target.fragment:
        return url
    return posixpath.relpath(target.path, base.path.rstrip('/') or '/')


class TemplateBundle:
    """A template with every file it needs: what create/update/preview/validate send."""

    def __init__(self, template, files):
        self.template = template
        self.files = files


class EnvironmentLayer:
    """One environment, as the engine merges it: its key in ``files`` and its document."""

    def __init__(self, key, document, where):
        self.key = key
        self.document = document
        self.where = where


class TemplateLoader:
    """Reads templates and environments the way the heat CLI does.

    ``fetch_url(url) -> bytes`` fetches non-file URLs (the modules pass
    ansible's open_url); without it only local files can be read.
    ``render(text, url, what) -> text``, when given, sees the text of every template (``what`` is
    ``template`` or ``nested template``) and environment file (``environment``) before it is parsed;
    ``get_file`` files are never passed to it. The action plugins render Jinja with it on the controller.
    """

    def __init__(self, fetch_url=None, render=None):
        self.fetch_url = fetch_url
        self.render = render
        # Each file is read (and rendered) once per load: a template and an environment may name the same file.
        self.texts = {}

    def read(self, url, what):
        """The text at ``url``, rendered first when it is a template or an environment and a renderer is set."""
        if (url, what) not in self.texts:
            text = read_url(url, self.fetch_url)
            if self.render is not None and what in RENDERABLE:
                text = self.render(text, url, what)
            self.texts[(url, what)] = text
        return self.texts[(url, what)]

    # -- templates ---------------------------------------------------------------------------

    def load(self, template=None, template_body=None, template_url=None, base_dir=None):
        """Exactly one of ``template`` (path), ``template_body`` (dict or text), ``template_url``.

        Keys in ``files`` are relative to the template's directory (``base_dir`` for a template_body).
        """
        files = {}
        if template is not None:
            url = path_to_url(template)
            document = parse_document(self.read(url, 'template'), display(url))
        elif template_url is not None:
            url = template_url if urlparse(template_url).scheme else path_to_url(template_url)
            document = parse_document(self.read(url, 'template'), display(url))
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
        key_base = base_of(url) if url else None
        self._resolve(document, url, key_base, files, where)
        return TemplateBundle(document, files)

    def _resolve(self, node, base_url, key_base, files, where):
        """Walk a template: nested template types and get_file references go into ``files``.

        A ``type`` naming a template file counts wherever it stands (a resource, or a resource
        definition such as a ResourceGroup's resource_def), as in the heat CLI. Each reference is
        rewritten to its key in ``files``; returns whether any was changed.
        """
        rewritten = False
        if isinstance(node, dict):
            for key, value in node.items():
                if key == 'get_file' and isinstance(value, str):
                    node[key] = self._add_file(value, base_url, key_base, files, where, 'get_file')
                elif key in ('type', 'Type') and isinstance(value, str) and value.endswith(TEMPLATE_SUFFIXES):
                    node[key] = self._add_file(value, base_url, key_base, files, where, 'type %s' % value,
                                               template=True)
                else:
                    rewritten = self._resolve(value, base_url, key_base, files, where) or rewritten
                    continue
                rewritten = rewritten or node[key] != value
        elif isinstance(node, list):
            for item in node:
                rewritten = self._resolve(item, base_url, key_base, files, where) or rewritten
        return rewritten

    def _add_file(self, reference, base_url, key_base, files, where, what, template=False):
        """Load ``reference`` (relative to ``base_url``) into ``files``; return its key."""
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
        key = relative_key(url, key_base)
        if key in files:
            return key
        text = self.read(url, 'nested template' if template else 'file')
        files[key] = text
        if template:
            nested = parse_document(text, display(url), what='nested template')
            check_template_version(nested, display(url))
            if self._resolve(nested, url, key_base, files, display(url)):
                # Its own references were rewritten to their keys: store it rewritten, as the heat CLI does.
                files[key] = json.dumps(nested)
        return key

    # -- environments ------------------------------------------------------------------------

    def load_environments(self, entries, key_base=None, base_dir=None):
        """Each environment (a path, URL or dict) as an EnvironmentLayer, in order; returns (layers, files).

        ``files`` holds what their ``resource_registry`` refers to. A file's layer is keyed by its path
        relative to ``key_base``; a dict's by ``ansible:environment[N]``.
        """
        layers = []
        files = {}
        for index, entry in enumerate(entries or []):
            if isinstance(entry, dict):
                environment = copy.deepcopy(entry)
                where = 'environment[%d]' % index
                url = directory_url(base_dir) if base_dir else None
                key = 'ansible:environment[%d]' % index
            elif isinstance(entry, str):
                url = entry if urlparse(entry).scheme else path_to_url(entry)
                where = display(url)
                environment = parse_document(self.read(url, 'environment'), where, what='environment')
                key = relative_key(url, key_base)
            else:
                raise TemplateError('environment[%d] must be a file path or a dict, not %s'
                                    % (index, type(entry).__name__))
            check_environment(environment, where)
            registry = environment.get('resource_registry') or {}
            self._resolve_registry(registry, url, key_base, files, where)
            layers.append(EnvironmentLayer(key, environment, where))
        return layers, files

    def _resolve_registry(self, registry, base_url, key_base, files, where):
        for key, value in list(registry.items()):
            if key == 'resources' and isinstance(value, dict):
                for resource_name, mapping in value.items():
                    if isinstance(mapping, dict):
                        self._resolve_registry(mapping, base_url, key_base, files,
                                               '%s resource %s' % (where, resource_name))
            elif isinstance(value, str) and value.endswith(TEMPLATE_SUFFIXES):
                registry[key] = self._add_file(value, base_url, key_base, files, where,
                                               'resource_registry %s' % key, template=True)


def check_environment(environment, where):
    """Refuse unknown sections and sections of the wrong type, naming the environment and the section."""
    unknown = set(environment) - set(ENVIRONMENT_SECTIONS)
    if unknown:
        raise TemplateError('environment %s has unknown sections: %s (known: %s)' % (
            where, ', '.join(sorted(str(name) for name in unknown)), ', '.join(ENVIRONMENT_SECTIONS)))
    for section, value in environment.items():
        wanted = list if section in LIST_SECTIONS else dict
        if value is not None and not isinstance(value, wanted):
            raise TemplateError('environment %s: %s must be a %s, not %s' % (
                where, section, 'list' if wanted is list else 'mapping', type(value).__name__))


def _check_size(document, where):
    if len(json.dumps(document)) > MAX_TEMPLATE_BYTES:
        raise TemplateError('%s is larger than the engine accepts (%d bytes)' % (where, MAX_TEMPLATE_BYTES))


def empty_environment():
    """An environment with every section the engine's merging expects."""
    return {'parameters': {}, 'parameter_defaults': {}, 'resource_registry': {}, 'event_sinks': [],
            'encrypted_param_names': [], 'parameter_merge_strategies': {}}


TEMPLATE_OPTIONS = ('template', 'template_body', 'template_url')
# What the template options name, resolved and read: the relative paths among them are looked up on the
# controller by the action plugins (role files/ or templates/, then the playbook's directory).
PATH_OPTIONS = ('template', 'template_base_dir')
RENDER_CHOICES = ('none', 'template', 'all')
# What each render choice hands the renderer (TemplateLoader.read's ``what``).
RENDERED = {'none': (), 'template': ('template',), 'all': RENDERABLE}


def template_argument_spec():
    """The template options (documented in the ``template`` doc fragment); modules add ``parameters``."""
    return dict(
        template=dict(type='path'),
        template_body=dict(type='raw'),
        template_url=dict(type='str'),
        template_base_dir=dict(type='path'),
        environment=dict(type='list', elements='raw', default=[]),
        parameter_defaults=dict(type='dict', default={}),
        remote_src=dict(type='bool', default=False),
        render=dict(type='str', default='none', choices=list(RENDER_CHOICES)),
        # JSON text, not a dict: no_log then hides it as one value (a dict's every string would be masked
        # wherever it shows), and it is kept out of the target's log and -vvv output.
        template_bundle=dict(type='json', no_log=True),
    )


def check_template_body(params):
    body = params.get('template_body')
    if body is not None and not isinstance(body, (dict, str)):
        raise errors.ConfigurationError('template_body must be a dict or a YAML/JSON string, not %s'
                                        % type(body).__name__)


def check_template_options(params):
    check_template_body(params)
    if params.get('template_bundle') is None and (params.get('render') or 'none') != 'none':
        # Only the action plugin renders (it has the play's variables); a module run without it cannot.
        raise errors.ConfigurationError('render=%s needs the files read on the controller: it cannot be used with '
                                        'remote_src=true' % params['render'])


class StackInputs:
    """What a stack is made of, read and checked before any RPC.

    ``environment`` and ``environment_files`` are what is sent: the engine merges the layers named by
    ``environment_files`` (their contents are in ``files``) over ``environment``. ``merged`` is the
    environment the engine will store, worked out here the same way, to compare with it and to send
    in place of the layers where the API version cap does not allow ``environment_files``.
    """

    def __init__(self, template, files, environment, environment_files, merged, hidden=(), secrets=()):
        self.template = template
        self.files = files
        self.environment = environment
        self.environment_files = environment_files
        self.merged = merged
        # Parameters any of the templates marks hidden, and the values given for them.
        self.hidden = list(hidden)
        self.secrets = list(secrets)

    def sent(self, environment_files_allowed):
        """(environment, files, environment_files) to send: the layers, or their merge where the API cap forbids them."""
        if self.environment_files and not environment_files_allowed:
            return self.merged, self.files, None
        return self.environment, self.files, self.environment_files


class StackSources:
    """What the template options name, read: the root template (None when none is given), every file it and
    the environments refer to (by key), and the environment layers in order.

    load_stack_inputs reads them where the module runs (``remote_src``) or takes them as data
    (``template_bundle``), which the action plugins make on the controller with as_data().
    """

    def __init__(self, template, files, layers):
        self.template = template
        self.files = files
        self.layers = layers
        size = len(json.dumps(template)) + sum(len(text) for text in files.values()) + sum(
            len(json.dumps(layer.document)) for layer in layers)
        if size > MAX_BUNDLE_BYTES:
            raise TemplateError('the template, its %d files and its %d environments come to %d bytes, more than the '
                                '%d one request may carry' % (len(files), len(layers), size, MAX_BUNDLE_BYTES))

    def as_data(self):
        return {'template': self.template, 'files': self.files,
                'environment': [{'key': layer.key, 'document': layer.document, 'where': layer.where}
                                for layer in self.layers]}

    def as_text(self):
        """as_data() as the JSON text the module's ``template_bundle`` option carries."""
        return json.dumps(self.as_data(), sort_keys=True)

    @classmethod
    def from_data(cls, data, option='template_bundle'):
        """The sources that as_data() gave; anything else is refused, naming ``option`` and the part."""
        def refuse(part, problem):
            raise errors.ConfigurationError('%s%s %s (it is made by the action plugin from the files it reads on the '
                                            'controller; do not set it by hand)' % (option, part, problem))

        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError as exc:
                refuse('', 'is not JSON: %s' % exc)
        if not isinstance(data, dict):
            refuse('', 'must be a mapping, not %s' % type(data).__name__)
        unknown = sorted(set(data) - set(('template', 'files', 'environment')))
        if unknown:
            refuse('', 'has unknown keys: %s' % ', '.join(unknown))
        template, files, layers = data.get('template'), data.get('files') or {}, data.get('environment') or []
        if template is not None and not isinstance(template, dict):
            refuse('.template', 'must be a mapping, not %s' % type(template).__name__)
        if not isinstance(files, dict) or not all(isinstance(text, str) for text in files.values()):
            refuse('.files', 'must map each key to the text of a file')
        if not isinstance(layers, list) or not all(
                isinstance(layer, dict) and isinstance(layer.get('key'), str) and isinstance(layer.get('document'), dict)
                for layer in layers):
            refuse('.environment', 'must be a list of {key, document, where}')
        return cls(template, dict(files), [EnvironmentLayer(layer['key'], copy.deepcopy(layer['document']),
                                                            str(layer.get('where') or layer['key']))
                                           for layer in layers])


def key_base_for(params, template_url):
    """The directory keys in ``files`` are relative to: the root template's, else template_base_dir's."""
    if template_url is not None:
        return base_of(template_url)
    base_dir = params.get('template_base_dir')
    return directory_url(base_dir) if base_dir else None


def read_stack_sources(loader, params, require_template=True):
    """Read what the template options name with ``loader``: the template (when one is given or required),
    its files and the environment layers. Keys in ``files`` are relative to the root template's directory.
    """
    template = None
    files = {}
    template_url = None
    if params.get('template') is not None:
        template_url = path_to_url(params['template'])
    elif params.get('template_url') is not None:
        given = params['template_url']
        template_url = given if urlparse(given).scheme else path_to_url(given)
    if require_template or any(params.get(key) is not None for key in TEMPLATE_OPTIONS):
        bundle = loader.load(template=params.get('template'), template_body=params.get('template_body'),
                             template_url=params.get('template_url'), base_dir=params.get('template_base_dir'))
        template = bundle.template
        files.update(bundle.files)
    layers, registry_files = loader.load_environments(params.get('environment') or [],
                                                      key_base_for(params, template_url),
                                                      params.get('template_base_dir'))
    files.update(registry_files)
    return StackSources(template, files, layers)


def load_stack_inputs(loader, params, require_template=True):
    """Template, files and environment layers from the options the template-taking modules share.

    ``params`` has ``template`` / ``template_body`` / ``template_url``, ``template_base_dir``,
    ``environment``, ``parameters`` and ``parameter_defaults``; or ``template_bundle``, the same read on the
    controller. The environments become layers the
    engine merges in order over ``parameters`` and ``parameter_defaults``, which win: a parameter they
    set is taken out of the layers as sent. Keeping them out of the layers also keeps their values
    out of ``files``, which the engine never masks. The template is None when no template option is
    set and ``require_template`` is false.
    """
    if params.get('template_bundle') is not None:
        sources = StackSources.from_data(params['template_bundle'])
        if require_template and sources.template is None:
            raise TemplateError('one of template, template_body or template_url is required')
    else:
        sources = read_stack_sources(loader, params, require_template)
    template, files, layers = sources.template, dict(sources.files), sources.layers
    environment = empty_environment()
    for section in ('parameters', 'parameter_defaults'):
        environment[section].update(copy.deepcopy(params.get(section) or {}))
    for name, value in environment['parameters'].items():
        check_parameter_value(template, name, value)
    for layer in layers:
        for section in ('parameters', 'parameter_defaults'):
            given = layer.document.get(section)
            if isinstance(given, dict):
                for name in set(given) & set(environment[section]):
                    del given[name]
        files[layer.key] = json.dumps(layer.document)
    merged = merge_layers(environment, layers, parameter_types(template, files))
    hidden = hidden_parameters(template, files)
    return StackInputs(template, files, environment, [layer.key for layer in layers] or None, merged,
                       hidden=hidden, secrets=secret_values(hidden, merged))


def ansible_template_loader(render=None):
    """A TemplateLoader that fetches http(s) URLs with Ansible's own URL handling (open_url).

    It lives here, not in _ansible/module.py, so that only the modules that read templates carry
    ansible.module_utils.urls and this file in their payload. The action plugins make theirs here too,
    with a Jinja ``render``. ansible.module_utils.urls is imported at the first fetch: it takes 35 ms to import, and
    most tasks fetch nothing; and it loads AnsibleModule, which the controller plugins must not load.
    """
    return TemplateLoader(fetch_url=fetch_with_ansible, render=render)


def fetch_with_ansible(url):
    from ansible.module_utils.urls import open_url

    return open_url(url, timeout=URL_FETCH_TIMEOUT).read()

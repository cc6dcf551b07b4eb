# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Files read on the controller for the modules that take them: the action plugins' one base.

The playbooks, roles and templates live on the controller (or in an AWX project) while the modules often
run inside the control plane (``delegate_to``). The action plugins of heat_stack, heat_template_validate and
heat_software_config therefore find each relative path the way Ansible's own file-taking actions do (the
role's ``files/``, or ``templates/`` when rendering, then the playbook's directory), read the files with the
modules' own loader (module_utils/_heat/templates.py) here, optionally rendering them with Jinja and the
task's variables, and hand the module the result as data. With ``remote_src: true`` the module reads them
where it runs, as before.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

try:
    from urllib.parse import urlparse
except ImportError:  # pragma: no cover - Python 2 is not supported
    from urlparse import urlparse

from ansible.errors import AnsibleError
from ansible.module_utils.common.validation import check_type_bool, check_type_list, check_type_path
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

try:
    from ansible.template import trust_as_template  # ansible-core 2.19 and later: file text must be trusted
except ImportError:  # ansible-core 2.16 to 2.18
    trust_as_template = None

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.software import read_config_text
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.documents import TemplateError
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.templates import (
    RENDER_CHOICES, RENDERED, TEMPLATE_OPTIONS, ansible_template_loader, check_template_body, display, read_stack_sources,
)


# -- the options as the module would see them (task arguments are not yet validated by its argument spec) ------

def flag(args, option):
    """A boolean option of the task, False when absent; a value that is not a boolean names the option."""
    try:
        return check_type_bool(args.get(option) or False)
    except TypeError as exc:
        raise errors.ConfigurationError('%s: %s' % (option, exc))


def render_choice(args):
    choice = args.get('render') or 'none'
    if choice not in RENDER_CHOICES:
        raise errors.ConfigurationError('render must be one of %s, not %s' % (', '.join(RENDER_CHOICES), choice))
    return choice


def plain(value):
    """Task arguments as plain Python: ansible-core 2.19 hands an action tagged subclasses of dict, list and str,
    which PyYAML's C parser refuses and whose type names would show in messages."""
    if isinstance(value, dict):
        return dict((plain(key), plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def is_url(value):
    return bool(urlparse(value).scheme)


# -- finding and reading --------------------------------------------------------------------------------------

def resolved_stack_paths(args, find):
    """``args`` with every file path among the template options made absolute by ``find(option, path)``.

    ``find`` searches the way Ansible's file-taking actions do and raises TemplateError naming the file
    and each directory searched. URLs (template_url, environment entries) stay as they are: they are
    fetched from here.
    """
    resolved = dict(args)
    for option in ('template', 'template_base_dir'):
        if args.get(option) is not None:
            resolved[option] = find(option, check_type_path(str(args[option])))
    if args.get('template_url') is not None and not is_url(str(args['template_url'])):
        resolved['template_url'] = find('template_url', check_type_path(str(args['template_url'])))
    try:
        entries = check_type_list(args.get('environment') or [])
    except TypeError as exc:
        raise errors.ConfigurationError('environment: %s' % exc)
    resolved['environment'] = [find('environment[%d]' % index, check_type_path(entry))
                               if isinstance(entry, str) and not is_url(entry) else entry
                               for index, entry in enumerate(entries)]
    return resolved


def stack_bundle(args, find, render=None):
    """The template, files and environment layers the template options name, read here: the JSON text of the
    module's ``template_bundle``. Keys in its files are relative to the root template's directory, as when
    the module reads them itself, so the same tree found anywhere is the same definition."""
    check_template_body(args)
    loader = ansible_template_loader(render=render)
    return read_stack_sources(loader, resolved_stack_paths(args, find), require_template=False).as_text()


def jinja_renderer(templar, variables, choice):
    """render(text, url, what) for the TemplateLoader: Jinja with the task's variables, for what ``choice`` names."""
    wanted = RENDERED[choice]

    def render(text, url, what):
        if what not in wanted:
            return text
        try:
            rendered = render_text(templar, variables, text)
        except Exception as exc:  # AnsibleError, and Jinja's own errors on the older cores
            raise TemplateError('cannot render %s %s with Jinja%s: %s' % (
                what, display(url), line_of(exc), exception_message(exc)))
        return rendered if isinstance(rendered, str) else json.dumps(rendered)

    return render


def render_text(templar, variables, text):
    if trust_as_template is not None:
        return templar.copy_with_new_env(available_variables=variables).template(
            trust_as_template(text), escape_backslashes=False)
    rendering = templar.copy_with_new_env()
    rendering.available_variables = variables
    return rendering.do_template(text, preserve_trailing_newlines=True, escape_backslashes=False)


def exception_chain(exc):
    seen = []
    while exc is not None and not any(exc is known for known in seen):
        seen.append(exc)
        exc = getattr(exc, 'orig_exc', None) or exc.__cause__ or exc.__context__
    return seen


def line_of(exc):
    """' (line N)' of the template line a render error is on, when Jinja tells it; else ''."""
    # Only a syntax error carries its line; a runtime one (an undefined variable) names the variable instead.
    for error in exception_chain(exc):
        if isinstance(getattr(error, 'lineno', None), int):
            return ' (line %d)' % error.lineno
    return ''


def exception_message(exc):
    return ' '.join(str(exc).split('\n', 1)[0].split()) or type(exc).__name__


# -- the action plugins' base ----------------------------------------------------------------------------------

class ControllerFilesAction(ActionBase):
    """Reads the files a module takes on the controller (module_args()) and runs the module with them.

    A subclass says which options it reads; a failure here is reported as the module reports its own
    (``msg`` and ``error.kind``), and nothing is sent.
    """

    TRANSFERS_FILES = False
    # As ansible.builtin.normal, which ran these modules before: check mode and async are the module's to judge.
    _supports_check_mode = True
    _supports_async = True

    def module_args(self, args, task_vars):
        raise NotImplementedError

    def find(self, option, path, rendered=False, error=TemplateError):
        """The controller path of ``path``: role files/ (templates/ when rendered), then the playbook's directory.

        Not found, it raises ``error`` (the kind the module gives a file it cannot read) naming every place searched.
        """
        try:
            return self._find_needle('templates' if rendered else 'files', path)
        except AnsibleError as exc:
            raise error('%s: %s' % (option, ' '.join(str(exc).split())))

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ControllerFilesAction, self).run(tmp, task_vars)
        del tmp  # unused: the module's own temporary directory is made by _execute_module
        try:
            module_args = self.module_args(plain(self._task.args), task_vars)
        except errors.HeatRpcError as exc:
            result.update(failed=True, changed=False, msg=str(exc), error=exc.to_dict())
            return result
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(module_args=module_args, task_vars=task_vars,
                                                         wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result


class StackFilesAction(ControllerFilesAction):
    """heat_stack and heat_template_validate: the template options become ``template_bundle``."""

    def reads_files(self, args):
        return True

    def module_args(self, args, task_vars):
        if flag(args, 'remote_src') or not self.reads_files(args):
            return args
        if sum(args.get(option) is not None for option in TEMPLATE_OPTIONS) > 1:
            return args  # the module names the conflict, as it always has
        choice = render_choice(args)
        render = jinja_renderer(self._templar, task_vars, choice) if choice != 'none' else None
        rendered = choice != 'none'
        return dict(args, template_bundle=stack_bundle(
            args, lambda option, path: self.find(option, path, rendered=rendered), render=render))


class ConfigFileAction(ControllerFilesAction):
    """heat_software_config: ``config_file`` is read here and handed over as ``config``."""

    def module_args(self, args, task_vars):
        if flag(args, 'remote_src') or args.get('config_file') is None or args.get('config') is not None:
            return args
        path = self.find('config_file', check_type_path(str(args['config_file'])), error=errors.ConfigurationError)
        module_args = dict(args, config=read_config_text(None, path))
        del module_args['config_file']
        return module_args

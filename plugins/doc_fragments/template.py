# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The template options shared by every module that sends a template (templates.template_argument_spec).
    DOCUMENTATION = r'''
options:
  template:
    description:
      - Path of the template file. A relative path is looked up on the controller the way
        M(ansible.builtin.copy) looks up C(src) (the role's C(files/) directories, then the playbook's
        directory), or C(templates/) first when O(render) is set; a file not found names every directory
        searched. With O(remote_src=true) it is relative to the module's working directory on the host
        where the module runs.
      - Nested templates (a C(type) naming a template file, also inside a
        C(OS::Heat::ResourceGroup) resource definition) and C(get_file) references are resolved relative to
        the file that holds them, as the heat CLI does.
      - Each file is sent under a key relative to this template's directory (V(lib/child.yaml),
        V(../common/net.yaml)), and references are rewritten to those keys, so the same tree checked out in
        another directory (another clone, an AWX project sync, a molecule run) is the same stack definition.
      - Mutually exclusive with O(template_body) and O(template_url).
    type: path
  template_body:
    description:
      - The template itself, as a dict or as a YAML or JSON string.
      - Relative references inside it are resolved against O(template_base_dir).
    type: raw
  template_url:
    description:
      - URL of the template (V(http://), V(https://) or V(file://)). Relative references are resolved
        against it.
    type: str
  template_base_dir:
    description:
      - Directory that relative references in O(template_body) and in environment dicts are resolved against.
    type: path
  environment:
    description:
      - Environments, in order; later ones win. Each is the path (or URL) of an environment file or a dict.
        A relative path is looked up as O(template) is.
      - They are sent as the engine's C(environment_files), and the engine merges them, exactly as
        C(openstack stack create -e a.yaml -e b.yaml) does, C(parameter_merge_strategies) included
        (V(overwrite), V(merge), V(deep_merge)); other sections merge one level deep. Their contents are
        stored with the stack's files. Under an O(api_version_cap) below 1.23 the same merge is worked out
        here and sent as one environment.
      - Their C(resource_registry) file mappings are resolved relative to the environment file and sent as
        files.
    type: list
    elements: raw
    default: []
  remote_src:
    version_added: 0.2.0
    description:
      - V(false) (the default) reads O(template), O(template_url), O(template_base_dir)'s files and the
        O(environment) files on the Ansible controller, in this module's action plugin, and hands the module
        the template, every nested template and C(get_file) file, and the environments as data
        (O(template_bundle)), so the host the module runs on (C(delegate_to)) needs none of them on its disk.
      - V(true) reads them on the host where the module runs, as releases before 0.2.0 did. Use it for
        files that exist only there, or a O(template_url) only that host can reach.
    type: bool
    default: false
  render:
    version_added: 0.2.0
    description:
      - Render files with Jinja and the task's variables, on the controller, before they are read as YAML
        or JSON, as M(ansible.builtin.template) does. What is compared, sent and shown by C(--diff) is the
        rendered text.
      - V(none) renders nothing. V(template) renders the root template (O(template) or O(template_url)).
        V(all) renders it, every nested template and every environment file. C(get_file) files are never
        rendered. O(template_body) and environment dicts are task arguments, which Ansible has already
        templated.
      - When set, relative paths are looked up in the role's C(templates/) directories before the
        playbook's directory. A render error names the file and, where Jinja tells it, the line.
      - Needs O(remote_src=false).
    type: str
    choices: [none, template, all]
    default: none
  template_bundle:
    version_added: 0.2.0
    description:
      - The template, its files and its environments as read on the controller (JSON text). This module's
        action plugin sets it from the options above; playbooks do not set it.
      - Kept out of logs and C(-vvv) output as a secret is.
    type: json
  parameter_defaults:
    description:
      - Parameter defaults for the template and its nested templates. They win over the environments
        (whatever merge strategy an environment sets) and are not stored among the stack's files.
    type: dict
    default: {}
notes:
  - Templates, nested templates, C(get_file) files and environment files are read on the Ansible
    controller (the role's C(files/) or C(templates/), then the playbook's directory) and travel to the
    host the module runs on with the task; with O(remote_src=true) they are read on that host. Keys in
    the stack's files are relative to the root template's directory either way, so the same tree read on
    either side, or from another checkout, is the same stack definition. Malformed YAML (with line and column), a template that is
    not a mapping or has no version key, and a template or file over the engine's 512 KiB limit are refused
    before anything is sent.
'''

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
      - Path of the template file. Nested templates (a C(type) naming a template file, also inside a
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
  parameter_defaults:
    description:
      - Parameter defaults for the template and its nested templates. They win over the environments
        (whatever merge strategy an environment sets) and are not stored among the stack's files.
    type: dict
    default: {}
notes:
  - Templates, nested templates, C(get_file) files and environment files are read on the host the module
    runs on (use C(delegate_to) to choose it). Malformed YAML (with line and column), a template that is
    not a mapping or has no version key, and a template or file over the engine's 512 KiB limit are refused
    before anything is sent.
'''

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
      - Path of the template file. Nested templates and C(get_file) references are resolved relative to it,
        as the heat CLI does.
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
      - Environments to merge, in order; later ones win. Each is the path of an environment file or a dict.
      - Their C(resource_registry) file mappings are resolved relative to the environment file and sent as
        files.
      - Maps (C(resource_registry)) merge deeply; a parameter set in a later environment replaces the earlier
        value.
    type: list
    elements: raw
    default: []
  parameter_defaults:
    description:
      - Parameter defaults for the template and its nested templates, applied over the environments.
    type: dict
    default: {}
notes:
  - Templates, nested templates, C(get_file) files and environment files are read on the host the module
    runs on (use C(delegate_to) to choose it). Malformed YAML (with line and column), a template that is
    not a mapping or has no version key, and a template or file over the engine's 512 KiB limit are refused
    before anything is sent.
'''

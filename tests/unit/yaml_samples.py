# -*- coding: utf-8 -*-
"""YAML texts the document and template tests share."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


def alias_bomb(levels, width=10):
    lines = ['heat_template_version: 2018-08-31',
             'a0: &a0 [%s]' % ','.join(['"lol"'] * width)]
    for level in range(1, levels):
        lines.append('a%d: &a%d [%s]' % (level, level, ','.join(['*a%d' % (level - 1)] * width)))
    return '\n'.join(lines) + '\n'

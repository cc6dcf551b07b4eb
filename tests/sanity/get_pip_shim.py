# -*- coding: utf-8 -*-
"""Stand-in for pip's get-pip.py bootstrap script, which ansible-test downloads from a host this
machine cannot reach. It installs pip with ensurepip, then the packages ansible-test asked for, from
the ordinary package index."""

import subprocess
import sys

# ansible-test passes get-pip.py options; these two have no pip-install equivalent.
SKIPPED_OPTIONS = ('--no-setuptools', '--no-wheel')


def main():
    arguments = [arg for arg in sys.argv[1:] if arg not in SKIPPED_OPTIONS]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + arguments)


if __name__ == '__main__':
    main()

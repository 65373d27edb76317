#!/usr/bin/env python3
"""Check what the book needs outside its virtual environment; one line per missing piece.

Usage: python3 tools/prerequisites.py [python] [npm] [chromium]

Runs under any Python 3 (it is the first thing `make` runs), so it uses no newer syntax.
The Chromium the browser tests drive is the one named by the CHROMIUM variable, else
the first of the usual names on PATH.
"""

import os
import shutil
import sys

SUPPORTED = (3, 11)
SUPPORTED_TEXT = 'Python 3.11 or newer'
CHROMIUM_NAMES = ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable')


def find_chromium():
    """The Chromium to drive: $CHROMIUM, else a usual name on PATH, else None."""
    named = os.environ.get('CHROMIUM')
    if named:
        return named if os.access(named, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def python_problem():
    if sys.version_info[:2] >= SUPPORTED:
        return None
    return '{} is Python {}.{}; the book needs {} (run e.g. `make test PYTHON=python3.11`)'.format(
        sys.executable, sys.version_info[0], sys.version_info[1], SUPPORTED_TEXT
    )


def npm_problem():
    if shutil.which('npm'):
        return None
    return (
        'npm is missing: it installs MathJax and the other JavaScript the book serves '
        '(Debian/Ubuntu: `apt-get install -y nodejs npm`)'
    )


def chromium_problem():
    if find_chromium():
        return None
    if os.environ.get('CHROMIUM'):
        return 'CHROMIUM={} is not an executable file'.format(os.environ['CHROMIUM'])
    return (
        'Chromium is missing: the browser tests drive it (Debian: `apt-get install -y chromium`, '
        'or set CHROMIUM=/path/to/chrome)'
    )


CHECKS = {'python': python_problem, 'npm': npm_problem, 'chromium': chromium_problem}


def main(names):
    unknown = [name for name in names if name not in CHECKS]
    if unknown:
        print(
            'prerequisites: unknown check(s) {}; choose from {}'.format(
                ', '.join(unknown), ', '.join(CHECKS)
            ),
            file=sys.stderr,
        )
        return 2
    problems = [CHECKS[name]() for name in names or CHECKS]
    problems = [problem for problem in problems if problem]
    for problem in problems:
        print('missing prerequisite: ' + problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

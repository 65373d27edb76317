#!/usr/bin/env python3
"""Build the HTML book into _build/html from scratch, every warning an error.

A full build (--all) because an incremental one only reports the warnings of the
pages it rereads, and could pass with a broken reference elsewhere.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    command = [str(Path(sys.executable).parent / 'jupyter-book'), 'build', str(ROOT),
               '--builder', 'html', '--all', '-W', '--keep-going']
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == '__main__':
    sys.exit(main())

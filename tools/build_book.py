#!/usr/bin/env python3
"""Build the HTML book into _build/html from scratch, every warning an error.

The book serves its own JavaScript (MathJax, RequireJS, the Jupyter widgets
HTML manager), so that the pages work with no network: the npm packages pinned
in package-lock.json are installed with `npm ci` and copied into _vendor/,
which Sphinx publishes as part of _static/.

The build is a full one (--all) because an incremental build only reports the
warnings of the pages it rereads, and could pass with a broken reference.
"""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / 'node_modules'
VENDOR = ROOT / '_vendor'
# What the pages load: (path inside node_modules, path inside _static).
ASSETS = [
    ('mathjax/es5', 'mathjax'),
    ('requirejs/require.js', 'require.js'),
    ('@jupyter-widgets/html-manager/dist', 'html-manager'),
]


def install_node_packages():
    """`npm ci` when node_modules is missing or older than the lock file."""
    marker = MODULES / '.package-lock.json'
    lock = ROOT / 'package-lock.json'
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which('npm')
    if npm is None:
        sys.exit('build_book: npm is needed to install MathJax and the widget manager '
                 '(install Node.js, e.g. `apt-get install -y nodejs npm`)')
    subprocess.run([npm, 'ci', '--ignore-scripts', '--no-audit', '--no-fund'],
                   cwd=ROOT, check=True)


def vendor_assets():
    """Copy the JavaScript the book serves into _vendor/ (no source maps)."""
    install_node_packages()
    shutil.rmtree(VENDOR, ignore_errors=True)
    for source, target in ASSETS:
        origin, destination = MODULES / source, VENDOR / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, destination, ignore=shutil.ignore_patterns('*.map'))
        else:
            shutil.copy2(origin, destination)


def main():
    vendor_assets()
    command = [str(Path(sys.executable).parent / 'jupyter-book'), 'build', str(ROOT),
               '--builder', 'html', '--all', '-W', '--keep-going']
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == '__main__':
    sys.exit(main())

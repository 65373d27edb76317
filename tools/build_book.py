#!/usr/bin/env python3
"""Build the HTML book into _build/html from scratch, every warning an error.

The book serves its own JavaScript (RequireJS, the Jupyter widgets HTML
manager; _ext/page_speed.py typesets the math at build time), so that the
pages work with no network: the npm packages pinned in package-lock.json are
installed with `npm ci` and copied into _vendor/, which Sphinx publishes as
part of _static/.

The build is a full one (--all) because an incremental build only reports the
warnings of the pages it rereads, and could pass with a broken reference.
"""

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tools'))
from extract_saved import ExtractError, toc_files  # noqa: E402

MODULES = ROOT / 'node_modules'
VENDOR = ROOT / '_vendor'
# What the pages load: (path inside node_modules, path inside _static).
ASSETS = [
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


def stored_errors(path):
    """Cells whose stored output is an error: the book would show a traceback."""
    notebook = json.loads(path.read_text(encoding='utf-8'))
    for number, cell in enumerate(notebook['cells'], start=1):
        expected = 'raises-exception' in cell.get('metadata', {}).get('tags', [])
        for output in cell.get('outputs', []):
            if output.get('output_type') == 'error' and not expected:
                yield number, output.get('ename', 'Error')


def preflight(root):
    """Refuse to build a partial book: every page exists, no page shows an error."""
    problems = []
    try:
        pages = toc_files(root)
    except ExtractError as error:
        return [str(error)]
    for path in pages:
        if path.suffix != '.ipynb':
            continue
        label = path.relative_to(root).as_posix()
        try:
            errors = list(stored_errors(path))
        except (ValueError, KeyError) as error:
            problems.append(f'{label}: not a readable notebook ({error})')
            continue
        problems += [f'{label}, cell {number}: the stored output is an error ({name}); '
                     f'fix the cell and re-execute the notebook' for number, name in errors]
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--root', type=Path, default=ROOT, help='the book to build')
    root = parser.parse_args(argv).root.resolve()
    problems = preflight(root)
    if problems:
        print('build_book: not building a partial book:', *problems, sep='\n  ', file=sys.stderr)
        return 2
    vendor_assets()
    command = [str(Path(sys.executable).parent / 'jupyter-book'), 'build', str(root),
               '--builder', 'html', '--all', '-W', '--keep-going']
    return subprocess.run(command, cwd=root).returncode


if __name__ == '__main__':
    sys.exit(main())

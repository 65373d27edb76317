#!/usr/bin/env python3
"""Build the HTML book into _build/html from scratch, every warning an error.

The pages need no network and load no MathJax: the math is typeset at build
time by MathJax in Node (_ext/page_speed.py, tools/typeset_math.js), and the
widgets' kernel-less renderer is ours (_assets/). The npm packages that do this,
pinned in package-lock.json, are installed with `npm ci`.

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


def install_node_packages():
    """`npm ci` when node_modules is missing or older than the lock file."""
    marker = MODULES / '.package-lock.json'
    lock = ROOT / 'package-lock.json'
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which('npm')
    if npm is None:
        sys.exit(
            'build_book: npm is needed to install MathJax, which typesets the math '
            '(install Node.js, e.g. `apt-get install -y nodejs npm`)'
        )
    subprocess.run([npm, 'ci', '--ignore-scripts', '--no-audit', '--no-fund'], cwd=ROOT, check=True)


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
        problems += [
            f'{label}, cell {number}: the stored output is an error ({name}); '
            f'fix the cell and re-execute the notebook'
            for number, name in errors
        ]
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--root', type=Path, default=ROOT, help='the book to build')
    root = parser.parse_args(argv).root.resolve()
    problems = preflight(root)
    if problems:
        print('build_book: not building a partial book:', *problems, sep='\n  ', file=sys.stderr)
        return 2
    install_node_packages()
    command = [
        str(Path(sys.executable).parent / 'jupyter-book'),
        'build',
        str(root),
        '--builder',
        'html',
        '--all',
        '-W',
        '--keep-going',
    ]
    return subprocess.run(command, cwd=root).returncode


if __name__ == '__main__':
    sys.exit(main())

"""Fault injection: a notebook that raises, one that hangs, and a page missing
from _toc.yml each give a clear failure naming the file, never a partial book."""

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, notebook_json

TOOLS = ROOT / 'tools'


def run(*command, cwd=ROOT):
    return subprocess.run(
        [sys.executable, *map(str, command)], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.fixture
def small_book(tmp_path):
    """A copy of the book's configuration with one good notebook."""
    for name in ('_config.yml', '_ext', '_assets', 'pyproject.toml'):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    (tmp_path / 'chapters').mkdir()
    (tmp_path / 'chapters' / 'index.md').write_text('# A small book\n')
    write_notebook(tmp_path / 'chapters' / 'good.ipynb', 'print(1)', outputs=[stream('1\n')])
    write_toc(tmp_path, ['chapters/good'])
    return tmp_path


def stream(text):
    return {'output_type': 'stream', 'name': 'stdout', 'text': text}


def write_notebook(path, *sources, outputs=()):
    notebook = notebook_json(*sources)
    notebook['metadata'] = {
        'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
    }
    for number, cell in enumerate(notebook['cells'], start=1):
        cell['execution_count'] = number
    notebook['cells'][-1]['outputs'] = list(outputs)
    path.write_text(json.dumps(notebook))


def write_toc(root, pages):
    lines = ['format: jb-book', 'root: chapters/index', 'chapters:']
    (root / '_toc.yml').write_text('\n'.join(lines + [f'  - file: {p}' for p in pages]) + '\n')


def test_build_names_a_page_missing_from_the_toc(small_book):
    write_toc(small_book, ['chapters/good', 'chapters/ghost'])
    result = run(TOOLS / 'build_book.py', '--root', small_book)
    assert result.returncode == 2
    assert "'chapters/ghost' is listed but no such page exists" in result.stderr
    assert not (small_book / '_build').exists()


def test_build_names_a_notebook_whose_stored_output_is_an_error(small_book):
    error = {
        'output_type': 'error',
        'ename': 'ZeroDivisionError',
        'evalue': 'division by zero',
        'traceback': [],
    }
    write_notebook(small_book / 'chapters' / 'broken.ipynb', 'x = 1', '1 / 0', outputs=[error])
    write_toc(small_book, ['chapters/good', 'chapters/broken'])
    result = run(TOOLS / 'build_book.py', '--root', small_book)
    assert result.returncode == 2
    assert (
        'chapters/broken.ipynb, cell 2: the stored output is an error (ZeroDivisionError)'
        in result.stderr
    )
    assert not (small_book / '_build').exists()


def test_execute_names_a_notebook_that_raises_and_keeps_it(tmp_path):
    path = tmp_path / 'raises.ipynb'
    write_notebook(path, 'x = 1', 'x / 0')
    before = path.read_text()
    result = run(TOOLS / 'execute_notebooks.py', path)
    assert result.returncode == 1
    assert str(path) in result.stderr and 'ZeroDivisionError' in result.stderr
    assert path.read_text() == before


def test_execute_names_a_notebook_that_times_out_and_keeps_it(tmp_path):
    path = tmp_path / 'hangs.ipynb'
    write_notebook(path, 'import time\ntime.sleep(60)')
    before = path.read_text()
    result = run(TOOLS / 'execute_notebooks.py', '--timeout', '3', path)
    assert result.returncode == 1
    assert str(path) in result.stderr and 'longer than 3 s' in result.stderr
    assert path.read_text() == before


@pytest.mark.parametrize(
    'source, expected',
    [
        ('1 / 0', 'ZeroDivisionError'),
        ('import time\ntime.sleep(60)', 'Timeout'),
    ],
)
def test_nbval_names_a_notebook_that_raises_or_hangs(tmp_path, source, expected):
    path = tmp_path / 'faulty.ipynb'
    write_notebook(path, source)
    result = run(
        '-m',
        'pytest',
        path,
        '-p',
        'no:cacheprovider',
        '--nbval',
        '--nbval-current-env',
        '--nbval-cell-timeout=3',
        '--rootdir',
        tmp_path,
        '-q',
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert 'faulty.ipynb' in result.stdout and expected in result.stdout

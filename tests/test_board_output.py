"""The training board's stored output is its final figure, however slow the
machine: live frames are PNG that give way to one SVG when training ends."""

import json
import os
import shutil
import subprocess
import sys

import execute_notebooks
import nbformat
import pytest

from conftest import notebook_json

CELLS = (
    'import os, math\nimport d2lsave as d2l\n'
    "d2l.ProgressBoard.refresh_seconds = float(os.environ['BOARD_REFRESH'])",
    "print('before')\nboard = d2l.ProgressBoard('x')\n"
    "for i in range(60):\n    board.draw(i, math.sqrt(i), 'sqrt', every_n=2)\n"
    "print('after')",
    'live = d2l.ProgressBoard.refresh_seconds == 0\n'
    'assert board.frames_drawn == (30 if live else 1)\nboard.points["sqrt"][-1]',
)


@pytest.fixture(scope='module')
def stored(tmp_path_factory):
    """The notebook executed once with live frames ('0') and once without ('1000')."""
    folder = tmp_path_factory.mktemp('stored')
    paths = {}
    for refresh in ('0', '1000'):
        paths[refresh] = path = folder / f'board-{refresh}.ipynb'
        path.write_text(json.dumps(notebook_json(*CELLS)))
        os.environ['BOARD_REFRESH'] = refresh
        try:
            execute_notebooks.execute(path)
        finally:
            del os.environ['BOARD_REFRESH']
    return paths


def executed(stored, tmp_path, refresh):
    """A copy of the notebook as stored after a run with this refresh interval."""
    path = tmp_path / 'board.ipynb'
    shutil.copy(stored[refresh], path)
    return path


def test_a_slow_run_stores_only_the_final_figure(stored, tmp_path):
    notebook = nbformat.read(executed(stored, tmp_path, '0'), as_version=4)
    outputs = notebook.cells[1].outputs
    figures = [sorted(o.data) for o in outputs if o.output_type == 'display_data']
    assert figures == [['image/svg+xml']]  # no empty live frame left behind
    assert ''.join(o.text for o in outputs if 'text' in o) == 'before\nafter\n'


def run_nbval(path, refresh):
    """nbval over the notebook at `path`, its board refreshing every `refresh` seconds."""
    return subprocess.run(
        [
            sys.executable,
            '-m',
            'pytest',
            '-q',
            '-p',
            'no:cacheprovider',
            '--nbval',
            '--nbval-current-env',
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=path.parent,
        timeout=300,
        env=dict(os.environ, BOARD_REFRESH=refresh),
    )


@pytest.mark.parametrize('refresh, rerun', [('1000', '0'), ('0', '1000')])
def test_nbval_compares_the_final_figure_whatever_the_refresh(stored, tmp_path, refresh, rerun):
    path = executed(stored, tmp_path, refresh)
    result = run_nbval(path, rerun)
    assert result.returncode == 0, result.stdout[-3000:]
    assert '3 passed' in result.stdout


def test_a_changed_final_figure_fails_nbval(stored, tmp_path):
    path = executed(stored, tmp_path, '1000')
    notebook = nbformat.read(path, as_version=4)
    [svg] = [o for o in notebook.cells[1].outputs if 'data' in o]
    svg.data['image/svg+xml'] = svg.data['image/svg+xml'].replace('sqrt', 'root')
    nbformat.write(notebook, path)
    result = run_nbval(path, '0')
    assert result.returncode != 0 and '1 failed' in result.stdout

"""The committed tree is consistent: d2lsave matches the notebooks, which are
stored executed in order and normalized."""

import json
import shutil
import subprocess
import sys

import execute_notebooks
import extract_saved
import pytest

from conftest import ROOT

NOTEBOOKS = [p for p in extract_saved.toc_files(ROOT) if p.suffix == '.ipynb']
# How many exercises each section of the original chapter has.
EXERCISES = {
    '3_1_linear_regression': 8,
    '3_2_oo_design': 2,
    '3_3_synthetic_regression_data': 4,
    '3_4_linear_regression_scratch': 9,
    '3_5_linear_regression_concise': 5,
    '3_6_generalization': 7,
    '3_7_weight_decay': 6,
}


def run_extractor(*args, root=ROOT):
    return subprocess.run(
        [sys.executable, str(ROOT / 'tools' / 'extract_saved.py'), '--root', str(root), *args],
        capture_output=True,
        text=True,
    )


def test_committed_package_matches_the_notebooks():
    result = run_extractor('--check')
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_fails_when_a_saved_cell_changes_without_regenerating(tmp_path):
    for name in ('_toc.yml', 'pyproject.toml', 'chapters', 'd2lsave'):
        source = ROOT / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, tmp_path / name)
    notebook = tmp_path / 'chapters' / '3_4_linear_regression_scratch.ipynb'
    text = notebook.read_text()
    assert 'return X @ self.w + self.b' in text
    notebook.write_text(text.replace('return X @ self.w + self.b', 'return self.b + X @ self.w'))
    result = run_extractor('--check', root=tmp_path)
    assert result.returncode == 1
    assert '+        return self.b + X @ self.w' in result.stdout


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_executed_in_order_and_normalized(path):
    notebook = json.loads(path.read_text())
    counts = [c['execution_count'] for c in notebook['cells'] if c['cell_type'] == 'code']
    assert counts == list(range(1, len(counts) + 1)), 'run tools/execute_notebooks.py'
    import nbformat

    stored = nbformat.reads(path.read_text(), as_version=4)
    normalized = nbformat.writes(execute_notebooks.normalize(stored)) + '\n'
    assert path.read_text() == normalized, 'run tools/execute_notebooks.py --normalize-only'
    text = path.read_text()
    for leak in ('/root/', '/home/', 'ipykernel_', '"execution":'):
        assert leak not in text


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_the_books_shape(path):
    cells = json.loads(path.read_text())['cells']
    first_code = next(c for c in cells if c['cell_type'] == 'code')
    assert 'import d2lsave as d2l' in ''.join(first_code['source'])
    assert 'pip install' in ''.join(first_code['source'])
    markdown = ''.join(''.join(c['source']) for c in cells if c['cell_type'] == 'markdown')
    assert '## Summary' in markdown and '## Exercises' in markdown
    exercises = markdown.count('```{exercise}')
    assert exercises == EXERCISES[path.stem]
    assert markdown.count('```{solution-start}') == exercises
    assert markdown.count('```{solution-end}') == exercises
    assert markdown.count(':class: dropdown') == exercises
    errors = [o for c in cells for o in c.get('outputs', []) if o['output_type'] == 'error']
    assert not errors


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_has_a_caption_and_is_cited(path):
    cells = json.loads(path.read_text())['cells']
    markdown = ''.join(''.join(c['source']) for c in cells if c['cell_type'] == 'markdown')
    figures = [
        c['metadata']['mystnb']['figure']
        for c in cells
        if 'figure' in c['metadata'].get('mystnb', {})
    ]
    for figure in figures:
        assert figure.get('caption') and figure.get('name', '').startswith('fig-')
        assert f'{{numref}}`{figure["name"]}`' in markdown, f'{figure["name"]} is never cited'
    images = [
        c
        for c in cells
        for o in c.get('outputs', [])
        if c['cell_type'] == 'code' and 'image/svg+xml' in o.get('data', {})
    ]
    assert len(images) == len(figures), 'a figure without a caption'

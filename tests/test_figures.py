"""Stored figures are compared for what they show: sub-pixel noise passes, a changed curve fails."""

import io
import json
import os
import subprocess
import sys

import matplotlib
import numpy as np
import pytest
from figures import TOLERANCE, canonical_ids, difference, same_figure

from conftest import ROOT

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def svg_of(y, label='loss'):
    """The SVG the book would store for a curve through the points y."""
    matplotlib.rcParams['svg.hashsalt'] = 'd2lsave'
    fig, axes = plt.subplots(figsize=(3.5, 2.5))
    axes.plot(np.linspace(0, 1, len(y)), y, 'o-', label=label)
    axes.legend()
    buffer = io.StringIO()
    fig.savefig(buffer, format='svg', metadata={'Date': None})
    plt.close(fig)
    return buffer.getvalue()


CURVE = np.exp(-np.linspace(0, 3, 30))


def test_the_same_figure_matches_itself():
    assert difference(svg_of(CURVE), svg_of(CURVE)) is None


def test_a_change_of_one_millionth_passes():
    assert same_figure(svg_of(CURVE), svg_of(CURVE * (1 + 1e-6)))


def test_coordinates_just_under_the_tolerance_pass_and_just_over_fail():
    base = '<path d="M 10.000000 20.000000"/>'
    assert same_figure(base, f'<path d="M {10 + TOLERANCE * 0.9:f} 20.000000"/>')
    assert not same_figure(base, f'<path d="M {10 + TOLERANCE * 1.1:f} 20.000000"/>')


def test_a_visibly_changed_curve_fails():
    changed = CURVE.copy()
    changed[10] += 0.05
    problem = difference(svg_of(CURVE), svg_of(changed))
    assert problem is not None and problem.startswith('coordinate')


def test_a_changed_label_fails_even_with_equal_coordinates():
    assert not same_figure(svg_of(CURVE), svg_of(CURVE, label='lass'))
    assert 'text' in difference('<!-- 0.5 --><path d="M 1 2"/>', '<!-- 0.6 --><path d="M 1 2"/>')


def test_an_extra_point_fails():
    assert 'structure' in difference(svg_of(CURVE), svg_of(np.append(CURVE, 0.1)))


def test_hash_named_definitions_are_compared_by_order_of_appearance():
    a = '<path id="m0123456789"/><use xlink:href="#m0123456789"/><path id="pabcdefabcd"/>'
    b = '<path id="m9876543210"/><use xlink:href="#m9876543210"/><path id="p1111111111"/>'
    assert canonical_ids(a) == canonical_ids(b)
    swapped = '<path id="m9876543210"/><use xlink:href="#p1111111111"/><path id="p1111111111"/>'
    assert not same_figure(a, swapped)


def notebook_with_figure(svg):
    cell = {
        'cell_type': 'code',
        'execution_count': 1,
        'id': 'figure',
        'metadata': {},
        'source': (
            'import io, matplotlib\nmatplotlib.use("Agg")\n'
            'from IPython.display import SVG, display\n'
            f'display(SVG({svg!r}))'
        ),
        'outputs': [
            {
                'output_type': 'display_data',
                'metadata': {},
                'data': {'image/svg+xml': svg, 'text/plain': '<IPython.core.display.SVG object>'},
            }
        ],
    }
    return {'cells': [cell], 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}


def run_nbval(tmp_path, drawn, stored):
    path = tmp_path / 'figure.ipynb'
    notebook = notebook_with_figure(drawn)
    notebook['cells'][0]['outputs'][0]['data']['image/svg+xml'] = stored
    path.write_text(json.dumps(notebook))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [
            sys.executable,
            '-m',
            'pytest',
            '-q',
            '-p',
            'no:cacheprovider',
            '-p',
            'tests.nbval_figures',
            '--nbval',
            '--nbval-current-env',
            '--rootdir',
            str(tmp_path),
            '-c',
            os.devnull,
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )


@pytest.mark.parametrize('shift, passes', [(1e-6, True), (TOLERANCE / 2, True), (2.0, False)])
def test_nbval_compares_figures_to_the_tolerance(tmp_path, shift, passes):
    drawn = '<svg><path d="M 10.000000 20.000000 L 30.000000 40.000000"/></svg>'
    stored = drawn.replace('30.000000', f'{30 + shift:f}')
    result = run_nbval(tmp_path, drawn, stored)
    assert (result.returncode == 0) == passes, result.stdout[-2000:]
    if not passes:
        assert 'SVG figure changed: coordinate' in result.stdout

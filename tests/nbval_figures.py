"""pytest plugin: nbval compares SVG figures to a sub-pixel tolerance.

nbval compares every output of a notebook cell as text, so an SVG figure fails
when a coordinate moves by 1e-6 pt on another CPU. This plugin wraps nbval's
comparison: an SVG whose figure is the same within `figures.TOLERANCE` (see
tests/figures.py) is treated as equal, and one that really changed still fails,
with a line saying where. Loaded for the whole repository by the root conftest.py.
"""

import copy

from nbval.plugin import IPyNbCell

from tests.figures import difference

SVG = 'image/svg+xml'


def _svg_outputs(outputs):
    return [output for output in outputs if SVG in output.get('data', {})]


def _as_text(value):
    return ''.join(value) if isinstance(value, list) else value


def compare_figures_with_tolerance(compare_outputs):
    """Wrap nbval's compare_outputs so that sub-pixel SVG differences pass."""

    def compare(self, test, ref, skip_compare=None):
        test = copy.deepcopy(test)
        notes = []
        for fresh, stored in zip(_svg_outputs(test), _svg_outputs(ref)):
            expected, actual = _as_text(stored['data'][SVG]), _as_text(fresh['data'][SVG])
            problem = difference(expected, actual)
            if problem is None:
                fresh['data'][SVG] = stored['data'][SVG]
            else:
                notes.append(f'SVG figure changed: {problem}')
        same = compare_outputs(self, test, ref, skip_compare)
        if not same:
            self.comparison_traceback[:0] = notes
        return same

    compare.wrapped = compare_outputs
    return compare


if not hasattr(IPyNbCell.compare_outputs, 'wrapped'):
    IPyNbCell.compare_outputs = compare_figures_with_tolerance(IPyNbCell.compare_outputs)

"""The pictures behind the book's sliders (d2lsave.slider_figure).

nbval skips widget outputs (their model ids are random), so the frames stored in
a notebook's widget state are checked here instead: the notebook runs again in a
fresh kernel and every frame must match the stored one, in the same order, with
the same text alternative, and with every number in the SVG within a tolerance
(coordinates are stored to 0.1 pt; the last bits of the plotted data may differ
between processors, like the book's other figures).
"""

import re

import nbformat
import pytest
from conftest import ROOT

import d2lsave

STATE = 'application/vnd.jupyter.widget-state+json'
NUMBER = re.compile(r'-?\d+(?:\.\d+)?(?:e[-+]?\d+)?')
TOLERANCE_PT = 0.25  # two steps of the stored 0.1 pt grid


def slider_notebooks():
    import extract_saved
    return [p.relative_to(ROOT).as_posix() for p in extract_saved.toc_files(ROOT)
            if p.suffix == '.ipynb' and 'slider_figure(' in p.read_text(encoding='utf-8')]


def frames(models, view_id):
    """(alt text, SVG text) of every Image under a widget view, in tree order."""
    model = models[view_id]
    if model['model_name'] == 'ImageModel':
        from base64 import b64decode
        data = b64decode(model['buffers'][0]['data']).decode()
        return [(model['state']['alt'], data)]
    found = []
    for child in model['state'].get('children', []):
        found += frames(models, child.removeprefix('IPY_MODEL_'))
    return found


def notebook_frames(notebook):
    """The frames of every widget the notebook shows, one list per widget."""
    models = notebook.metadata.get('widgets', {}).get(STATE, {}).get('state', {})
    views = [output['data']['application/vnd.jupyter.widget-view+json']['model_id']
             for cell in notebook.cells if cell.cell_type == 'code'
             for output in cell.get('outputs', [])
             if 'application/vnd.jupyter.widget-view+json' in output.get('data', {})]
    return [frames(models, view) for view in views]


def svg_differences(stored, fresh, tolerance=TOLERANCE_PT):
    """Where two SVG texts differ beyond `tolerance` in a number, or at all elsewhere."""
    if NUMBER.split(stored) != NUMBER.split(fresh):
        return ['the SVG text differs outside its numbers']
    pairs = zip(NUMBER.findall(stored), NUMBER.findall(fresh))
    return [f'{a} != {b}' for a, b in pairs if abs(float(a) - float(b)) > tolerance]


def test_svg_comparison_has_teeth():
    svg = '<path d="M 1.5 2.1 L 3 4"/><text>loss 0.123</text>'
    assert svg_differences(svg, svg.replace('2.1', '2.2')) == []
    assert svg_differences(svg, svg.replace('2.1', '2.6')) == ['2.1 != 2.6']
    assert svg_differences(svg, svg.replace('loss', 'lost')) != []


@pytest.mark.parametrize('path', slider_notebooks())
def test_stored_frames_match_fresh_ones(path):
    from nbclient import NotebookClient
    stored = nbformat.read(ROOT / path, as_version=4)
    fresh = nbformat.read(ROOT / path, as_version=4)
    NotebookClient(fresh, timeout=600, kernel_name='python3', store_widget_state=True,
                   resources={'metadata': {'path': str((ROOT / path).parent)}}).execute()
    stored_widgets, fresh_widgets = notebook_frames(stored), notebook_frames(fresh)
    assert [len(w) for w in stored_widgets] == [len(w) for w in fresh_widgets]
    assert sum(len(w) for w in stored_widgets) > 0
    for stored_frames, fresh_frames in zip(stored_widgets, fresh_widgets):
        for (stored_alt, stored_svg), (fresh_alt, fresh_svg) in zip(stored_frames, fresh_frames):
            assert stored_alt == fresh_alt
            assert svg_differences(stored_svg, fresh_svg) == [], stored_alt


def draw_line(axes, slope, shift):
    axes.plot([0, 1], [shift, shift + slope])


def test_slider_figure_draws_every_setting_and_links_it():
    import ipywidgets as widgets
    box = d2lsave.slider_figure(
        draw_line, alt='slope {slope}, shift {shift}', figsize=(2, 1.5),
        slope=widgets.SelectionSlider(options=[-1, 0, 1], value=0, description='slope'),
        shift=widgets.SelectionSlider(options=[0, 2], value=2, description='shift'))
    slope, shift, outer = box.children
    assert (slope.value, shift.value) == (0, 2)
    assert outer.selected_index == 1
    images = [image for inner in outer.children for image in inner.children]
    assert [image.alt for image in images[:2]] == ['slope -1, shift 0', 'slope -1, shift 2']
    assert all(inner.selected_index == 1 for inner in outer.children)
    assert len({bytes(image.value) for image in images}) == 6
    assert all(image.format == 'svg+xml' and bytes(image.value).startswith(b'<?xml') for image in images)
    assert all(len(image.value) < 20_000 for image in images)
    # A tooltip on an Image breaks its view in JupyterLab (ipywidgets 8.1.9).
    assert all(image.tooltip is None and image.alt for image in images)
    links = {(link.source, link.target) for link in box.links}
    assert links == {((slope, 'index'), (outer, 'selected_index'))} | {
        ((shift, 'index'), (inner, 'selected_index')) for inner in outer.children}


def test_slider_figure_frames_are_reproducible():
    import ipywidgets as widgets

    def pictures():
        box = d2lsave.slider_figure(draw_line, alt='{slope}', slope=widgets.SelectionSlider(
            options=[0.5, 2], description='slope'), shift=widgets.SelectionSlider(options=[1]))
        return [bytes(image.value) for inner in box.children[-1].children for image in inner.children]

    assert pictures() == pictures()


def test_slider_figure_rejects_sliders_it_cannot_link():
    import ipywidgets as widgets
    with pytest.raises(TypeError, match='degree'):
        d2lsave.slider_figure(draw_line, alt='', degree=widgets.IntSlider())
    with pytest.raises(TypeError):
        d2lsave.slider_figure(draw_line, alt='')


def test_compact_svg_rounds_coordinates_not_text():
    svg = ('<?xml version="1.0"?>\n  <!-- made -->\n<path d="M 1.2345 -0.04"/>'
           '<text x="3.14159">0.0123</text>')
    assert d2lsave.compact_svg(svg) == ('<?xml version="1.0"?>\n<path d="M 1.2 0"/>'
                                        '<text x="3.1">0.0123</text>')

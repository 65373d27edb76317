"""The pictures behind the book's sliders (d2lsave.slider_figure).

nbval skips widget outputs (their model ids are random), so the frames stored in
a notebook's widget state are checked separately: test_downloaded_notebooks.py
runs every notebook in a fresh kernel and every frame must match the stored one,
in the same order, with the same text alternative, and with every number in the
SVG within a tolerance (coordinates are stored to 0.1 pt; the last bits of the
plotted data may differ between processors, like the book's other figures).
This file holds the comparison and the helper's own tests.
"""

import re

import nbformat
import pytest

import d2lsave
from conftest import ROOT

STATE = 'application/vnd.jupyter.widget-state+json'
NUMBER = re.compile(r'-?\d+(?:\.\d+)?(?:e[-+]?\d+)?')
TOLERANCE_PT = 0.25  # two steps of the stored 0.1 pt grid


def slider_notebooks():
    import extract_saved

    return [
        p.relative_to(ROOT).as_posix()
        for p in extract_saved.toc_files(ROOT)
        if p.suffix == '.ipynb' and 'slider_figure(' in p.read_text(encoding='utf-8')
    ]


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
    views = [
        output['data']['application/vnd.jupyter.widget-view+json']['model_id']
        for cell in notebook.cells
        if cell.cell_type == 'code'
        for output in cell.get('outputs', [])
        if 'application/vnd.jupyter.widget-view+json' in output.get('data', {})
    ]
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


def assert_same_slider_frames(stored, fresh):
    """The pictures behind the sliders, stored in the widget state, are what the code draws.

    nbval skips widget state (its model ids are random), so this run, which executes
    the notebook anyway, compares every frame: same order, same text alternative,
    every number of the SVG within the tolerance of tests/test_slider_frames.py.
    """
    stored_widgets, fresh_widgets = notebook_frames(stored), notebook_frames(fresh)
    assert [len(w) for w in stored_widgets] == [len(w) for w in fresh_widgets]
    for stored_frames, fresh_frames in zip(stored_widgets, fresh_widgets):
        for (stored_alt, stored_svg), (fresh_alt, fresh_svg) in zip(stored_frames, fresh_frames):
            assert stored_alt == fresh_alt
            assert svg_differences(stored_svg, fresh_svg) == [], stored_alt


def test_a_changed_frame_is_caught():
    import base64
    import copy

    path = ROOT / slider_notebooks()[0]
    stored = nbformat.read(path, as_version=4)
    assert_same_slider_frames(stored, copy.deepcopy(stored))
    changed = copy.deepcopy(stored)
    models = changed.metadata['widgets'][STATE]['state'].values()
    image = next(m for m in models if m['model_name'] == 'ImageModel')
    svg = base64.b64decode(image['buffers'][0]['data']).decode()
    moved = re.sub(
        r'd="M (-?\d+(?:\.\d+)?)', lambda m: f'd="M {float(m.group(1)) + 2:.1f}', svg, count=1
    )
    assert moved != svg
    image['buffers'][0]['data'] = base64.b64encode(moved.encode()).decode()
    with pytest.raises(AssertionError):
        assert_same_slider_frames(stored, changed)


def test_every_slider_notebook_has_frames():
    # Their frames are compared with freshly drawn ones by
    # test_downloaded_notebooks.py, which runs every notebook anyway.
    for path in slider_notebooks():
        widgets = notebook_frames(nbformat.read(ROOT / path, as_version=4))
        assert widgets and all(widgets), path


def draw_line(axes, slope, shift):
    axes.plot([0, 1], [shift, shift + slope])


def test_slider_figure_draws_every_setting_and_links_it():
    import ipywidgets as widgets

    box = d2lsave.slider_figure(
        draw_line,
        alt='slope {slope}, shift {shift}',
        figsize=(2, 1.5),
        slope=widgets.SelectionSlider(options=[-1, 0, 1], value=0, description='slope'),
        shift=widgets.SelectionSlider(options=[0, 2], value=2, description='shift'),
    )
    slope, shift, outer = box.children
    assert (slope.value, shift.value) == (0, 2)
    assert outer.selected_index == 1
    images = [image for inner in outer.children for image in inner.children]
    assert [image.alt for image in images[:2]] == ['slope -1, shift 0', 'slope -1, shift 2']
    assert all(inner.selected_index == 1 for inner in outer.children)
    assert len({bytes(image.value) for image in images}) == 6
    assert all(
        image.format == 'svg+xml' and bytes(image.value).startswith(b'<?xml') for image in images
    )
    assert all(len(image.value) < 20_000 for image in images)
    # A tooltip on an Image breaks its view in JupyterLab (ipywidgets 8.1.9).
    assert all(image.tooltip is None and image.alt for image in images)
    links = {(link.source, link.target) for link in box.links}
    assert links == {((slope, 'index'), (outer, 'selected_index'))} | {
        ((shift, 'index'), (inner, 'selected_index')) for inner in outer.children
    }


def test_slider_figure_frames_are_reproducible():
    import ipywidgets as widgets

    def pictures():
        box = d2lsave.slider_figure(
            draw_line,
            alt='{slope}',
            slope=widgets.SelectionSlider(options=[0.5, 2], description='slope'),
            shift=widgets.SelectionSlider(options=[1]),
        )
        return [
            bytes(image.value) for inner in box.children[-1].children for image in inner.children
        ]

    assert pictures() == pictures()


def test_slider_figure_rejects_sliders_it_cannot_link():
    import ipywidgets as widgets

    with pytest.raises(TypeError, match='degree'):
        d2lsave.slider_figure(draw_line, alt='', degree=widgets.IntSlider())
    with pytest.raises(TypeError):
        d2lsave.slider_figure(draw_line, alt='')


def test_compact_svg_rounds_coordinates_not_text():
    svg = (
        '<?xml version="1.0"?>\n  <!-- made -->\n<path d="M 1.2345 -0.04"/>'
        '<text x="3.14159">0.0123</text>'
    )
    assert d2lsave._compact_svg(svg) == (
        '<?xml version="1.0"?>\n<path d="M 1.2 0"/><text x="3.1">0.0123</text>'
    )


def slider_frames(draw, **options):
    """The SVG text of every frame of a one-slider figure over these options."""
    import ipywidgets as widgets

    ((name, values),) = options.items()
    box = d2lsave.slider_figure(
        draw, alt='{%s}' % name, **{name: widgets.SelectionSlider(options=values)}
    )
    return [bytes(image.value).decode() for image in box.children[-1].children]


def test_frames_of_a_slider_share_one_size_and_layout():
    # Tick labels of different widths must not move the axes as the slider moves.
    def draw_scaled(axes, scale):
        axes.plot([0, 1], [0, scale])

    svgs = slider_frames(draw_scaled, scale=[1, 1000, 0.001])
    sizes = {
        re.search(r'<svg [^>]*width="([\d.]+)pt" height="([\d.]+)pt"', s).groups() for s in svgs
    }
    axes_patches = {re.search(r'<g id="patch_2">\s*<path d="([^"]*)"', s).group(1) for s in svgs}
    assert len(sizes) == 1 and len(axes_patches) == 1


def test_log_axes_label_their_decades_in_plain_text():
    def draw_decay(axes, rate):
        axes.plot([1, 2, 3], [1, 10**-rate, 10 ** (-2 * rate)])
        axes.set(yscale='log', ylim=(1e-6, 1))

    (svg,) = slider_frames(draw_decay, rate=[3])
    for label in ['10⁻⁶', '10⁻⁴', '10⁻²', '10⁰']:
        assert f'>{label}<' in svg
    assert 'mathdefault' not in svg


def test_plain_log_labels_keep_the_mantissa():
    assert d2lsave._plain_log_label(1e-3) == '10⁻³'
    assert d2lsave._plain_log_label(100.0) == '10²'
    assert d2lsave._plain_log_label(2e-5) == '2×10⁻⁵'

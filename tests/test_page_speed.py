"""The build-time page lightening of _ext/page_speed.py, on small pages."""

import json
import re
import subprocess
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / '_ext'))
import page_speed  # noqa: E402


def test_head_scripts_are_deferred_and_the_icon_script_dropped():
    html = (
        '<script src="a.js"></script><script defer src="b.js"></script>'
        '<script src="_static/scripts/fontawesome.js?digest=1"></script>'
        '<script type="application/json">{}</script><script>inline()</script>'
    )
    assert page_speed.lighten(html) == (
        '<script defer src="a.js"></script>'
        '<script defer src="b.js"></script>'
        '<script type="application/json">{}</script>'
        '<script>inline()</script>'
    )


def test_scripts_that_are_already_deferred_or_not_javascript_are_left_alone():
    html = (
        '<script defer src="widgets-static.js"></script>'
        '<script type="application/vnd.jupyter.widget-state+json">{}</script>'
    )
    assert page_speed.lighten(html) == html


def test_icon_font_keeps_the_glyphs_of_used_classes_and_css_icons():
    css = (
        '.fa-bars:before{content:"\\f0c9"}.fa-beer:before{content:"\\f0fc"}'
        ':root{--pst-icon-info:"\uf05a"}.admonition-title:after{content:"\\f071"}'
    )
    assert page_speed.icon_characters([css], {'fa-bars'}) == {'\uf0c9', '\uf05a', '\uf071'}


THEME_LOAD = (
    'function I(){const e=()=>{document.querySelectorAll(["pre",".cell_output > .output"])'
    '.forEach(e=>{e.tabIndex=e.scrollWidth>e.clientWidth?0:-1})};e()}'
    '"complete"===document.readyState?I():window.addEventListener("load",I)})();'
)


def test_the_theme_no_longer_lays_out_every_block_at_load():
    script = page_speed.drop_theme_tab_stops(THEME_LOAD)
    assert 'addEventListener("load",I)' not in script
    assert script.endswith(page_speed.TAB_STOPS_MOVED + '})();')
    assert page_speed.drop_theme_tab_stops(script) == script


def test_a_changed_theme_script_stops_the_build():
    changed = THEME_LOAD.replace('["pre",', '["code",')
    with pytest.raises(RuntimeError, match='tab-stops.js'):
        page_speed.drop_theme_tab_stops(changed)


def test_the_built_theme_script_has_the_pass_taken_out():
    built = ROOT / '_build' / 'html' / page_speed.THEME_SCRIPT
    if not built.exists():
        pytest.fail(f'{built} is missing: build the book first (make book)')
    script = built.read_text(encoding='utf-8')
    assert page_speed.TAB_STOPS_MOVED in script
    assert page_speed.TAB_STOPS_AT_LOAD.search(script) is None


def test_widget_state_moves_into_a_deferred_script_beside_the_page(tmp_path):
    state = {'state': {'a1': {'model_name': 'LabelModel', 'state': {'value': '</script> é'}}}}
    text = json.dumps(state).replace('</', '<\\/')
    page = tmp_path / '3_9_page.html'
    html = (
        '<head><script type="application/vnd.jupyter.widget-state+json">'
        f'{text}</script><script defer src="r.js"></script></head>'
    )
    moved = page_speed.move_widget_state(page, html)
    assert moved == (
        '<head><script defer src="3_9_page.widget-state.js"></script>'
        '<script defer src="r.js"></script></head>'
    )
    script = (tmp_path / '3_9_page.widget-state.js').read_text(encoding='utf-8')
    literal = script.split('JSON.parse(', 1)[1].rsplit(');', 1)[0]
    assert json.loads(json.loads(literal)) == state
    assert page_speed.move_widget_state(page, '<head></head>') == '<head></head>'


def test_typeset_math_carries_no_markup_the_page_does_not_use(tmp_path):

    page = tmp_path / 'page.html'
    page.write_text(
        '<html><head></head><body class="x">'
        '<p><span class="math notranslate nohighlight">\\(\\mathbf{x}^2 + y\\)</span></p>'
        '<div class="math notranslate nohighlight">\\[\\begin{matrix} a \\\\ b \\end{matrix}\\]</div>'
        '</body></html>'
    )
    subprocess.run(['node', str(page_speed.TYPESETTER), str(page)], check=True, cwd=ROOT)
    html = page.read_text()
    inline = html[html.index('<mjx-container') : html.index('</mjx-container>')]
    svg = inline[: inline.index('<mjx-assistive-mml')]
    # What MathJax writes for its own scripts and for XML: the glyphs are the same without it.
    for unused in ('data-c=', 'xmlns', 'focusable', 'data-mjx-texclass', '<g data-mml-node="mi">'):
        assert unused not in svg, unused
    assert svg.count('<use ') == 4 and 'transform=' in svg
    assert '<mi mathvariant="bold">x</mi>' in inline  # the MathML that screen readers read
    assert 'data-mml-node="mtable"' in html  # MathJax's table rules select it
    assert re.search(r'mjx-container\[jax="SVG"\] use \{\s*stroke-width: 3', html)


def test_a_page_s_stylesheets_become_one_file_with_their_urls_rebased(tmp_path):
    static = tmp_path / '_static'
    (static / 'styles').mkdir(parents=True)
    (static / 'basic.css').write_text('p { margin: 0 }\n')
    (static / 'styles' / 'theme.css').write_text(
        '@charset "UTF-8";\n@font-face { src: url("../fonts/icons.woff2") }\n'
        'a { background: url(data:image/png;base64,AA==) }\n'
    )
    head = (
        '<link rel="stylesheet" href="{up}_static/basic.css?v=1" />\n'
        '<link rel="stylesheet" type="text/css" href="{up}_static/styles/theme.css" />\n'
        '<link rel="stylesheet" href="{up}_static/print.css" media="print" />\n'
    )
    (tmp_path / 'chapters').mkdir()
    pages = [tmp_path / 'index.html', tmp_path / 'chapters' / 'one.html']
    for page, up in zip(pages, ['', '../']):
        page.write_text(f'<html><head>{head.format(up=up)}</head><body></body></html>')
    template = tmp_path / '_static' / 'macros.html'  # the theme ships Jinja templates
    template.write_text(head.format(up="{{ pathto('') }}"))
    page_speed.bundle_stylesheets(tmp_path, [*pages, template])
    assert template.read_text() == head.format(up="{{ pathto('') }}")
    bundles = list(static.glob('book-*.css'))
    assert len(bundles) == 1  # the same stylesheets in the same order: one file for both
    assert bundles[0].read_text() == (
        'p { margin: 0 }\n\n'
        '@font-face { src: url("fonts/icons.woff2") }\n'
        'a { background: url(data:image/png;base64,AA==) }\n'
    )
    for page, up in zip(pages, ['', '../']):
        links = re.findall(r'<link[^>]*>', page.read_text())
        assert links == [
            f'<link rel="stylesheet" href="{up}_static/{bundles[0].name}" />',
            f'<link rel="stylesheet" href="{up}_static/print.css" media="print" />',
        ]

"""axe-core on every page of the built book, in the theme's light and dark modes.

The pages are served from _build/html on 127.0.0.1 and opened in headless
Chromium; axe-core (npm, installed into node_modules with the book's other
JavaScript, never served to readers) checks them against the WCAG 2.0/2.1 A and
AA rules once the math is typeset and the widgets are drawn. A page fails on
any violation axe rates critical or serious. The counts per page and mode go to
_build/accessibility-report.json.

Run it alone with `.venv/bin/python -m pytest tests/test_accessibility.py` after `make book`.
"""

import functools
import http.server
import json
import threading

import pytest
from test_browser import FULL_LAYOUT, HTML, PAGES, QuietHandler

from conftest import ROOT

AXE = ROOT / 'node_modules' / 'axe-core' / 'axe.min.js'
TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
BLOCKING = ('critical', 'serious')
MODES = ('light', 'dark')
COUNTS = {}


@pytest.fixture(scope='module')
def base_url():
    if not (HTML / 'index.html').exists():
        pytest.fail('_build/html is missing: build the book first (make book)')
    if not AXE.exists():
        pytest.fail(f'{AXE} is missing: run `npm ci` (tools/build_book.py does)')
    handler = functools.partial(QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}/'
    httpd.shutdown()
    (ROOT / '_build' / 'accessibility-report.json').write_text(json.dumps(COUNTS, indent=1))


def axe_violations(browser, url):
    """axe's violations on the page at `url`, per mode of the theme: {mode: violations}."""
    context = browser.new_context(viewport={'width': 1440, 'height': 900})
    try:
        page = context.new_page()
        page.goto(url, wait_until='load')
        page.wait_for_load_state('networkidle')
        # Sections far from the viewport are not rendered (content-visibility: auto, see
        # _ext/page_speed.py), and axe would misjudge the colours of text it cannot see:
        # lay out the whole page, as a reader scrolling through it gets it.
        page.add_style_tag(content=FULL_LAYOUT)
        # Colours change at once when the mode switches below, not through CSS transitions
        # that axe could catch half-way.
        page.add_style_tag(content='*, *::before, *::after { transition: none !important; }')
        page.add_script_tag(path=str(AXE))
        found = {}
        for mode in MODES:
            # What the theme's mode switch does: its stylesheets key on data-theme.
            page.evaluate(
                'mode => { const root = document.documentElement;'
                ' root.dataset.mode = root.dataset.theme = mode; }',
                mode,
            )
            assert page.evaluate('() => document.documentElement.dataset.theme') == mode
            result = page.evaluate(
                """tags => axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
                TAGS,
            )
            found[mode] = result['violations']
        return found
    finally:
        context.close()


def describe(violation):
    targets = [' '.join(node['target']) for node in violation['nodes'][:3]]
    return f'{violation["impact"]} {violation["id"]} ({len(violation["nodes"])}x): {targets}'


@pytest.mark.parametrize('path', PAGES)
def test_no_serious_accessibility_violations(browser, base_url, path):
    blocking = []
    for mode, violations in axe_violations(browser, base_url + path).items():
        counts = {
            impact: {
                'rules': sum(v['impact'] == impact for v in violations),
                'elements': sum(len(v['nodes']) for v in violations if v['impact'] == impact),
            }
            for impact in ('critical', 'serious', 'moderate', 'minor')
        }
        COUNTS.setdefault(path, {})[mode] = counts
        blocking += [f'{mode}: {describe(v)}' for v in violations if v['impact'] in BLOCKING]
    assert blocking == []

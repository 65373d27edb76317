"""The built book, opened page by page in headless Chromium, as a reader would.

Serves _build/html on 127.0.0.1 (no other host is reachable: every request that
leaves it is aborted and counted) and fails on console errors, page errors,
failed requests, untypeset or broken math, images that did not load, solutions
that are not collapsed or do not open, widgets that do not render and internal
links that lead nowhere. A screenshot of each page goes to _build/screenshots/
and a summary to _build/browser-report.json.

Run it alone with `make browser-test` (after `make book`).
"""

import functools
import http.server
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from prerequisites import find_chromium

from conftest import ROOT

HTML = ROOT / '_build' / 'html'
SHOTS = ROOT / '_build' / 'screenshots'
CHROMIUM = find_chromium() or '/usr/bin/chromium'
# Lays out every section, whatever its distance from the viewport (see _ext/page_speed.py).
FULL_LAYOUT = '.bd-article section { content-visibility: visible !important; }'
FLAGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
]


def book_pages():
    """Every page a reader can reach from the table of contents, plus search."""
    import extract_saved

    pages = [
        p.relative_to(ROOT).with_suffix('.html').as_posix() for p in extract_saved.toc_files(ROOT)
    ]
    return [*pages, 'search.html', 'genindex.html']


PAGES = book_pages()
REPORT = {}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope='module')
def server():
    if not (HTML / 'index.html').exists():
        pytest.fail('_build/html is missing: build the book first (make book)')
    handler = functools.partial(QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}/'
    httpd.shutdown()
    (ROOT / '_build' / 'browser-report.json').write_text(json.dumps(summary(), indent=1))


class Visit:
    """One page opened in a fresh browser context, with everything it logged."""

    def __init__(self, browser, base, path, width=1440):
        self.base, self.problems = base, []
        self.context = browser.new_context(viewport={'width': width, 'height': 900})
        self.page = self.context.new_page()
        self.page.route('**/*', self._only_local)
        self.page.on('console', self._console)
        self.page.on('pageerror', lambda error: self.problems.append(f'page error: {error}'))
        self.page.on(
            'requestfailed',
            lambda r: self.problems.append(f'failed request: {r.url} ({r.failure})'),
        )
        self.page.on(
            'response',
            lambda r: r.status >= 400 and self.problems.append(f'HTTP {r.status}: {r.url}'),
        )
        self.page.goto(base + path, wait_until='load')
        self.page.wait_for_load_state('networkidle')
        self.page.evaluate('() => window.MathJax && MathJax.startup && MathJax.startup.promise')

    def _only_local(self, route):
        if route.request.url.startswith(self.base) or route.request.url.startswith('blob:'):
            route.continue_()
        else:
            self.problems.append(f'request leaving 127.0.0.1: {route.request.url}')
            route.abort()

    def _console(self, message):
        if message.type == 'error':
            self.problems.append(f'console error: {message.text}')

    def count(self, selector):
        return self.page.locator(selector).count()

    def close(self):
        self.context.close()


@pytest.fixture(scope='module')
def visits(browser, server):
    opened = {}

    def visit(path):
        if path not in opened:
            opened[path] = Visit(browser, server, path)
        return opened[path]

    yield visit
    for item in opened.values():
        item.close()


@pytest.mark.parametrize('path', PAGES)
def test_page_loads_offline_without_errors(visits, path):
    visit = visits(path)
    assert visit.problems == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(SHOTS / (path.replace('/', '_') + '.png')), full_page=True)
    REPORT.setdefault(path, {})['loaded'] = True


@pytest.mark.parametrize('path', PAGES)
def test_every_equation_is_typeset(visits, path):
    page = visits(path).page
    math = page.evaluate("""() => Array.from(document.querySelectorAll('.math')).map(
        element => element.querySelector('mjx-container') !== null)""")
    assert all(math), f'{math.count(False)} equations left as raw LaTeX'
    assert visits(path).count('mjx-merror') == 0
    text = page.locator('article').all_inner_texts() if visits(path).count('article') else []
    assert not any('$$' in t or '\\begin{' in t for t in text)
    REPORT.setdefault(path, {})['equations'] = len(math)


@pytest.mark.parametrize('path', PAGES)
def test_every_image_and_figure_loads(visits, path):
    page = visits(path).page
    broken = page.evaluate("""() => Array.from(document.images).filter(
        image => !image.complete || image.naturalWidth === 0).map(image => image.src)""")
    assert broken == []
    REPORT.setdefault(path, {})['figures'] = visits(path).count('figure')


@pytest.mark.parametrize('path', [p for p in PAGES if p.startswith('chapters/')])
def test_code_fits_its_box(visits, path):
    overflowing = visits(path).page.evaluate("""() => Array.from(document.querySelectorAll(
        'div.cell_input pre, div.cell_output pre')).filter(
        pre => pre.scrollWidth > pre.clientWidth + 1).map(
        pre => pre.textContent.split('\\n').reduce((a, b) => a.length > b.length ? a : b))""")
    assert overflowing == [], 'lines too wide for a 1440 px window'


@pytest.mark.parametrize('path', [p for p in PAGES if p.startswith('chapters/3_')])
def test_solutions_start_collapsed_and_open_on_click(visits, path):
    page = visits(path).page
    solutions = page.locator('div.solution')
    assert solutions.count() > 0
    hidden = page.evaluate("""() => Array.from(document.querySelectorAll('div.solution')).map(
        s => Array.from(s.children).filter(c => !c.classList.contains('admonition-title'))
              .every(c => !c.checkVisibility() || c.getBoundingClientRect().height === 0))""")
    assert all(hidden), 'a solution is visible before it is clicked'
    first = solutions.first
    first.locator('.admonition-title').click()
    from playwright.sync_api import TimeoutError as Timeout

    # The solution's section may be laid out only now that it is in view
    # (content-visibility), so wait for it rather than a fixed time.
    try:
        page.wait_for_function(
            """s => Array.from(s.children).filter(c => !c.classList.contains('admonition-title'))
                .some(c => c.checkVisibility() && c.getBoundingClientRect().height > 0)""",
            arg=first.element_handle(),
            timeout=5000,
        )
    except Timeout:
        pytest.fail('clicking a solution does not open it')
    REPORT.setdefault(path, {})['solutions'] = solutions.count()


@pytest.mark.parametrize('path', [p for p in PAGES if p.startswith('chapters/')])
def test_widgets_render(visits, path):
    page = visits(path).page
    views = page.evaluate("""() => Array.from(document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]')).map(
        s => s.parentElement.querySelector('.jupyter-widgets') !== null)""")
    assert all(views), 'a widget did not render'
    if views:
        assert visits(path).count('.widget-slider') > 0
    REPORT.setdefault(path, {})['widgets'] = len(views)


@pytest.mark.parametrize('path', PAGES)
def test_internal_links_resolve(visits, server, path):
    page = visits(path).page
    links = page.evaluate("""() => Array.from(document.querySelectorAll('a[href]'))
        .map(a => a.href)""")
    local = sorted({link.split('#')[0] for link in links if link.startswith(server)})
    for link in local:
        try:
            with urllib.request.urlopen(link) as response:
                assert response.status == 200, link
        except urllib.error.HTTPError as error:
            pytest.fail(f'{path} links to {link}: HTTP {error.code}')
    anchors = {
        urllib.parse.unquote(link.split('#', 1)[1])
        for link in links
        if link.startswith(server + path + '#') and link.split('#', 1)[1]
    }
    missing = [a for a in anchors if not page.evaluate('id => !!document.getElementById(id)', a)]
    assert missing == []


@pytest.mark.parametrize('path', [p for p in PAGES if p.startswith('chapters/3_')])
def test_reader_conveniences(visits, server, path):
    page = visits(path).page
    downloads = page.evaluate("""() => Array.from(document.querySelectorAll('a[href$=".ipynb"]'))
        .map(a => a.href)""")
    assert downloads, 'no download link for the notebook'
    with urllib.request.urlopen(downloads[0]) as response:
        notebook = json.loads(response.read())
    first_code = next(c for c in notebook['cells'] if c['cell_type'] == 'code')
    assert 'pip install' in ''.join(first_code['source'])
    assert visits(path).count('.prev-next-area a') >= 1
    section = '.'.join(path.split('/')[-1].split('_')[:2])
    assert page.title().startswith(f'{section}. ')
    assert visits(path).count('link[rel="icon"]') == 1


# The tab stops of the code blocks wider than their box; hidden ones (folded cells,
# closed solutions) are not focusable anyway and get theirs when they are shown.
WIDE_CODE_TAB_STOPS = """() => Array.from(document.querySelectorAll('div.cell_input pre'))
    .filter(pre => pre.checkVisibility({visibilityProperty: true, opacityProperty: true}))
    .filter(pre => pre.scrollWidth > pre.clientWidth)
    .map(pre => pre.tabIndex)"""


def scroll_through(page):
    for y in range(0, page.evaluate('document.body.scrollHeight'), 400):
        page.evaluate(f'window.scrollTo(0, {y})')
        page.wait_for_timeout(20)
    page.wait_for_timeout(200)


def test_code_too_wide_for_a_phone_gets_a_tab_stop_as_it_comes_near(browser, server):
    visit = Visit(browser, server, 'chapters/3_2_oo_design.html', width=390)
    try:
        page = visit.page
        far = page.evaluate("""() => Array.from(document.querySelectorAll('pre'))
            .filter(pre => pre.getBoundingClientRect().top > 3 * innerHeight)
            .filter(pre => pre.hasAttribute('tabindex')).length""")
        assert far == 0, 'blocks far below the viewport were laid out at load'
        scroll_through(page)
        tab_stops = page.evaluate(WIDE_CODE_TAB_STOPS)
        assert len(tab_stops) > 5 and set(tab_stops) == {0}
        page.evaluate("""() => document.querySelectorAll('details.hide').forEach(
            details => { details.open = true; })""")
        scroll_through(page)
        assert page.evaluate(WIDE_CODE_TAB_STOPS) == [0] * (len(tab_stops) + 2)
        assert visit.problems == []
    finally:
        visit.close()


def test_search_finds_a_term_from_the_text(browser, server):
    visit = Visit(browser, server, 'search.html?q=hyperparameters')
    try:
        visit.page.wait_for_selector('#search-results li', timeout=15_000)
        hits = visit.page.evaluate("""() => Array.from(
            document.querySelectorAll('#search-results li a')).map(a => a.href)""")
        assert any('3_2_oo_design' in hit for hit in hits)
        assert visit.problems == []
    finally:
        visit.close()


def summary():
    totals = {
        key: sum(page.get(key, 0) for page in REPORT.values())
        for key in ('equations', 'figures', 'widgets', 'solutions')
    }
    return {'pages': len(REPORT), **totals, 'by_page': REPORT}


def widget_state(html_path):
    """The widget models stored in a built page, and the model ids of its views."""
    text = html_path.read_text(encoding='utf-8')
    state_file = html_path.with_name(html_path.stem + '.widget-state.js')
    state = re.fullmatch(
        r'//[^\n]*\nwindow\.bookWidgetState = JSON\.parse\((".*")\);\n',
        state_file.read_text(encoding='utf-8') if state_file.exists() else '',
        re.DOTALL,
    )
    assert 'application/vnd.jupyter.widget-state+json' not in text, 'inline widget state'
    views = re.findall(
        r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>',
        text,
        re.DOTALL,
    )
    models = json.loads(json.loads(state.group(1)))['state'] if state else {}
    return models, [json.loads(view)['model_id'] for view in views]


def model_ref(reference):
    return reference.removeprefix('IPY_MODEL_')


def shown_frame(models, stack_id, indices):
    """The Image model a Stack shows when every linked slider is at `indices[slider]`.

    The links are read from the stored jsdlink/jslink models, not assumed.
    """
    drivers = {
        model_ref(m['state']['target'][0]): model_ref(m['state']['source'][0])
        for m in models.values()
        if m['model_name'].endswith('LinkModel')
    }
    model_id = stack_id
    while models[model_id]['model_name'] == 'StackModel':
        children = models[model_id]['state']['children']
        model_id = model_ref(children[indices[drivers[model_id]]])
    return models[model_id]


def pages_with_widgets():
    """The pages made from notebooks that store widget state."""
    import extract_saved

    return [
        p.relative_to(ROOT).with_suffix('.html').as_posix()
        for p in extract_saved.toc_files(ROOT)
        if p.suffix == '.ipynb'
        and json.loads(p.read_text(encoding='utf-8'))['metadata'].get('widgets')
    ]


SLIDER_PAGES = pages_with_widgets()


def assert_shows(widget, models, stack, indices):
    """The widget shows, alone, the stored frame for these slider positions, with its alt."""
    image = shown_frame(models, stack, indices)
    src = f'data:image/{image["state"]["format"]};base64,{image["buffers"][0]["data"]}'
    assert image['state']['alt'], 'a picture without a text alternative'
    shown = widget.evaluate("""w => Array.from(w.querySelectorAll('img'))
        .filter(i => i.checkVisibility()).map(i => [i.getAttribute('src'), i.alt])""")
    assert shown == [[src, image['state']['alt']]]


def move_each_slider_and_back(page, widget, models, view_id):
    """Arrow keys on each slider of one widget; returns how many sliders it moved."""
    children = [model_ref(c) for c in models[view_id]['state']['children']]
    sliders = [c for c in children if models[c]['model_name'] == 'SelectionSliderModel']
    stack = next(c for c in children if models[c]['model_name'] == 'StackModel')
    start = {s: models[s]['state']['index'] for s in sliders}
    # Sections away from the viewport are not laid out (content-visibility: auto), and
    # headless Chromium does not lay them out on scrolling: lay out the whole page.
    page.add_style_tag(content=FULL_LAYOUT)
    assert_shows(widget, models, stack, start)
    for number, slider in enumerate(sliders):
        state = models[slider]['state']
        forward = start[slider] < len(state['_options_labels']) - 1
        key, back, moved_to = (
            ('ArrowRight', 'ArrowLeft', start[slider] + 1)
            if forward
            else ('ArrowLeft', 'ArrowRight', start[slider] - 1)
        )
        field = widget.locator('input[type=range]').nth(number)
        label = widget.locator(f'label[for="{field.get_attribute("id")}"]')
        assert label.inner_text() == state['description']
        field.focus()
        page.keyboard.press(key)
        assert field.get_attribute('aria-valuetext') == state['_options_labels'][moved_to]
        assert_shows(widget, models, stack, {**start, slider: moved_to})
        page.keyboard.press(back)
        assert_shows(widget, models, stack, start)
    return len(sliders)


@pytest.mark.parametrize('path', SLIDER_PAGES)
def test_sliders_show_the_right_frame_from_the_keyboard(visits, path):
    """Each slider, moved with the arrow keys, shows the frame stored for its value."""
    visit = visits(path)
    models, views = widget_state(HTML / path)
    widgets = visit.page.locator('.widget-static')
    assert widgets.count() == len(views)
    moved = sum(
        move_each_slider_and_back(visit.page, widgets.nth(number), models, view_id)
        for number, view_id in enumerate(views)
    )
    assert moved > 0
    assert visit.problems == []
    REPORT.setdefault(path, {})['sliders_moved'] = moved

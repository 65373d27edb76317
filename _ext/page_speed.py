"""Make the built pages light enough to open fast on a phone.

After the HTML build:

* the theme's fontawesome.js (531 KB compressed, for about a dozen icons) is
  dropped: the theme's stylesheet already draws the same icons with the
  Font Awesome web font, which the browser fetches only for the glyphs shown;
* that web font is cut down to the glyphs the pages and stylesheets use
  (152 KB -> a few KB), since every page fetches it for its toolbar icons;
* the math is typeset at build time by MathJax 3 in Node
  (tools/typeset_math.js): pages carry SVG formulas and need no math
  JavaScript;
* the theme's stylesheets are cut down to the rules the pages and their
  scripts can use (tools/purge_css.js, PurgeCSS from npm): Bootstrap and the
  theme's styles for things the book has not; 87 KB -> 27 KB of
  render-blocking CSS, compressed, on every page;
* the theme's theme.css, which only @imports basic.css, is replaced in the
  pages by basic.css itself, and then a page's dozen stylesheets are joined,
  in order, into one file in _static (their url()s rebased): one request
  instead of twelve before the first paint, 0.2-0.3 s sooner on a simulated
  phone;
* scripts that Sphinx and the theme put in the head load with `defer`
  (they run in the same order, after parsing), so that they do not hold back
  the first paint.
* the theme's pass over every code block and output at page load, which gives
  scrollable ones a tab stop, is taken out of pydata-sphinx-theme.js: reading
  each block's size made the browser lay out the whole page at once (over a
  second of blocking time on a simulated phone). _assets/tab-stops.js does the
  same for each block when it nears the viewport;
* the widget state a page stores for its sliders (their pictures, 20-30 KB
  compressed) moves out of the page's head into a script file beside the page,
  <page>.widget-state.js, loaded with `defer` before the renderer
  (_assets/widgets-static.js): the text of the page arrives and shows sooner;
* the sections of a page (h2 level and deeper) get `content-visibility: auto`
  (page-speed.css): the browser lays out and styles a section only when it nears
  the viewport, which on a simulated phone is most of the main-thread time; the
  subsections count too, because a first section can hold a quarter of a page.

Images stay eager: the figures of a section weigh 10-30 KB compressed, and
the pages show no layout shift (Lighthouse CLS 0).
"""

import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPESETTER = ROOT / 'tools' / 'typeset_math.js'
CSS_PURGER = ROOT / 'tools' / 'purge_css.js'
THEME_CSS = re.compile(r'href="([^"]*/)styles/theme\.css(?:\?[^"]*)?"')
THEME_CSS_FILE = Path('_static/styles/theme.css')
THEME_CSS_IMPORT = '@import "../basic.css";'
FONTAWESOME_SCRIPT = re.compile(
    r'<script[^>]*src="[^"]*scripts/fontawesome\.js[^"]*"[^>]*></script>\s*'
)
BLOCKING_SCRIPT = re.compile(
    r'<script(?![^>]*\b(?:defer|async|type)\b)([^>]*\bsrc="([^"]*)"[^>]*)>'
)
STYLESHEET_LINK = re.compile(
    r'<link(?=[^>]*\brel="stylesheet")(?![^>]*\bmedia=)[^>]*\bhref="([^"?#]*)[^"]*"[^>]*>\s*'
)
CSS_URL = re.compile(r'url\((["\']?)([^)"\']+)\1\)')
CSS_CHARSET = re.compile(r'@charset "[^"]*";\s*')
ICON_FONT = Path('_static/vendor/fontawesome/webfonts/fa-solid-900.woff2')
ICON_CLASS = re.compile(r'\bfa-[a-z0-9-]+')
CSS_RULE = re.compile(r'([^{}]+)\{[^{}]*?content:\s*"((?:\\[0-9a-fA-F]+\s?|[^"\\])+)"')
CSS_ICON_VARIABLE = re.compile(r'--pst-icon-[\w-]+:\s*"((?:\\[0-9a-fA-F]+\s?|[^"\\])+)"')


WIDGET_STATE = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.S
)
WIDGET_STATE_SUFFIX = '.widget-state.js'
THEME_SCRIPT = Path('_static/scripts/pydata-sphinx-theme.js')
# pydata-sphinx-theme 0.17, minified: at load, call addTabStopsToScrollableElements.
TAB_STOPS_AT_LOAD = re.compile(
    r'"complete"===document\.readyState\?(\w+)\(\):window\.addEventListener\("load",\1\)'
)
TAB_STOPS_FUNCTION = 'function {}(){{const e=()=>{{document.querySelectorAll(["pre",'
TAB_STOPS_MOVED = '/* tab stops: see tab-stops.js */0'


def lighten(html):
    """The page without the icon script, its head scripts deferred."""
    html = FONTAWESOME_SCRIPT.sub('', html)
    html = THEME_CSS.sub(lambda m: f'href="{m.group(1)}basic.css"', html)
    return BLOCKING_SCRIPT.sub(lambda m: f'<script defer{m.group(1)}>', html)


def move_widget_state(page, html):
    """The page with its inline widget state moved into <page>.widget-state.js, loaded deferred."""
    match = WIDGET_STATE.search(html)
    if match is None:
        return html
    state_file = page.with_name(page.stem + WIDGET_STATE_SUFFIX)
    state_file.write_text(
        f'// The widget state of {page.name}, drawn by widgets-static.js (_ext/page_speed.py).\n'
        f'window.bookWidgetState = JSON.parse({json.dumps(match.group(1))});\n',
        encoding='utf-8',
    )
    tag = f'<script defer src="{state_file.name}"></script>'
    return html[: match.start()] + tag + html[match.end() :]


def drop_theme_tab_stops(script):
    """The theme's script without its page-load pass over every block (see tab-stops.js)."""
    if TAB_STOPS_MOVED in script:
        return script
    match = TAB_STOPS_AT_LOAD.search(script)
    if match is None or TAB_STOPS_FUNCTION.format(match.group(1)) not in script:
        raise RuntimeError(
            'page_speed: pydata-sphinx-theme.js no longer has the tab-stop pass this '
            'extension replaces; check _assets/tab-stops.js against the new theme'
        )
    return script[: match.start()] + TAB_STOPS_MOVED + script[match.end() :]


def _characters(css_string):
    """The characters of a CSS string literal, escapes decoded."""
    return {
        chr(int(escape, 16)) if escape else char
        for escape, char in re.findall(r'\\([0-9a-fA-F]+)\s?|([^\\])', css_string)
    }


def icon_characters(stylesheets, used_classes):
    """The icon-font characters the pages can show: their fa-* classes and the CSS icons."""
    characters = set()
    for css in stylesheets:
        for selectors, string in CSS_RULE.findall(css):
            classes = set(ICON_CLASS.findall(selectors))
            if not classes or classes & used_classes:
                characters |= _characters(string)
        for string in CSS_ICON_VARIABLE.findall(css):
            characters |= _characters(string)
    return {c for c in characters if 0xE000 <= ord(c) <= 0xF8FF or ord(c) >= 0xF0000}


def subset_icon_font(outdir, pages):
    """Cut the Font Awesome solid web font down to the characters the book uses."""
    from fontTools import subset

    font = Path(outdir) / ICON_FONT
    if not font.exists():
        return
    used = set()
    for page in pages:
        used |= set(ICON_CLASS.findall(page.read_text(encoding='utf-8')))
    stylesheets = [
        css.read_text(encoding='utf-8') for css in (Path(outdir) / '_static').rglob('*.css')
    ]
    options = subset.Options()
    options.flavor = 'woff2'
    options.layout_features = ['*']
    loaded = subset.load_font(str(font), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in icon_characters(stylesheets, used)])
    subsetter.subset(loaded)
    subset.save_font(loaded, str(font), options)


def check_theme_css(outdir):
    """Fail the build if theme.css does more than import basic.css (lighten drops it)."""
    css = (Path(outdir) / THEME_CSS_FILE).read_text(encoding='utf-8')
    rules = re.sub(r'/\*.*?\*/', '', css, flags=re.S).strip()
    if rules != THEME_CSS_IMPORT:
        raise RuntimeError(
            f'page_speed: {THEME_CSS_FILE} now holds more than {THEME_CSS_IMPORT}; '
            'the pages must link it again'
        )


def _node():
    node = shutil.which('node')
    if node is None:
        raise RuntimeError(
            'page_speed: Node.js is needed to typeset the math and trim the CSS '
            '(apt-get install nodejs)'
        )
    return node


def purge_css(outdir):
    """Cut the theme's stylesheets down to the rules the built pages can use."""
    subprocess.run([_node(), str(CSS_PURGER), str(outdir)], check=True, cwd=ROOT)


def typeset(pages):
    """Typeset the math of pages with MathJax in Node; fail the build on an error."""
    subprocess.run([_node(), str(TYPESETTER), *map(str, pages)], check=True, cwd=ROOT)


def _rebased(css, stylesheet, static):
    """The stylesheet's relative url()s, rewritten to be relative to the _static folder."""
    folder = stylesheet.parent.relative_to(static).as_posix()

    def rebase(match):
        quote, url = match.groups()
        if url.startswith(('data:', '#', '/')) or '://' in url:
            return match[0]
        return f'url({quote}{posixpath.normpath(posixpath.join(folder, url))}{quote})'

    return CSS_URL.sub(rebase, css)


def bundle_stylesheets(outdir, pages):
    """Give each page one stylesheet, its stylesheets joined in order, in _static."""
    static = (Path(outdir) / '_static').resolve()
    for page in pages:
        html = page.read_text(encoding='utf-8')
        candidates = (
            (link, (page.parent / link[1]).resolve()) for link in STYLESHEET_LINK.finditer(html)
        )
        found = [
            (link, sheet)
            for link, sheet in candidates
            if sheet.is_relative_to(static) and sheet.is_file()  # not a template's {{ pathto() }}
        ]
        if len(found) < 2:
            continue
        links, sheets = zip(*found)
        css = '\n'.join(
            _rebased(CSS_CHARSET.sub('', sheet.read_text(encoding='utf-8')), sheet, static)
            for sheet in sheets
        )
        bundle = static / f'book-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css'
        if not bundle.exists():
            bundle.write_text(css, encoding='utf-8')
        href = Path(os.path.relpath(bundle, page.parent.resolve())).as_posix()
        for link in reversed(links[1:]):
            html = html[: link.start()] + html[link.end() :]
        first = links[0]
        html = (
            f'{html[: first.start()]}<link rel="stylesheet" href="{href}" />\n{html[first.end() :]}'
        )
        page.write_text(html, encoding='utf-8')


def _finish(app, exception):
    if exception is not None or app.builder.format != 'html':
        return
    pages = sorted(Path(app.outdir).rglob('*.html'))
    check_theme_css(app.outdir)
    for page in pages:
        text = page.read_text(encoding='utf-8')
        page.write_text(move_widget_state(page, lighten(text)), encoding='utf-8')
    theme_script = Path(app.outdir) / THEME_SCRIPT
    theme_script.write_text(
        drop_theme_tab_stops(theme_script.read_text(encoding='utf-8')), encoding='utf-8'
    )
    subset_icon_font(app.outdir, pages)
    typeset(pages)
    purge_css(app.outdir)
    bundle_stylesheets(app.outdir, pages)


# Written into _static by _write_stylesheet; sized placeholders keep the scrollbar steady.
STYLESHEET = """/* _ext/page_speed.py: lay out a section only when it nears the viewport. */
.bd-article > section section {
  content-visibility: auto;
  contain-intrinsic-size: auto 1500px;
}
.bd-article > section section section {
  contain-intrinsic-size: auto 700px;
}
@media print {
  .bd-article > section section { content-visibility: visible; }
}
"""


def _write_stylesheet(app, exception):
    if exception is None and app.builder.format == 'html':
        (Path(app.outdir) / '_static' / 'page-speed.css').write_text(STYLESHEET, encoding='utf-8')


def setup(app):
    app.add_css_file('page-speed.css')
    app.add_js_file('tab-stops.js', loading_method='defer')
    app.connect('build-finished', _write_stylesheet)
    # Late: the theme rewrites pygments.css when the build finishes, before it is bundled.
    app.connect('build-finished', _finish, priority=900)
    return {'parallel_read_safe': True, 'parallel_write_safe': True, 'version': '1.0'}

"""Make the built pages light enough to open fast on a phone.

After the HTML build:

* the theme's fontawesome.js (531 KB compressed, for about a dozen icons) is
  dropped: the theme's stylesheet already draws the same icons with the
  Font Awesome web font, which the browser fetches only for the glyphs shown;
* the math is typeset at build time by MathJax 3 in Node
  (tools/typeset_math.js): pages carry SVG formulas and need no math
  JavaScript;
* images get lazy loading and asynchronous decoding, and keep their size
  attributes, so that they neither block the first paint nor shift the text.
"""

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPESETTER = ROOT / 'tools' / 'typeset_math.js'
FONTAWESOME_SCRIPT = re.compile(r'<script[^>]*src="[^"]*scripts/fontawesome\.js[^"]*"[^>]*></script>\s*')
IMG = re.compile(r'<img(?![^>]*\bloading=)([^>]*)>')


def lighten(html):
    """The page without the icon script; images after the first load lazily."""
    html = FONTAWESOME_SCRIPT.sub('', html)
    seen = []

    def lazy(match):
        seen.append(match)
        if len(seen) == 1:  # the first image may be the largest paint: load it at once
            return match.group(0)
        return f'<img loading="lazy" decoding="async"{match.group(1)}>'
    return IMG.sub(lazy, html)


def typeset(pages):
    """Typeset the math of pages with MathJax in Node; fail the build on an error."""
    node = shutil.which('node')
    if node is None:
        raise RuntimeError('page_speed: Node.js is needed to typeset the math (apt-get install nodejs)')
    subprocess.run([node, str(TYPESETTER), *map(str, pages)], check=True, cwd=ROOT)


def _finish(app, exception):
    if exception is not None or app.builder.format != 'html':
        return
    pages = sorted(Path(app.outdir).rglob('*.html'))
    for page in pages:
        text = page.read_text(encoding='utf-8')
        page.write_text(lighten(text), encoding='utf-8')
    typeset(pages)


def setup(app):
    app.connect('build-finished', _finish)
    return {'parallel_read_safe': True, 'parallel_write_safe': True, 'version': '1.0'}

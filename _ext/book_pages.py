"""Make the HTML pages work offline, load without console errors, and fit code.

* Publishes _assets/ (our scripts, among them widgets-static.js, the widgets'
  renderer that MyST-NB adds to pages with widget state) and _vendor/ (MathJax,
  copied from npm by tools/build_book.py) as part of _static/. They are added
  here rather than in _config.yml because jupyter-book would otherwise insert
  every .js file of those folders in every page.
* Drops sphinx-thebe's scripts: the book has no live-code launcher, thebe's
  code would come from a CDN, and jupyter-book adds its inline configuration
  twice, which raises a SyntaxError on every page.
* Gives the theme a default colour mode, so that a first visit does not log
  "Got invalid theme mode".
* Adds _assets/book.css (a code font size at which a library-length line fits).
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _publish_static_folders(app):
    for folder in ('_assets', '_vendor'):
        path = str(ROOT / folder)
        if path not in app.config.html_static_path:
            app.config.html_static_path.append(path)


def _is_thebe(script):
    filename = getattr(script, 'filename', None) or ''
    body = getattr(script, 'attributes', {}).get('body', '')
    return 'thebe' in filename or 'THEBE_JS_URL' in body


def _fix_page(app, pagename, templatename, context, doctree):
    scripts = context.get('script_files')
    if scripts is not None:
        context['script_files'] = [s for s in scripts if not _is_thebe(s)]
    if not context.get('default_mode'):
        context['default_mode'] = 'light'


def setup(app):
    app.add_css_file('book.css')
    app.connect('builder-inited', _publish_static_folders)
    app.connect('html-page-context', _fix_page)
    return {'parallel_read_safe': True, 'parallel_write_safe': True, 'version': '1.0'}

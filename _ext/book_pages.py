"""Make the HTML pages work offline, load without console errors, and fit code.

* Publishes _assets/ (our scripts, among them widgets-static.js, the widgets'
  renderer that MyST-NB adds to pages with widget state) as part of _static/.
  It is added here rather than in _config.yml because jupyter-book would
  otherwise insert every .js file of the folder in every page.
* Drops sphinx-thebe's scripts: the book has no live-code launcher, thebe's
  code would come from a CDN, and jupyter-book adds its inline configuration
  twice, which raises a SyntaxError on every page.
* Gives the theme a default colour mode, so that a first visit does not log
  "Got invalid theme mode".
* Adds _assets/book.css (a code font size at which a library-length line fits).
* Accessibility: every figure's picture gets its caption as alternative text
  (instead of its file name); the "Show code cell source" toggles of MyST-NB
  lose an aria-label that hid their visible text from assistive technology;
  _templates/ overrides two theme buttons for the same reason; the entries of
  the references page are list items of their list.
"""

import re
from pathlib import Path

from docutils import nodes
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput

ROOT = Path(__file__).resolve().parent.parent


def _publish_static_folders(app):
    for folder in ('_assets',):
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
    if 'body' in context:
        # docutils marks bibliography entries with the deprecated ARIA role
        # doc-biblioentry, which a role="list" may not contain: make them list items.
        context['body'] = context['body'].replace('role="doc-biblioentry"', 'role="listitem"')


def _add_templates(app, config):
    path = str(ROOT / '_templates')
    if path not in config.templates_path:
        config.templates_path.insert(0, path)


def _is_placeholder(alt, uri):
    return not alt or alt == uri or re.search(r'\.(svg|png|jpe?g|gif)$', alt) is not None


def _caption_as_alt(app, doctree, docname):
    """Give each figure's images the figure's caption as their text alternative."""
    for figure in doctree.findall(nodes.figure):
        captions = list(figure.findall(nodes.caption))
        if not captions:
            continue
        text = ' '.join(captions[0].astext().split())
        for image in figure.findall(nodes.image):
            if _is_placeholder(image.get('alt'), image.get('uri')):
                image['alt'] = text


def _visit_hidden_input(self, node):
    """MyST-NB's toggle, named by its visible text (no aria-label hiding it)."""
    self.body.append(f'<details class="admonition hide {" ".join(node["classes"])}">\n')
    self.body.append('<summary>\n')
    for state, prompt in (('collapsed', node['prompt_show']), ('expanded', node['prompt_hide'])):
        self.body.append(f'<p class="{state} admonition-title">{self.encode(prompt)}</p>\n')
    self.body.append('</summary>\n')


def setup(app):
    app.add_css_file('book.css')
    app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden_input, depart_HideCellInput))
    app.connect('config-inited', _add_templates)
    app.connect('builder-inited', _publish_static_folders)
    app.connect('doctree-resolved', _caption_as_alt)
    app.connect('html-page-context', _fix_page)
    return {'parallel_read_safe': True, 'parallel_write_safe': True, 'version': '1.0'}

"""Number the book's sections as chapter 3 of a larger book: 3.1, 3.2, ...

Sphinx numbers the entries of a numbered toctree from 1, so section 3.4 would
render as "4." and its equation (3.4.2) as (4.2). This extension puts the
chapter number (config value ``chapter_number``) in front of every section
number, which also prefixes the numbers of figures, equations and tables as
long as ``numfig_secnum_depth`` is 2.
"""

from sphinx import addnodes
from sphinx.environment.collectors.toctree import TocTreeCollector


def _prefix(number, chapter):
    return (chapter, *number) if number else number


def _prefix_toc_nodes(env, docnames, chapter):
    """Prefix the numbers that the sidebar and the page titles display."""
    for doc in docnames:
        for paragraph in env.tocs[doc].findall(addnodes.compact_paragraph):
            reference = paragraph.children[0] if paragraph.children else None
            if reference is not None and reference.get('secnumber'):
                reference['secnumber'] = list(_prefix(reference['secnumber'], chapter))
        title = env.titles.get(doc)
        if title is not None and title.get('secnumber'):
            title['secnumber'] = list(_prefix(title['secnumber'], chapter))


def _wrap(assign_section_numbers):
    def assign_with_chapter(self, env):
        old = env.toc_secnumbers
        assign_section_numbers(self, env)
        chapter = env.config.chapter_number
        env.toc_secnumbers = {
            doc: {anchor: _prefix(num, chapter) for anchor, num in numbers.items()}
            for doc, numbers in env.toc_secnumbers.items()
        }
        _prefix_toc_nodes(env, env.toc_secnumbers, chapter)
        return [doc for doc, nums in env.toc_secnumbers.items() if nums != old.get(doc)]

    assign_with_chapter.wrapped = assign_section_numbers
    return assign_with_chapter


def _collector_class():
    """The collector that numbers sections last: sphinx-external-toc's, if loaded."""
    try:
        from sphinx_external_toc.collectors import TocTreeCollectorWithStyles
    except ImportError:
        return TocTreeCollector
    return TocTreeCollectorWithStyles


def _install(app, env, docnames):
    # Runs just before the documents are read, after jupyter-book has set up
    # sphinx-multitoc-numbering and sphinx-external-toc, whose renumbering by
    # numbering style must come before our prefix.
    collector = _collector_class()
    current = collector.assign_section_numbers
    if not hasattr(current, 'wrapped'):
        collector.assign_section_numbers = _wrap(current)


def setup(app):
    app.add_config_value('chapter_number', 3, 'env', types=[int])
    app.connect('env-before-read-docs', _install)
    return {'parallel_read_safe': True, 'parallel_write_safe': True, 'version': '1.0'}

"""Repository, issue and "Open in Colab" buttons, turned on by one setting.

The setting is the environment variable BOOK_REPOSITORY_URL, the address of the
book's GitHub repository (https://github.com/OWNER/REPO). The Pages workflow
fills it from its own context, so that a fork publishes buttons that point at
the fork. BOOK_REPOSITORY_BRANCH names the branch the Colab links open
(default: main).

Without the setting (a local build) the book has none of these buttons: the
theme would otherwise point them at jupyter-book's own repository.
"""

import os
import re

from sphinx.errors import ConfigError

COLAB_URL = 'https://colab.research.google.com'
GITHUB_REPOSITORY = re.compile(r'https://github\.com/[\w.-]+/[\w.-]+')


def repository_options(url, branch):
    """The theme options for a book published from `url`, or none for ''."""
    url = url.strip().rstrip('/')
    if not url:
        return {
            'repository_url': '',
            'use_repository_button': False,
            'use_issues_button': False,
            'use_edit_page_button': False,
        }
    if not GITHUB_REPOSITORY.fullmatch(url):
        raise ConfigError(
            f'BOOK_REPOSITORY_URL must look like https://github.com/OWNER/REPO '
            f'(Colab opens notebooks from GitHub only), not {url!r}'
        )
    return {
        'repository_url': url,
        'repository_branch': branch or 'main',
        'path_to_docs': '',
        'use_repository_button': True,
        'use_issues_button': True,
        'use_edit_page_button': False,
    }


def _configure(app, config):
    url = os.environ.get('BOOK_REPOSITORY_URL', '')
    options = config.html_theme_options
    options.update(repository_options(url, os.environ.get('BOOK_REPOSITORY_BRANCH', '')))
    launch = dict(options.get('launch_buttons') or {})
    launch.update(
        binderhub_url='',
        jupyterhub_url='',
        deepnote_url='',
        thebe=False,
        colab_url=COLAB_URL if options['repository_url'] else '',
    )
    options['launch_buttons'] = launch


def setup(app):
    app.connect('config-inited', _configure)
    return {'parallel_read_safe': True, 'parallel_write_safe': True, 'version': '1.0'}

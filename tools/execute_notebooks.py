#!/usr/bin/env python3
"""Execute the book's notebooks in fresh kernels and store them normalized.

Usage:
    python tools/execute_notebooks.py                  every notebook in _toc.yml
    python tools/execute_notebooks.py chapters/X.ipynb  just these
    python tools/execute_notebooks.py --normalize-only  rewrite without executing

Each notebook runs top to bottom in a new kernel started in its own folder, so
its execution counts are 1..n. The stored file carries no timestamps, no
timings, no Python patch version and content-derived cell ids, so executing an
unchanged notebook twice gives the same bytes (widget model ids aside).
"""

import argparse
import hashlib
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tools'))
from extract_saved import toc_files  # noqa: E402

KERNELSPEC = {'display_name': 'Python 3 (ipykernel)', 'language': 'python', 'name': 'python3'}
LANGUAGE_INFO = {
    'codemirror_mode': {'name': 'ipython', 'version': 3},
    'file_extension': '.py',
    'mimetype': 'text/x-python',
    'name': 'python',
    'nbconvert_exporter': 'python',
    'pygments_lexer': 'ipython3',
}
CELL_METADATA_DROPPED = ('execution', 'collapsed', 'scrolled', 'ExecuteTime')


def normalize(notebook):
    """Strip what varies between runs and machines; return the notebook."""
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    metadata = notebook.metadata
    widgets = metadata.get('widgets')
    metadata.clear()
    metadata['kernelspec'] = dict(KERNELSPEC)
    metadata['language_info'] = dict(LANGUAGE_INFO)
    if widgets:
        metadata['widgets'] = widgets
    for number, cell in enumerate(notebook.cells):
        for key in CELL_METADATA_DROPPED:
            cell.metadata.pop(key, None)
        digest = hashlib.sha1(f'{number}\0{cell.cell_type}\0{cell.source}'.encode())
        cell.id = digest.hexdigest()[:12]
        if cell.cell_type != 'code':
            cell.pop('outputs', None)
            cell.pop('execution_count', None)
            continue
        # A live frame that gave way to a final figure is left with no data.
        cell.outputs = [o for o in cell.outputs if o.get('data', True)]
        for output in cell.outputs:
            output.get('metadata', {}).pop('execution', None)
    return notebook


def execute(path, timeout=600):
    """Run a notebook top to bottom in a fresh kernel and save it normalized.

    On an error or a timeout the notebook file is left as it was.
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name='python3',
        resources={'metadata': {'path': str(path.parent)}},
        record_timing=False,
        store_widget_state=True,
    )
    client.execute()
    save(normalize(notebook), path)


def save(notebook, path):
    nbformat.validate(notebook)
    text = nbformat.writes(notebook) + '\n'
    path.write_text(text, encoding='utf-8')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('notebooks', nargs='*', type=Path)
    parser.add_argument('--normalize-only', action='store_true')
    parser.add_argument('--timeout', type=int, default=600, help='seconds per cell')
    args = parser.parse_args(argv)
    paths = args.notebooks or [p for p in toc_files(ROOT) if p.suffix == '.ipynb']
    for path in paths:
        path = path.resolve()
        start = time.perf_counter()
        try:
            if args.normalize_only:
                save(normalize(nbformat.read(path, as_version=4)), path)
            else:
                execute(path, args.timeout)
        except CellTimeoutError:
            print(
                f'execute_notebooks: {path}: a cell ran longer than {args.timeout} s; '
                'the notebook was not changed',
                file=sys.stderr,
            )
            return 1
        except (CellExecutionError, DeadKernelError) as error:
            last = str(error).strip().splitlines()[-1]
            print(
                f'execute_notebooks: {path}: {last}\nthe notebook was not changed', file=sys.stderr
            )
            return 1
        print(f'{path}: {time.perf_counter() - start:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())

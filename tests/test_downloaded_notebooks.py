"""A notebook downloaded from the book runs where d2lsave is not installed.

Each notebook's first code cell imports d2lsave and, where it is missing (Colab,
a reader's own Jupyter), installs `d2lsave==<the book's version>` with %pip.
Here the .ipynb behind each page's download button runs in a kernel of a
throwaway virtual environment that sees the book's packages (torch, matplotlib,
ipykernel, ...) but not d2lsave, with a folder holding the freshly built wheel
standing in for the package index. The project's .venv is not touched: pip
installs into the throwaway environment.
"""

import os
import re
import subprocess
import sysconfig
import venv
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest
from bs4 import BeautifulSoup
from distributions import build_wheel, project_version
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from test_slider_frames import assert_same_slider_frames

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / '_build' / 'html'
NOTEBOOKS = sorted((ROOT / 'chapters').glob('*.ipynb'))
KERNEL = 'python-without-d2lsave'
INSTALL = re.compile(r'^ {4}%pip install --quiet d2lsave==(\S+)$', re.M)


def first_code_cell(path):
    notebook = nbformat.read(path, as_version=4)
    return next(cell.source for cell in notebook.cells if cell.cell_type == 'code')


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda path: path.stem)
def test_first_cell_installs_the_books_version_only_when_missing(path):
    source = first_code_cell(path)
    assert re.search(
        r'^try:\n    import d2lsave as d2l\nexcept ModuleNotFoundError:\n', source, re.M
    ), 'the first code cell must try `import d2lsave as d2l`'
    pins = INSTALL.findall(source)
    assert pins == [project_version()], (
        f'the first code cell must `%pip install --quiet d2lsave=={project_version()}` '
        f"(pyproject.toml's version) inside the except branch; it pins {pins}"
    )
    assert source.rstrip().endswith('import d2lsave as d2l')


@pytest.fixture(scope='module')
def wheels(tmp_path_factory):
    """A folder holding only the freshly built d2lsave wheel: the stand-in index."""
    return build_wheel(tmp_path_factory.mktemp('index')).parent


def environment_without_d2lsave(folder):
    """A virtual environment that sees the book's packages but not d2lsave.

    Its .pth file adds a folder of links to everything in the project's
    site-packages except d2lsave's editable install and metadata (which would
    make pip think d2lsave is installed already).
    """
    view = folder / 'book-packages'
    view.mkdir(parents=True)
    for entry in Path(sysconfig.get_paths()['purelib']).iterdir():
        if not entry.name.startswith(('d2lsave', '__editable__')) and entry.suffix != '.pth':
            (view / entry.name).symlink_to(entry)
    venv.EnvBuilder(with_pip=False).create(folder / 'venv')
    python = folder / 'venv' / 'bin' / 'python'
    site = subprocess.run(
        [str(python), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / 'book_packages.pth').write_text(f'{view}\n')
    return python, Path(site)


def kernel_manager(python, folder):
    """A kernel manager that starts `python` as an IPython kernel."""
    spec = folder / 'kernels' / KERNEL
    spec.mkdir(parents=True)
    spec.joinpath('kernel.json').write_text(
        '{"argv": ["%s", "-m", "ipykernel_launcher", "-f", "{connection_file}"],'
        ' "display_name": "without d2lsave", "language": "python"}' % python
    )
    return KernelManager(
        kernel_name=KERNEL,
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(folder / 'kernels')]),
    )


def downloaded_notebook(path):
    """The notebook the built page's download button offers."""
    page = HTML / 'chapters' / f'{path.stem}.html'
    if not page.exists():
        pytest.fail(f'{page} is missing: run `make book` first')
    soup = BeautifulSoup(page.read_text(encoding='utf-8'), 'html.parser')
    links = [
        a['href']
        for a in soup.select('a.btn-download-source-button')
        if a['href'].endswith('.ipynb')
    ]
    assert len(links) == 1, f'{page.name}: expected one .ipynb download link, found {links}'
    return (page.parent / unquote(links[0])).resolve()


def project_packages():
    """What a pip install into the project's .venv would change: the installed
    entries (caches aside), and the modification times of d2lsave's own."""
    site = Path(sysconfig.get_paths()['purelib'])
    ours = ('d2lsave', '__editable__')
    return {
        entry.name: entry.stat().st_mtime_ns if entry.name.startswith(ours) else None
        for entry in site.iterdir()
        if entry.name != '__pycache__'
    }


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda path: path.stem)
def test_downloaded_notebook_installs_d2lsave_and_runs(path, wheels, tmp_path, monkeypatch):
    download = downloaded_notebook(path)
    assert download.read_bytes() == path.read_bytes(), 'the book offers a stale notebook'
    python, site = environment_without_d2lsave(tmp_path / 'env')
    workdir = tmp_path / 'work'
    workdir.mkdir()
    missing = subprocess.run(
        [str(python), '-c', 'import torch, ipykernel; import d2lsave'],
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    assert "No module named 'd2lsave'" in missing.stderr, missing.stderr

    for name in ('PYTHONPATH', 'PIP_EXTRA_INDEX_URL', 'PIP_INDEX_URL'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('PIP_CONFIG_FILE', os.devnull)
    monkeypatch.setenv('PIP_NO_INDEX', '1')
    monkeypatch.setenv('PIP_FIND_LINKS', str(wheels))
    monkeypatch.setenv('PYTHONDONTWRITEBYTECODE', '1')  # no caches written into .venv either
    before = project_packages()

    notebook = nbformat.read(download, as_version=4)
    client = NotebookClient(
        notebook,
        km=kernel_manager(python, tmp_path),
        timeout=600,
        store_widget_state=True,
        resources={'metadata': {'path': str(workdir)}},
    )
    client.execute()  # raises CellExecutionError at the first cell that fails

    installed = sorted(p.name for p in site.glob('d2lsave*'))
    assert installed == ['d2lsave', f'd2lsave-{project_version()}.dist-info'], installed
    assert project_packages() == before, "the project's .venv changed"
    assert_same_slider_frames(nbformat.read(path, as_version=4), notebook)

"""Root conftest: plugins that apply to the notebooks in chapters/ as well as tests/."""

pytest_plugins = ['tests.nbval_figures']

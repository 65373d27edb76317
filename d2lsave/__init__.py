# DO NOT EDIT: generated from the `#@save` cells of chapters/*.ipynb by
# tools/extract_saved.py. Change the notebooks, then run `make extract`.
# checksum: sha256:577f72743448915a940c6e6a4ed02ec4ad4b49e0f0b1a57403ba0cca723b67ad
"""The training framework built in the book, one section at a time."""

import inspect
import io
import math
import numbers
import sys
import time

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from torch import nn

__version__ = '0.1.0'
__all__ = [
    'use_svg_display',
    'set_axes',
    'plot',
    'slider_figure',
    'add_to_class',
    'HyperParameters',
    'check_int',
    'check_real',
    'in_notebook',
    'SVG_SETTINGS',
    'svg_of',
    'ProgressBoard',
    'Module',
    'DataModule',
    'cpu',
    'gpu',
    'Trainer',
]


# %% chapters/3_1_linear_regression.ipynb
def use_svg_display():
    """Show Matplotlib figures in Jupyter as SVG that is identical on every run."""
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    matplotlib.rcParams['svg.hashsalt'] = 'd2lsave'
    set_matplotlib_formats('svg', metadata={'Date': None})


# %% chapters/3_1_linear_regression.ipynb
def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """Label, limit and scale the axes of a Matplotlib plot."""
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid(True)


# %% chapters/3_1_linear_regression.ipynb
def plot(
    X,
    Y=None,
    xlabel=None,
    ylabel=None,
    legend=(),
    xlim=None,
    ylim=None,
    xscale='linear',
    yscale='linear',
    fmts=('-', 'm--', 'g-.', 'r:'),
    figsize=(3.5, 2.5),
    axes=None,
):
    """Plot one or more curves: `X` and `Y` are arrays or lists of arrays."""

    def has_one_axis(data):  # a single 1-D sequence rather than a list of them
        return (
            hasattr(data, 'ndim')
            and data.ndim == 1
            or isinstance(data, list)
            and not hasattr(data[0], '__len__')
        )

    if has_one_axis(X):
        X = [X]
    if Y is None:
        X, Y = [[]] * len(X), X
    elif has_one_axis(Y):
        Y = [Y]
    if len(X) != len(Y):
        X = X * len(Y)
    if axes is None:
        axes = plt.figure(figsize=figsize).gca()
    axes.cla()
    for x, y, fmt in zip(X, Y, fmts * len(Y)):
        if len(x):
            axes.plot(x, y, fmt)
        else:
            axes.plot(y, fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
    return axes


# %% chapters/3_1_linear_regression.ipynb
def slider_figure(draw, figsize=(3.5, 2.5), **sliders):
    """A widget: the given ipywidgets sliders above a figure that `draw` redraws.

    `draw(axes, **values)` plots onto a fresh Matplotlib axes, given the current
    value of every slider. The figure is a PNG inside an `ipywidgets.Image`, so
    the picture is stored with the notebook and shows in the static HTML book.
    """
    import ipywidgets as widgets

    figure = Figure(figsize=figsize)
    axes = figure.add_subplot()
    image = widgets.Image(format='png')

    def update(change=None):
        axes.clear()
        draw(axes, **{name: slider.value for name, slider in sliders.items()})
        buffer = io.BytesIO()
        figure.savefig(buffer, format='png', dpi=100, bbox_inches='tight')
        image.value = buffer.getvalue()

    for slider in sliders.values():
        slider.observe(update, names='value')
    update()
    return widgets.VBox([*sliders.values(), image])


# %% chapters/3_2_oo_design.ipynb
def add_to_class(Class):
    """Decorator: attach the decorated function to `Class` as a method."""
    if not isinstance(Class, type):
        raise TypeError(f'add_to_class needs a class, got {Class!r}')

    def register(function):
        setattr(Class, function.__name__, function)
        return function

    return register


# %% chapters/3_2_oo_design.ipynb
class HyperParameters:
    """Base class whose constructors can save their arguments as attributes."""

    def save_hyperparameters(self, ignore=()):
        """Store the calling method's arguments in `self` and in `self.hparams`."""
        frame = inspect.currentframe().f_back
        info = inspect.getargvalues(frame)
        skip = set(ignore) | {'self'}
        names = list(info.args)
        if info.varargs:
            names.append(info.varargs)
        hparams = {name: info.locals[name] for name in names if name not in skip}
        if info.keywords:
            extra = info.locals[info.keywords]
            hparams.update({k: v for k, v in extra.items() if k not in skip})
        self.hparams = hparams
        for name, value in hparams.items():
            setattr(self, name, value)


# %% chapters/3_2_oo_design.ipynb
def check_int(name, value, minimum=1):
    """Raise unless `value` is an int (not a bool) of at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f'{name} must be an integer, got {value!r}')
    if value < minimum:
        raise ValueError(f'{name} must be at least {minimum}, got {value!r}')
    return int(value)


# %% chapters/3_2_oo_design.ipynb
def check_real(name, value, minimum=0.0, strict=False):
    """Raise unless `value` is a finite real number >= `minimum` (> if strict)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f'{name} must be a real number, got {value!r}')
    value = float(value)
    too_small = value <= minimum if strict else value < minimum
    if not math.isfinite(value) or too_small:
        bound = f'greater than {minimum:g}' if strict else f'at least {minimum:g}'
        raise ValueError(f'{name} must be finite and {bound}, got {value!r}')
    return value


# %% chapters/3_2_oo_design.ipynb
def in_notebook():
    """True inside a Jupyter kernel, where figures can be displayed."""
    ipython = sys.modules.get('IPython')  # never imported by a plain script
    shell = ipython.get_ipython() if ipython else None
    return shell is not None and hasattr(shell, 'kernel')


# %% chapters/3_2_oo_design.ipynb
SVG_SETTINGS = {'svg.hashsalt': 'd2lsave', 'svg.fonttype': 'path'}


# %% chapters/3_2_oo_design.ipynb
def svg_of(figure):
    """Render a Matplotlib figure to SVG text that is identical on every run."""
    buffer = io.StringIO()
    with matplotlib.rc_context(SVG_SETTINGS):
        figure.savefig(
            buffer, format='svg', metadata={'Date': None}, bbox_inches='tight'
        )
    return buffer.getvalue()


# %% chapters/3_2_oo_design.ipynb
class ProgressBoard(HyperParameters):
    """A figure of curves that grow point by point while a model trains."""

    refresh_seconds = 0.5

    def __init__(
        self,
        xlabel=None,
        ylabel=None,
        xlim=None,
        ylim=None,
        xscale='linear',
        yscale='linear',
        ls=('-', '--', '-.', ':'),
        colors=('C0', 'C1', 'C2', 'C3'),
        fig=None,
        axes=None,
        figsize=(3.5, 2.5),
        display=True,
    ):
        self.save_hyperparameters()
        self.points = {}  # label -> averaged (x, y) points, in order
        self._raw = {}  # label -> points waiting to be averaged
        self._lines = {}  # label -> matplotlib Line2D
        self._handle = None  # the notebook output that shows the figure
        self._last_shown = None
        self._stale = False

    def draw(self, x, y, label, every_n=1):
        """Add (x, y) to the curve `label`, plotting the mean of every `every_n`."""
        every_n = check_int('every_n', every_n)
        raw = self._raw.setdefault(label, [])
        raw.append((float(x), float(y)))
        if len(raw) < every_n:
            return
        xs, ys = zip(*raw)
        self.points.setdefault(label, []).append((sum(xs) / len(xs), sum(ys) / len(ys)))
        raw.clear()
        self._stale = True
        if self.display and in_notebook():
            self._show_soon()

    def figure(self):
        """The Matplotlib figure with every point recorded so far."""
        if self.axes is None:
            self.fig = self.fig or Figure(figsize=self.figsize)
            self.axes = self.fig.add_subplot()
        axes = self.axes
        for i, (label, points) in enumerate(self.points.items()):
            if label not in self._lines:
                (self._lines[label],) = axes.plot(
                    [],
                    [],
                    linestyle=self.ls[i % len(self.ls)],
                    color=self.colors[i % len(self.colors)],
                    label=label,
                )
            self._lines[label].set_data(*zip(*points))
        axes.set_xlabel(self.xlabel)
        axes.set_ylabel(self.ylabel)
        axes.set_xscale(self.xscale)
        axes.set_yscale(self.yscale)
        axes.relim()
        axes.autoscale_view()
        axes.set_xlim(self.xlim)  # None leaves the automatic limits
        axes.set_ylim(self.ylim)
        if self._lines:
            axes.legend(loc='best')
        return axes.figure

    def show(self):
        """In a notebook, redraw the figure now if it has unseen points."""
        if not (self._stale and self.display and in_notebook()):
            return
        from IPython.display import display

        image = {'image/svg+xml': svg_of(self.figure())}
        if self._handle is None:
            self._handle = display(image, raw=True, display_id=True)
        else:
            self._handle.update(image, raw=True)
        self._stale = False
        self._last_shown = time.perf_counter()
        _BOARDS_TO_SHOW.discard(self)

    def _show_soon(self):
        now = time.perf_counter()
        if self._last_shown is None:  # start the clock; the first frame can wait
            self._last_shown = now
            _show_boards_after_each_cell()
        if now - self._last_shown >= self.refresh_seconds:
            self.show()
        else:
            _BOARDS_TO_SHOW.add(self)


# %% chapters/3_2_oo_design.ipynb
_BOARDS_TO_SHOW = set()


# %% chapters/3_2_oo_design.ipynb
def _show_boards_after_each_cell():
    """Make IPython draw the final frame of every board when a cell finishes."""
    shell = sys.modules['IPython'].get_ipython()
    callbacks = shell.events.callbacks['post_run_cell']
    if _show_pending_boards not in callbacks:
        shell.events.register('post_run_cell', _show_pending_boards)


# %% chapters/3_2_oo_design.ipynb
def _show_pending_boards(*args):
    """Show the last frame of every board drawn since it was last shown."""
    for board in list(_BOARDS_TO_SHOW):
        board.show()


# %% chapters/3_2_oo_design.ipynb
class Module(nn.Module, HyperParameters):
    """Base class of the book's models."""

    def __init__(self, plot_train_per_epoch=2, plot_valid_per_epoch=1):
        super().__init__()
        self.save_hyperparameters()
        self.board = ProgressBoard()

    def loss(self, y_hat, y):
        raise NotImplementedError

    def forward(self, X):
        if not hasattr(self, 'net'):
            raise NotImplementedError('define self.net or override forward')
        return self.net(X)

    def plot(self, key, value, train):
        """Send one loss value to the progress board."""
        if not hasattr(self, 'trainer'):
            raise RuntimeError('plot needs a trainer: call Trainer.fit first')
        self.board.xlabel = 'epoch'
        if train:
            x = self.trainer.train_batch_idx / self.trainer.num_train_batches
            n = self.trainer.num_train_batches / self.plot_train_per_epoch
        else:
            x = self.trainer.epoch + 1
            n = self.trainer.num_val_batches / self.plot_valid_per_epoch
        self.board.draw(
            x,
            float(value),
            ('train_' if train else 'val_') + key,
            every_n=max(1, int(n)),
        )

    def training_step(self, batch):
        loss = self.loss(self(*batch[:-1]), batch[-1])
        self.plot('loss', loss, train=True)
        return loss

    def validation_step(self, batch):
        loss = self.loss(self(*batch[:-1]), batch[-1])
        self.plot('loss', loss, train=False)
        return loss

    def configure_optimizers(self):
        raise NotImplementedError


# %% chapters/3_2_oo_design.ipynb
class DataModule(HyperParameters):
    """Base class of the book's datasets."""

    def __init__(self, root='../data', num_workers=4):
        self.save_hyperparameters()

    def get_dataloader(self, train):
        raise NotImplementedError

    def train_dataloader(self):
        return self.get_dataloader(train=True)

    def val_dataloader(self):
        return self.get_dataloader(train=False)


# %% chapters/3_2_oo_design.ipynb
def cpu():
    """The CPU device."""
    return torch.device('cpu')


# %% chapters/3_2_oo_design.ipynb
def gpu(i=0):
    """The `i`-th GPU device."""
    return torch.device(f'cuda:{i}')


# %% chapters/3_2_oo_design.ipynb
class Trainer(HyperParameters):
    """Trains a Module on the data of a DataModule."""

    def __init__(self, max_epochs, num_gpus=0, gradient_clip_val=0):
        self.save_hyperparameters()
        check_int('max_epochs', max_epochs, minimum=0)
        check_int('num_gpus', num_gpus, minimum=0)
        check_real('gradient_clip_val', gradient_clip_val)
        available = torch.cuda.device_count()
        if num_gpus > available:
            raise ValueError(
                f'num_gpus={num_gpus} but this machine has {available} GPU(s)'
            )
        if num_gpus > 1:
            raise ValueError('this Trainer trains on one device: use num_gpus=0 or 1')
        self.device = gpu() if num_gpus else cpu()

    def prepare_data(self, data):
        self.train_dataloader = data.train_dataloader()
        self.val_dataloader = data.val_dataloader()
        self.num_train_batches = len(self.train_dataloader)
        self.num_val_batches = (
            len(self.val_dataloader) if self.val_dataloader is not None else 0
        )

    def prepare_model(self, model):
        model.trainer = self
        model.board.xlim = [0, self.max_epochs]
        self.model = model.to(self.device)

    def fit(self, model, data):
        self.prepare_data(data)
        self.prepare_model(model)
        self.optim = model.configure_optimizers()
        self.epoch = 0
        self.train_batch_idx = 0
        self.val_batch_idx = 0
        try:
            for epoch in range(self.max_epochs):
                self.epoch = epoch
                self.fit_epoch()
        finally:  # also after an error or an interrupt: show what was learned
            model.board.show()

    def fit_epoch(self):
        raise NotImplementedError

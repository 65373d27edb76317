# DO NOT EDIT: generated from the `#@save` cells of chapters/*.ipynb by
# tools/extract_saved.py. Change the notebooks, then run `make extract`.
# checksum: sha256:27a05ee6b57c8601ee0a04f3a0a8e704f545130b2fce2e01f89249c47b74f88c
"""The training framework built in the book, one section at a time."""

import inspect
import io
import math
import numbers
import sys
import time

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

__version__ = '0.1.0'
__all__ = [
    'slider_figure',
    'use_svg_display',
    'set_axes',
    'plot',
    'Timer',
    'add_to_class',
    'HyperParameters',
    'Module',
    'DataModule',
    'cpu',
    'gpu',
    'Trainer',
    'ProgressBoard',
    'SyntheticRegressionData',
    'TensorLoader',
    'LinearRegressionScratch',
    'SGD',
    'LinearRegression',
    'polynomial_features',
    'k_fold_splits',
    'HighDimRegressionData',
    'l2_penalty',
    'WeightDecayScratch',
    'WeightDecay',
]


# %% chapters/3_1_linear_regression.ipynb
def _compact_svg(svg):
    """The SVG text without comments and indentation, coordinates to 0.1 pt."""
    import re

    def short(number):
        text = f'{float(number[0]):.1f}'.removesuffix('.0')
        return '0' if text == '-0' else text

    svg = re.sub(r'<!--.*?-->', '', svg, flags=re.DOTALL)
    svg = re.sub(r'\n\s*', '\n', svg)
    return re.sub(r'="[^"]*"', lambda value: re.sub(r'-?\d+\.\d{2,}', short, value[0]), svg)


# %% chapters/3_1_linear_regression.ipynb
def _plain_log_label(value, position=None):
    """A log axis's tick label as plain text, 10⁻³ or 2×10⁻⁵."""
    mantissa, exponent = f'{value:.0e}'.split('e')
    superscripts = str.maketrans('-0123456789', '⁻⁰¹²³⁴⁵⁶⁷⁸⁹')
    power = '10' + str(int(exponent)).translate(superscripts)
    return power if mantissa == '1' else f'{mantissa}×{power}'


# %% chapters/3_1_linear_regression.ipynb
class _FewMinorLogTicks(matplotlib.ticker.LogLocator):
    """A log axis's minor ticks, or none once the axis spans two decades or more."""

    def __init__(self):
        super().__init__(base=10.0, subs='auto')

    def __call__(self):
        low, high = sorted(self.axis.get_view_interval())
        return [] if 0 < low and 100 * low <= high else super().__call__()


# %% chapters/3_1_linear_regression.ipynb
def _tick_log_axes(axes):
    """Tick the axes' log scales by decade, labelled in plain text, not in slow math text.

    Minor ticks, which Matplotlib makes one object at a time, stay only on axes that
    span less than two decades, where they carry the labels.
    """
    for axis in (axes.xaxis, axes.yaxis):
        if isinstance(axis.get_major_formatter(), matplotlib.ticker.LogFormatterSciNotation):
            axis.set_major_formatter(_plain_log_label)
            axis.set_minor_locator(_FewMinorLogTicks())


# %% chapters/3_1_linear_regression.ipynb
def _svg_frame(draw, figsize, values, margins=None):
    """One figure drawn by `draw(axes, **values)` as compact SVG bytes, and its margins.

    Without `margins`, Matplotlib's tight layout places the axes; the other frames
    of a slider pass the first one's, so the axes stay still as the slider moves.
    """
    figure = Figure(figsize=figsize)
    axes = figure.add_subplot()
    draw(axes, **values)
    _tick_log_axes(axes)
    for axis in (axes.xaxis, axes.yaxis):
        if axis.get_scale() == 'log':  # a frame has no room for minor ticks
            axis.set_minor_locator(matplotlib.ticker.NullLocator())
    if margins is None:
        figure.tight_layout()
        margins = {
            side: getattr(figure.subplotpars, side) for side in ('left', 'bottom', 'right', 'top')
        }
    figure.subplots_adjust(**margins)
    buffer = io.StringIO()
    with matplotlib.rc_context({'svg.fonttype': 'none', 'svg.hashsalt': 'd2lsave'}):
        figure.savefig(buffer, format='svg', metadata={'Date': None, 'Creator': None})
    return _compact_svg(buffer.getvalue()).encode(), margins


# %% chapters/3_1_linear_regression.ipynb
def slider_figure(draw, alt, figsize=(3.5, 2.5), **sliders):
    """A widget: sliders that flip through figures drawn in advance, one per setting.

    Each slider is an `ipywidgets.SelectionSlider` over the values to show.
    `draw(axes, **values)` plots one setting onto a fresh Matplotlib axes, and
    `alt` (a format string over the same names, or a function of them) says in
    words what that picture shows. Every combination of values is drawn now, as
    a small SVG in an `ipywidgets.Image` (whose state also holds `alt`), and each
    slider's `index` is linked to the `selected_index` of the `Stack`s that hold
    the pictures with `jsdlink`, which runs in the browser: the widget works in
    the static book, with no kernel, as well as in JupyterLab. All frames share
    the first one's layout, so `draw` should fix the axis limits.
    """
    import ipywidgets as widgets
    import traitlets

    class Picture(widgets.Image):
        # An Image's `tooltip` would break its view in JupyterLab (ipywidgets 8.1
        # reads a `description` that images lack), so the text is a trait of its own.
        alt = traitlets.Unicode().tag(sync=True)

    if not sliders:
        raise TypeError('slider_figure needs at least one slider')
    for name, slider in sliders.items():
        if not isinstance(slider, widgets.SelectionSlider):
            raise TypeError(
                f'{name} must be an ipywidgets.SelectionSlider, got {type(slider).__name__}'
            )
    describe = alt.format if isinstance(alt, str) else alt
    names, start = list(sliders), {name: s.index for name, s in sliders.items()}
    links, layout = [], {}

    def pictures(depth, values):
        if depth == len(names):
            svg, layout['margins'] = _svg_frame(draw, figsize, values, layout.get('margins'))
            return Picture(value=svg, format='svg+xml', alt=describe(**values))
        slider = sliders[names[depth]]
        children = []
        for index in range(len(slider.options)):
            slider.index = index
            children.append(pictures(depth + 1, {**values, names[depth]: slider.value}))
        stack = widgets.Stack(children, selected_index=start[names[depth]])
        links.append(widgets.jsdlink((slider, 'index'), (stack, 'selected_index')))
        return stack

    stacks = pictures(0, {})
    for name, slider in sliders.items():
        slider.index = start[name]
    box = widgets.VBox([*sliders.values(), stacks])
    box.links = links  # keeps the links with the widget they belong to
    return box


# %% chapters/3_1_linear_regression.ipynb
def use_svg_display():
    """Show Matplotlib figures in Jupyter as SVG that is identical on every run."""
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    matplotlib.rcParams['svg.hashsalt'] = 'd2lsave'
    set_matplotlib_formats('svg', metadata={'Date': None})


# %% chapters/3_1_linear_regression.ipynb
def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """Label, limit and scale the axes of a Matplotlib plot."""
    if not hasattr(axes, 'set_xlabel'):
        raise TypeError(f'axes must be Matplotlib axes, got {axes!r}')
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    _tick_log_axes(axes)
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

    for name, data in (('X', X), ('Y', Y)):
        if data is not None and not hasattr(data, '__len__'):
            raise TypeError(f'{name} must be an array or a list of arrays, got {data!r}')
        if data is not None and len(data) == 0:
            raise ValueError(f'{name} must not be empty')
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
class Timer:
    """Measure and record how long pieces of code take."""

    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        """Start (or restart) the clock."""
        self.tik = time.perf_counter()

    def stop(self):
        """Record the time since `start` and return it in seconds."""
        self.times.append(time.perf_counter() - self.tik)
        return self.times[-1]

    def _recorded(self):
        if not self.times:
            raise ValueError('no time recorded yet: call stop() first')
        return self.times

    def avg(self):
        """The mean of the recorded times."""
        return sum(self._recorded()) / len(self.times)

    def sum(self):
        """The total of the recorded times."""
        return sum(self.times)

    def best(self):
        """The shortest recorded time: the least disturbed by other work."""
        return min(self._recorded())

    def cumsum(self):
        """The running totals of the recorded times."""
        return np.cumsum(self.times).tolist()


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
def _check_int(name, value, minimum=1):
    """Raise unless `value` is an int (not a bool) of at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f'{name} must be an integer, got {value!r}')
    if value < minimum:
        raise ValueError(f'{name} must be at least {minimum}, got {value!r}')
    return int(value)


# %% chapters/3_2_oo_design.ipynb
def _check_real(name, value, minimum=None, strict=False):
    """Raise unless `value` is a finite real number, at least `minimum` if given
    (greater than `minimum` if `strict`)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f'{name} must be a real number, got {value!r}')
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f'{name} must be a finite number, got {value!r}')
    if minimum is not None and (value <= minimum if strict else value < minimum):
        bound = 'greater than' if strict else 'at least'
        raise ValueError(f'{name} must be {bound} {minimum:g}, got {value!r}')
    return value


# %% chapters/3_2_oo_design.ipynb
def _check_tensor(name, value):
    """Raise unless `value` is a tensor."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f'{name} must be a tensor, got {type(value).__name__}')
    return value


# %% chapters/3_2_oo_design.ipynb
def _check_bool(name, value):
    """Raise unless `value` is True or False."""
    if not isinstance(value, bool):
        raise TypeError(f'{name} must be True or False, got {value!r}')
    return value


# %% chapters/3_2_oo_design.ipynb
class Module(nn.Module, HyperParameters):
    """Base class of the book's models."""

    def __init__(self, plot_train_per_epoch=2, plot_valid_per_epoch=1):
        super().__init__()
        _check_int('plot_train_per_epoch', plot_train_per_epoch)
        _check_int('plot_valid_per_epoch', plot_valid_per_epoch)
        self.save_hyperparameters()
        self.board = ProgressBoard()

    def __getstate__(self):
        """Copies and pickles of a model leave its trainer (and data) behind."""
        state = super().__getstate__()
        state.pop('trainer', None)
        return state

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
        trainer = self.trainer
        self.board.xlabel = 'epoch'
        if train:
            x = trainer.train_batch_idx / trainer.num_train_batches
            n = trainer.num_train_batches / self.plot_train_per_epoch
        else:
            x = trainer.epoch + 1
            n = trainer.num_val_batches / self.plot_valid_per_epoch
        self.board.draw(
            trainer.epochs_before + x,
            trainer.loss_value(value),
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

    # From chapters/3_3_synthetic_regression_data.ipynb
    def get_tensorloader(self, tensors, train, indices=slice(0, None)):
        tensors = tuple(a[indices] for a in tensors)
        return TensorLoader(tensors, self.batch_size, shuffle=train)


# %% chapters/3_2_oo_design.ipynb
def cpu():
    """The CPU device."""
    return torch.device('cpu')


# %% chapters/3_2_oo_design.ipynb
def gpu(i=0):
    """The `i`-th GPU device."""
    return torch.device(f'cuda:{_check_int("i", i, minimum=0)}')


# %% chapters/3_2_oo_design.ipynb
class Trainer(HyperParameters):
    """Trains a Module on the data of a DataModule."""

    def __init__(self, max_epochs, num_gpus=0, gradient_clip_val=0):
        self.save_hyperparameters()
        _check_int('max_epochs', max_epochs, minimum=0)
        _check_int('num_gpus', num_gpus, minimum=0)
        _check_real('gradient_clip_val', gradient_clip_val, minimum=0)
        if num_gpus > 1:
            raise ValueError('this Trainer trains on one device: use num_gpus=0 or 1')
        if num_gpus > torch.cuda.device_count():
            raise ValueError('num_gpus=1 needs a CUDA GPU, and PyTorch finds none on this machine')
        self.device = gpu() if num_gpus else cpu()

    def prepare_data(self, data):
        if not isinstance(data, DataModule):
            raise TypeError(f'data must be a DataModule, got {type(data).__name__}')
        self.train_dataloader = data.train_dataloader()
        self.val_dataloader = data.val_dataloader()
        self.num_train_batches = len(self.train_dataloader)
        if self.num_train_batches == 0:
            raise ValueError('data has no training minibatches')
        self.num_val_batches = len(self.val_dataloader) if self.val_dataloader is not None else 0

    def prepare_model(self, model):
        drawn = [x for points in model.board.points.values() for x, _ in points]
        self.epochs_before = max(drawn, default=0)  # a new fit continues the curves
        model.trainer = self
        model.board.xlim = [0, self.epochs_before + self.max_epochs]
        self.model = model.to(self.device)

    def loss_value(self, loss):
        """`loss` as a Python float: one host-device copy per minibatch, shared by
        the progress board and the finiteness check."""
        if loss is not self._last_loss:
            self._last_loss, self._last_value = loss, _as_float('loss', loss)
        return self._last_value

    def fit(self, model, data):
        """Train `model` on `data` for `max_epochs` epochs."""
        if not isinstance(model, Module):
            raise TypeError(
                'model must be a Module of this library (it needs '
                'training_step and configure_optimizers), got '
                f'{type(model).__name__}'
            )
        self.prepare_data(data)
        self.prepare_model(model)
        self.optim = model.configure_optimizers()
        self.epoch = 0
        self.train_batch_idx = 0
        self.val_batch_idx = 0
        self._last_loss = self._last_value = None
        try:
            for epoch in range(self.max_epochs):
                self.epoch = epoch
                self.fit_epoch()
        finally:  # also after an error or an interrupt: show what was learned
            self._last_loss = None  # holds no graph or batch after training
            model.board.show()

    # From chapters/3_4_linear_regression_scratch.ipynb
    def fit_epoch(self):
        self.model.train()
        for batch in self.train_dataloader:
            loss = self.model.training_step(self.prepare_batch(batch))
            if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
                raise TypeError(
                    'training_step must return the loss as a tensor '
                    f'that autograd can differentiate, got {loss!r}'
                )
            self.check_finite(loss, 'training')
            self.optim.zero_grad()
            loss.backward()
            if self.gradient_clip_val > 0:
                self.clip_gradients(self.gradient_clip_val, self.model)
            self.optim.step()
            self.train_batch_idx += 1
        if self.val_dataloader is None:
            return
        self.model.eval()
        with torch.no_grad():
            for batch in self.val_dataloader:
                loss = self.model.validation_step(self.prepare_batch(batch))
                self.check_finite(loss, 'validation')
                self.val_batch_idx += 1

    # From chapters/3_4_linear_regression_scratch.ipynb
    def prepare_batch(self, batch):
        if self.device.type == 'cpu':
            return batch
        return [a.to(self.device) for a in batch]

    # From chapters/3_4_linear_regression_scratch.ipynb
    def clip_gradients(self, grad_clip_val, model):
        params = [p for p in model.parameters() if p.grad is not None]
        nn.utils.clip_grad_norm_(params, grad_clip_val)

    # From chapters/3_4_linear_regression_scratch.ipynb
    def check_finite(self, loss, stage):
        """Raise FloatingPointError, naming epoch and batch, if `loss` is NaN or inf."""
        if loss is None:  # a validation_step may return nothing
            return
        value = self.loss_value(loss)  # the float the board got: no second copy
        if math.isfinite(value):
            return
        done, per_epoch = (
            (self.train_batch_idx, self.num_train_batches)
            if stage == 'training'
            else (self.val_batch_idx, self.num_val_batches)
        )
        kept = all(torch.isfinite(p).all() for p in self.model.parameters())
        raise FloatingPointError(
            f'the {stage} loss became {value} in epoch {self.epoch + 1}, batch '
            f'{done % per_epoch + 1} of {per_epoch}. '
            + (
                'The model keeps its parameters from the last finite step. '
                if kept
                else 'The parameters are no longer finite either. '
            )
            + 'Try a smaller learning rate.'
        )


# %% chapters/3_2_oo_design.ipynb
def _in_notebook():
    """True inside a Jupyter kernel, where figures can be displayed."""
    ipython = sys.modules.get('IPython')  # never imported by a plain script
    shell = ipython.get_ipython() if ipython else None
    return shell is not None and hasattr(shell, 'kernel')


# %% chapters/3_2_oo_design.ipynb
_SVG_SETTINGS = {'svg.hashsalt': 'd2lsave', 'svg.fonttype': 'path'}


# %% chapters/3_2_oo_design.ipynb
def _svg_of(figure):
    """Render a Matplotlib figure to SVG text that is identical on every run."""
    buffer = io.StringIO()
    with matplotlib.rc_context(_SVG_SETTINGS):
        figure.savefig(buffer, format='svg', metadata={'Date': None}, bbox_inches='tight')
    return buffer.getvalue()


# %% chapters/3_2_oo_design.ipynb
def _png_of(figure):
    """Render a Matplotlib figure to PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format='png', bbox_inches='tight')
    return buffer.getvalue()


# %% chapters/3_2_oo_design.ipynb
def _as_float(name, value):
    """`value` as a Python float (NaN and infinity allowed), or a TypeError."""
    try:
        if isinstance(value, torch.Tensor):  # item(): no autograd warning
            return float(value.item())
        return float(value)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f'{name} must be a number, got {value!r}') from None


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
        for name, scale in (('xscale', xscale), ('yscale', yscale)):
            if scale not in ('linear', 'log', 'symlog', 'logit'):
                raise ValueError(
                    f"{name} must be 'linear', 'log', 'symlog' or 'logit', got {scale!r}"
                )
        if not ls or not colors:
            raise ValueError('ls and colors must not be empty')
        _check_bool('display', display)
        self.save_hyperparameters()
        self.points = {}  # label -> averaged (x, y) points, in order
        self.frames_drawn = 0  # pictures shown in a notebook, live or final
        self._raw = {}  # label -> points waiting to be averaged
        self._forget_drawing()

    def _forget_drawing(self):
        self._axes = None  # the axes the board draws on, once it has drawn
        self._lines = {}  # label -> matplotlib Line2D
        self._live = None  # the notebook output showing live frames, if any
        self._last_shown = None  # when the last live frame was drawn
        self._stale = False  # points recorded since the last picture

    def __getstate__(self):
        """Copies and pickles keep the points and settings, not the drawing."""
        state = self.__dict__.copy()
        state.update(_axes=None, _lines={}, _live=None, _last_shown=None)
        return state

    def draw(self, x, y, label, every_n=1):
        """Add (x, y) to the curve `label`, plotting the mean of every `every_n`."""
        if type(every_n) is not int or every_n < 1:  # the quick check comes first
            every_n = _check_int('every_n', every_n)
        if type(x) is not float:
            x = _as_float('x', x)
        if type(y) is not float:
            y = _as_float('y', y)
        raw = self._raw.setdefault(label, [])
        raw.append((x, y))
        if len(raw) < every_n:
            return
        xs, ys = zip(*raw)
        self.points.setdefault(label, []).append((sum(xs) / len(xs), sum(ys) / len(ys)))
        raw.clear()
        self._stale = True
        if self.display and _in_notebook():
            self._show_soon()

    def figure(self):
        """The Matplotlib figure with every point recorded so far."""
        if self._axes is None:
            self._axes = self.axes or (self.fig or Figure(figsize=self.figsize)).add_subplot()
        axes = self._axes
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
        _tick_log_axes(axes)
        axes.relim()
        axes.set_autoscale_on(True)  # limits follow the points of every frame
        axes.autoscale_view()
        if self.xlim is not None:
            axes.set_xlim(self.xlim)
        if self.ylim is not None:
            axes.set_ylim(self.ylim)
        if self._lines:
            axes.legend(loc='best')
        return axes.figure

    def show(self):
        """In a notebook, show the figure now if it has unseen points.

        The figure is a new SVG output; a live frame drawn meanwhile is emptied,
        so the cell's output is the final picture however long training took.
        """
        if not (self._stale and self.display and _in_notebook()):
            return
        from IPython.display import display

        if self._live is not None:
            self._live.update({}, raw=True)
            self._live = None
        display({'image/svg+xml': _svg_of(self.figure())}, raw=True)
        self.frames_drawn += 1
        self._stale = False
        self._last_shown = None
        _BOARDS_TO_SHOW.discard(self)

    def _show_soon(self):
        now = time.perf_counter()
        if self._last_shown is None:  # start the clock; the first frame can wait
            self._last_shown = now
            _BOARDS_TO_SHOW.add(self)
            _show_boards_after_each_cell()
        elif now - self._last_shown >= self.refresh_seconds:
            self._show_live()
            self._last_shown = time.perf_counter()

    def _show_live(self):
        """Draw a PNG frame in place while the cell runs."""
        from IPython.display import display

        image = {'image/png': _png_of(self.figure())}
        if self._live is None:
            self._live = display(image, raw=True, display_id=True)
        else:
            self._live.update(image, raw=True)
        self.frames_drawn += 1


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


# %% chapters/3_3_synthetic_regression_data.ipynb
class SyntheticRegressionData(DataModule):
    """Examples (x, y) with y = Xw + b + Gaussian noise, for linear regression."""

    def __init__(self, w, b, noise=0.01, num_train=1000, num_val=1000, batch_size=32):
        super().__init__()
        w = torch.as_tensor(w, dtype=torch.float32)
        if w.dim() != 1 or len(w) == 0:
            raise ValueError(f'w must be a non-empty 1-D tensor, got shape {tuple(w.shape)}')
        b = _check_real('b', b)
        noise = _check_real('noise', noise, minimum=0)
        _check_int('num_train', num_train)
        _check_int('num_val', num_val)
        _check_int('batch_size', batch_size)
        self.save_hyperparameters()
        n = num_train + num_val
        self.X = torch.randn(n, len(w))
        noise = torch.randn(n, 1) * noise
        self.y = self.X @ w.reshape(-1, 1) + b + noise

    def get_dataloader(self, train):
        i = slice(0, self.num_train) if train else slice(self.num_train, None)
        return self.get_tensorloader((self.X, self.y), train, i)


# %% chapters/3_3_synthetic_regression_data.ipynb
class TensorLoader:
    """Minibatches of in-memory tensors, gathered many minibatches at a time."""

    batches_per_gather = 64

    def __init__(self, tensors, batch_size, shuffle=False, drop_last=False):
        if isinstance(tensors, torch.Tensor):
            raise TypeError('tensors must be a sequence of tensors, such as (X, y), not one tensor')
        self.tensors = tuple(tensors)
        if not self.tensors:
            raise ValueError('TensorLoader needs at least one tensor')
        for tensor in self.tensors:
            _check_tensor('each of tensors', tensor)
            if tensor.dim() == 0:
                raise ValueError('tensors must have a first dimension')
        self.batch_size = _check_int('batch_size', batch_size)
        self.shuffle = _check_bool('shuffle', shuffle)
        self.drop_last = _check_bool('drop_last', drop_last)
        self.num_examples = len(self.tensors[0])
        if any(len(t) != self.num_examples for t in self.tensors):
            raise ValueError('all tensors must have the same length (first dimension)')

    def __len__(self):
        """The number of minibatches, counting a last, smaller one unless
        `drop_last`."""
        if self.drop_last:
            return self.num_examples // self.batch_size
        return math.ceil(self.num_examples / self.batch_size)

    def __iter__(self):
        if not self.shuffle:  # consecutive slices are views: nothing is copied
            batches = zip(*(t.split(self.batch_size) for t in self.tensors))
        else:
            batches = self._shuffled_batches()
        if self.drop_last:  # only the last minibatch can be short
            return (b for b in batches if len(b[0]) == self.batch_size)
        return batches

    def _shuffled_batches(self):
        order = torch.randperm(self.num_examples, device=self.tensors[0].device)
        for indices in order.split(self.batch_size * self.batches_per_gather):
            gathered = [t[indices] for t in self.tensors]  # one copy of these rows
            yield from zip(*(g.split(self.batch_size) for g in gathered))


# %% chapters/3_4_linear_regression_scratch.ipynb
class LinearRegressionScratch(Module):
    """Linear regression built from tensors and automatic differentiation."""

    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__()
        _check_int('num_inputs', num_inputs)
        _check_real('lr', lr, minimum=0, strict=True)
        _check_real('sigma', sigma, minimum=0)
        self.save_hyperparameters()
        self.w = nn.Parameter(torch.normal(0, sigma, (num_inputs, 1)))
        self.b = nn.Parameter(torch.zeros(1))

    def forward(self, X):
        return X @ self.w + self.b

    def loss(self, y_hat, y):
        squared_errors = (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
        return squared_errors.mean()

    def configure_optimizers(self):
        return SGD([self.w, self.b], self.lr)


# %% chapters/3_4_linear_regression_scratch.ipynb
class SGD(HyperParameters):
    """Minibatch stochastic gradient descent."""

    def __init__(self, params, lr):
        if isinstance(params, torch.Tensor) or not hasattr(params, '__iter__'):
            raise TypeError(f'params must be an iterable of tensors, got {type(params).__name__}')
        params = list(params)
        if not params:
            raise ValueError('params must not be empty')
        for param in params:
            _check_tensor('each of params', param)
        _check_real('lr', lr, minimum=0, strict=True)
        self.save_hyperparameters()

    def step(self):
        with torch.no_grad():  # the update itself must not be differentiated
            for param in self.params:
                if param.grad is not None:  # like torch.optim: no gradient, no step
                    param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()


# %% chapters/3_5_linear_regression_concise.ipynb
class LinearRegression(Module):
    """Linear regression built from PyTorch's layers, loss and optimizer."""

    def __init__(self, lr):
        super().__init__()
        _check_real('lr', lr, minimum=0, strict=True)
        self.save_hyperparameters()
        self.net = nn.LazyLinear(1)
        self._init_hook = self.net.register_forward_pre_hook(self._initialize)
        self.register_load_state_dict_post_hook(self._keep_loaded_weights)

    def _initialize(self, layer, inputs):
        """Once the lazy layer knows its shape: w ~ N(0, 0.01^2), b = 0."""
        nn.init.normal_(layer.weight, 0, 0.01)
        nn.init.zeros_(layer.bias)
        self._init_hook.remove()

    def _keep_loaded_weights(self, module, incompatible_keys):
        """Weights loaded with load_state_dict are not drawn again."""
        if not isinstance(self.net.weight, nn.parameter.UninitializedParameter):
            self._init_hook.remove()

    def forward(self, X):
        return self.net(X)

    def loss(self, y_hat, y):
        return nn.functional.mse_loss(y_hat, y)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), self.lr)

    def get_w_b(self):
        return (self.net.weight.data, self.net.bias.data)


# %% chapters/3_6_generalization.ipynb
def polynomial_features(x, degree, scale=1.0):
    """The design matrix with columns (x / scale) ** i for i = 0, 1, ..., degree."""
    degree = _check_int('degree', degree, minimum=0)
    scale = _check_real('scale', scale, minimum=0, strict=True)
    x = torch.as_tensor(_check_tensor('x', x))
    if x.is_complex() or x.dtype == torch.bool:
        raise TypeError(f'x must hold real numbers, got dtype {x.dtype}')
    if not x.is_floating_point():
        x = x.float()
    powers = torch.arange(degree + 1, dtype=x.dtype, device=x.device)
    return (x / scale).unsqueeze(-1) ** powers


# %% chapters/3_6_generalization.ipynb
def k_fold_splits(n, k, generator=None):
    """Shuffle range(n) into k folds; list (train_indices, valid_indices) pairs."""
    n = _check_int('n', n)
    k = _check_int('k', k, minimum=2)
    if k > n:
        raise ValueError(f'k={k} folds need at least k examples, got n={n}')
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f'generator must be a torch.Generator or None, got {generator!r}')
    folds = torch.randperm(n, generator=generator).tensor_split(k)
    return [(torch.cat(folds[:i] + folds[i + 1 :]), folds[i]) for i in range(k)]


# %% chapters/3_7_weight_decay.ipynb
class HighDimRegressionData(DataModule):
    """Data of (3.7.4): y = 0.05 + 0.01 * (x_1 + ... + x_d) + N(0, 0.01^2) noise."""

    def __init__(self, num_train, num_val, num_inputs, batch_size):
        super().__init__()
        _check_int('num_train', num_train)
        _check_int('num_val', num_val)
        _check_int('num_inputs', num_inputs)
        _check_int('batch_size', batch_size)
        self.save_hyperparameters()
        n = num_train + num_val
        self.X = torch.randn(n, num_inputs)
        noise = torch.randn(n, 1) * 0.01
        w, b = torch.full((num_inputs, 1), 0.01), 0.05
        self.y = self.X @ w + b + noise

    def get_dataloader(self, train):
        i = slice(0, self.num_train) if train else slice(self.num_train, None)
        return self.get_tensorloader((self.X, self.y), train, i)


# %% chapters/3_7_weight_decay.ipynb
def l2_penalty(w):
    """The weight-decay penalty ||w||^2 / 2 (half the squared L2 norm)."""
    return (_check_tensor('w', w) ** 2).sum() / 2


# %% chapters/3_7_weight_decay.ipynb
class WeightDecayScratch(LinearRegressionScratch):
    """Linear regression from scratch, with the L2 penalty (lambd / 2) ||w||^2."""

    def __init__(self, num_inputs, lambd, lr, sigma=0.01):
        super().__init__(num_inputs, lr, sigma)
        _check_real('lambd', lambd, minimum=0)
        self.save_hyperparameters()

    def loss(self, y_hat, y):
        return super().loss(y_hat, y) + self.lambd * l2_penalty(self.w)


# %% chapters/3_7_weight_decay.ipynb
class WeightDecay(LinearRegression):
    """Concise linear regression whose optimizer decays the weight, not the bias."""

    def __init__(self, wd, lr):
        super().__init__(lr)
        _check_real('wd', wd, minimum=0)
        self.save_hyperparameters()

    def configure_optimizers(self):
        return torch.optim.SGD(
            [{'params': self.net.weight, 'weight_decay': self.wd}, {'params': self.net.bias}],
            lr=self.lr,
        )

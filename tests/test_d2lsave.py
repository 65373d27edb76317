"""The d2lsave package, checked against PyTorch's own implementations."""

import os
import subprocess
import sys
import textwrap

import pytest
import torch
from torch import nn

import d2lsave as d2l
from conftest import ROOT


@pytest.fixture(autouse=True)
def seeded():
    torch.manual_seed(0)


def quiet(model):
    """The model with its progress board switched off."""
    model.board.display = False
    return model


def test_package_is_the_working_tree_and_has_a_version():
    assert d2l.__file__ == str(ROOT / 'd2lsave' / '__init__.py')
    assert d2l.__version__ == '0.1.0'
    assert 'Trainer' in d2l.__all__ and all(hasattr(d2l, name) for name in d2l.__all__)


def test_save_hyperparameters_stores_arguments_but_not_ignored_ones():
    class Example(d2l.HyperParameters):
        def __init__(self, a, b=2, *rest, c=3, **extra):
            unrelated = 'not an argument'  # noqa: F841
            self.save_hyperparameters(ignore=['c'])

    example = Example(1, 5, 6, c=4, z=9)
    assert example.hparams == {'a': 1, 'b': 5, 'rest': (6,), 'z': 9}
    assert example.a == 1 and example.z == 9
    assert not hasattr(example, 'c') and not hasattr(example, 'unrelated')


def test_add_to_class_attaches_a_method_to_existing_instances():
    class Thing:
        pass

    thing = Thing()

    @d2l.add_to_class(Thing)
    def answer(self):
        return 42

    assert thing.answer() == 42 and answer(thing) == 42
    with pytest.raises(TypeError, match='needs a class'):
        d2l.add_to_class(thing)


def test_scratch_loss_and_gradients_match_pytorch():
    model = d2l.LinearRegressionScratch(3, lr=0.1)
    X, y = torch.randn(16, 3), torch.randn(16, 1)
    model.loss(model(X), y).backward()
    reference = nn.Linear(3, 1)
    with torch.no_grad():
        reference.weight.copy_(model.w.T)
        reference.bias.copy_(model.b)
    (nn.MSELoss()(reference(X), y) / 2).backward()
    assert model.loss(model(X), y).item() == pytest.approx(
        nn.MSELoss()(reference(X), y).item() / 2, rel=1e-6
    )
    torch.testing.assert_close(model.w.grad, reference.weight.grad.T)
    torch.testing.assert_close(model.b.grad, reference.bias.grad)


def test_scratch_loss_reshapes_flat_labels():
    model = d2l.LinearRegressionScratch(2, lr=0.1)
    X, y = torch.randn(8, 2), torch.randn(8)
    expected = ((model(X)[:, 0] - y) ** 2 / 2).mean()
    assert model.loss(model(X), y).item() == pytest.approx(expected.item())


def test_sgd_step_matches_torch_optim_sgd():
    params = [torch.randn(4, 1, requires_grad=True), torch.randn(1, requires_grad=True)]
    copies = [p.detach().clone().requires_grad_() for p in params]
    ours, theirs = d2l.SGD(params, lr=0.05), torch.optim.SGD(copies, lr=0.05)
    X = torch.randn(10, 4)
    for _ in range(3):
        for optimizer, (w, b) in ((ours, params), (theirs, copies)):
            optimizer.zero_grad()
            ((X @ w + b) ** 2).mean().backward()
            optimizer.step()
    for mine, reference in zip(params, copies):
        torch.testing.assert_close(mine, reference)


def test_concise_model_initializes_its_lazy_layer_after_the_first_batch():
    model = d2l.LinearRegression(lr=0.03)
    model(torch.zeros(1, 20_000))
    w, b = model.get_w_b()
    assert w.shape == (1, 20_000) and w.std().item() == pytest.approx(0.01, rel=0.05)
    assert b.item() == 0


def test_tensor_loader_keeps_the_loader_interface():
    X = torch.arange(10.0).reshape(10, 1)
    y = X * 2
    train = d2l.TensorLoader((X, y), batch_size=4, shuffle=True)
    val = d2l.TensorLoader((X, y), batch_size=4, shuffle=False)
    assert len(train) == len(val) == 3
    assert [len(b[0]) for b in val] == [4, 4, 2]
    first = torch.cat([b[0] for b in train])
    second = torch.cat([b[0] for b in train])
    assert sorted(first[:, 0].tolist()) == list(range(10))
    assert not torch.equal(first, second)
    assert torch.equal(torch.cat([b[0] for b in val]), X)
    for batch_X, batch_y in train:
        torch.testing.assert_close(batch_y, batch_X * 2)
        assert batch_X.dtype == X.dtype and batch_X.device == X.device
    with pytest.raises(ValueError, match='same length'):
        d2l.TensorLoader((X, y[:5]), batch_size=4)


def test_progress_board_averages_every_n_points():
    board = d2l.ProgressBoard(display=False)
    for i in range(10):
        board.draw(i, i * 10, 'line', every_n=3)
    assert board.points['line'] == [(1.0, 10.0), (4.0, 40.0), (7.0, 70.0)]
    figure = board.figure()
    assert figure.axes[0].get_lines()[0].get_label() == 'line'
    with pytest.raises(ValueError, match='every_n'):
        board.draw(0, 0, 'line', every_n=0)


def test_training_recovers_the_true_parameters():
    data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)
    scratch = quiet(d2l.LinearRegressionScratch(2, lr=0.03))
    concise = quiet(d2l.LinearRegression(lr=0.03))
    trainer = d2l.Trainer(max_epochs=3)
    trainer.fit(scratch, data)
    trainer.fit(concise, data)
    w, b = concise.get_w_b()
    assert (data.w - scratch.w.detach().reshape(-1)).abs().max() < 0.5
    assert (data.w - w.reshape(-1)).abs().max() < 0.05
    assert abs(data.b - b.item()) < 0.05
    assert trainer.train_batch_idx == 3 * 32 and trainer.val_batch_idx == 3 * 32


def test_divergence_stops_training_and_keeps_finite_parameters():
    data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)
    model = quiet(d2l.LinearRegressionScratch(2, lr=10))
    with pytest.raises(
        FloatingPointError, match=r'epoch 1, batch \d+ of 32.*smaller learning rate'
    ):
        d2l.Trainer(max_epochs=3).fit(model, data)
    assert all(torch.isfinite(p).all() for p in model.parameters())


W = torch.tensor([2.0, -3.4])
# Bad arguments: the table of tests/test_d2lsave_inputs.py covers every public callable.


class InterruptedData(d2l.SyntheticRegressionData):
    """Raises KeyboardInterrupt in the middle of the first training epoch."""

    def get_dataloader(self, train):
        loader = super().get_dataloader(train)
        if not train or getattr(self, 'interrupted', False):
            return loader
        self.interrupted = True

        class Interrupting(d2l.TensorLoader):
            def __iter__(inner):
                for i, batch in enumerate(d2l.TensorLoader.__iter__(inner)):
                    if i == 10:
                        raise KeyboardInterrupt
                    yield batch

        return Interrupting(loader.tensors, loader.batch_size, loader.shuffle)


def test_interrupted_training_keeps_the_model_and_can_resume():
    data = InterruptedData(w=W, b=4.2)
    model = quiet(d2l.LinearRegression(lr=0.03))
    trainer = d2l.Trainer(max_epochs=2)
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(model, data)
    assert trainer.train_batch_idx == 10
    w_interrupted = model.get_w_b()[0].clone()
    assert torch.isfinite(w_interrupted).all()
    trainer.fit(model, data)  # the counters restart, the parameters do not
    assert trainer.train_batch_idx == 2 * 32
    w_after, b_after = model.get_w_b()
    assert (w_after.reshape(-1) - W).abs().max() < (w_interrupted.reshape(-1) - W).abs().max()
    assert (w_after.reshape(-1) - W).abs().max() < 0.05


def test_validation_divergence_is_caught_too():
    class ExplodingValidation(d2l.LinearRegression):
        def validation_step(self, batch):
            return torch.tensor(float('nan'))

    data = d2l.SyntheticRegressionData(w=W, b=4.2)
    with pytest.raises(
        FloatingPointError, match='validation loss became nan in epoch 1, batch 1 of 32'
    ):
        d2l.Trainer(max_epochs=1).fit(quiet(ExplodingValidation(lr=0.03)), data)


SCRIPT = textwrap.dedent("""
    import torch
    import d2lsave as d2l

    torch.manual_seed(0)
    model = d2l.LinearRegressionScratch(2, lr=0.03)
    data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)
    trainer = d2l.Trainer(max_epochs=3)
    trainer.fit(model, data)
    with torch.no_grad():
        print(f'error in estimating w: {data.w - model.w.reshape(data.w.shape)}')
        print(f'error in estimating b: {data.b - model.b}')
    model = d2l.LinearRegression(lr=0.03)
    trainer.fit(model, data)
    w, b = model.get_w_b()
    print('concise error:', float((data.w - w.reshape(data.w.shape)).abs().max()))
    data = d2l.HighDimRegressionData(num_train=20, num_val=100, num_inputs=200, batch_size=5)
    for lambd in (0, 3):
        model = d2l.WeightDecayScratch(num_inputs=200, lambd=lambd, lr=0.01)
        model.board.yscale = 'log'
        d2l.Trainer(max_epochs=10).fit(model, data)
        print('norm of w:', float(torch.linalg.norm(model.w.detach())))
    board = d2l.ProgressBoard('x')
    for x in range(100):
        board.draw(x, x ** 0.5, 'sqrt', every_n=2)
    board.show()
    board.figure().savefig('board.svg')
""")


def test_the_seeds_usage_runs_in_a_plain_script_without_figure_text(tmp_path):
    script = tmp_path / 'train.py'
    script.write_text(SCRIPT)
    headless = {k: v for k, v in os.environ.items() if k not in ('DISPLAY', 'MPLBACKEND')}
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        env=headless,
    )
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert '<Figure' not in output and 'Warning' not in output
    lines = result.stdout.splitlines()
    assert lines[0].startswith('error in estimating w: tensor([')
    assert float(lines[2].split(':')[1]) < 0.05
    norms = [float(line.split(':')[1]) for line in lines[3:5]]
    assert norms[1] < norms[0]
    assert (tmp_path / 'board.svg').read_text().startswith('<?xml')


def test_log_axes_label_their_decades_in_plain_text():
    # Matplotlib's default 10^{-2} goes through its slow math-text parser.
    from matplotlib.figure import Figure

    axes = Figure().add_subplot()
    d2l.plot([1, 2, 3], [1e-3, 1e-2, 1e-1], yscale='log', axes=axes)
    board = d2l.ProgressBoard(yscale='log', display=False)
    for x in range(3):
        board.draw(x, 10.0**-x, 'loss', every_n=1)
    for plotted in (axes, board.figure().axes[0]):
        label = plotted.yaxis.get_major_formatter()
        assert (label(1e-2), label(3e-5)) == ('10⁻²', '3×10⁻⁵')
        assert plotted.xaxis.get_major_formatter()(2.0) != '10⁰'  # a linear axis keeps its own


def test_log_axes_over_two_decades_tick_only_the_decades():
    # Minor ticks cost a Matplotlib object each (8 a decade); wide axes do without them.
    from matplotlib.figure import Figure

    def minor_ticks(axis):
        return len(axis.get_minor_locator()())

    wide = d2l.plot([1, 2, 3], [1e-4, 1e-2, 1], yscale='log', axes=Figure().add_subplot())
    narrow = d2l.plot([1, 2, 3], [0.2, 0.3, 0.5], yscale='log', axes=Figure().add_subplot())
    board = d2l.ProgressBoard(yscale='log', display=False)
    for x in range(4):
        board.draw(x, 10.0**-x, 'loss', every_n=1)
    assert minor_ticks(wide.yaxis) == 0
    assert minor_ticks(board.figure().axes[0].yaxis) == 0
    assert minor_ticks(narrow.yaxis) > 0  # under a decade, minor ticks carry the labels

"""Ways to run the convolutional branch of the default ensemble on the CPU, forward and backward.

The default classifier on a small set trains five networks (``n_networks="auto"``),
each with LSTM-FCN's convolutional branch (``fcn_filters=(32, 64, 32)``, kernels of
8, 5 and 3 steps); on one thread their convolutions are most of a training step.
Two rewrites a reader may try are timed against what the library runs, interleaved,
in one process:

* the five networks' branches as separate convolutions (the library) against one
  grouped convolution (``groups=5``) over their channels side by side;
* each layer as torch's ``conv1d`` (the library) against im2col (``unfold``) and a
  matrix product.

Shapes are those of the bundled sets' training batches: the default ``batch_size=16``
sequences (the five networks share each batch) of the set's length (PLAID's ragged
sequences, 100 to 1344 steps, are packed by length: its median length stands for
them). The library splits the first layer's channels among dilations (1, 4, 16, 64 on
long sets, the same multiply-adds); here they are all undilated. Run with one thread
and nothing else on the machine::

    OMP_NUM_THREADS=1 python benchmarks/conv_paths.py
"""

import argparse
import time
import warnings

import torch
import torch.nn.functional as F
from torch import nn

FILTERS, KERNELS, INPUTS = (32, 64, 32), (8, 5, 3), 2  # two channels a feature: input_scaling="both"
# (batch, length): ArrowHead, PLAID (median length), ACSF1, ItalyPowerDemand
SHAPES = [(16, 251), (16, 300), (16, 1460), (16, 24)]


def _branch(groups: int) -> nn.Sequential:
    layers, channels = [], INPUTS
    for width, kernel in zip(FILTERS, KERNELS, strict=True):
        conv = nn.Conv1d(channels * groups, width * groups, kernel, padding="same", groups=groups)
        layers += [conv, nn.BatchNorm1d(width * groups), nn.ReLU()]
        channels = width
    return nn.Sequential(*layers)


def _mean_ms(step, repeats: int) -> float:
    step()  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        step()
    return (time.perf_counter() - start) / repeats * 1e3


def _interleaved(contenders: dict, repeats: int, rounds: int = 2) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, step in contenders.items():
            times[name].append(_mean_ms(step, repeats))
    return {name: min(values) for name, values in times.items()}


def grouped(n_networks: int, repeats: int) -> None:
    what = "forward and backward of one batch (ms: the better of 2 rounds' means)"
    print(f"{n_networks} networks' branches, {what}")
    print(f"{'batch':>6} {'length':>7} {'separate':>9} {'grouped':>9} {'ratio':>6}")
    for batch, length in SHAPES:
        x = torch.randn(batch, INPUTS, length)
        separate = [_branch(1) for _ in range(n_networks)]
        together, x_side_by_side = _branch(n_networks), x.repeat(1, n_networks, 1)

        def run_separate(x=x, separate=separate):
            sum(branch(x).mean() for branch in separate).backward()

        def run_grouped(x=x_side_by_side, together=together):
            together(x).mean().backward()

        ms = _interleaved({"separate": run_separate, "grouped": run_grouped}, repeats)
        print(
            f"{batch:>6} {length:>7} {ms['separate']:>9.1f} {ms['grouped']:>9.1f} "
            f"{ms['grouped'] / ms['separate']:>6.2f}"
        )


def _im2col(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    kernel = weight.shape[2]
    columns = F.pad(x, ((kernel - 1) // 2, kernel // 2)).unfold(2, kernel, 1)  # (B, C, L, K)
    columns = columns.permute(0, 2, 1, 3).reshape(x.shape[0], x.shape[2], -1)
    return (columns @ weight.reshape(weight.shape[0], -1).T).transpose(1, 2)


def _conv(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    kernel = weight.shape[2]
    return F.conv1d(F.pad(x, ((kernel - 1) // 2, kernel // 2)), weight)


def layers(repeats: int) -> None:
    print("\nOne layer, forward and backward (ms: the better of 2 rounds' means)")
    columns = ("batch", 6), ("length", 7), ("in", 4), ("out", 4), ("kernel", 7), ("conv1d", 8), ("im2col", 8)
    print(" ".join(f"{name:>{width}}" for name, width in columns), f"{'ratio':>6}")
    for batch, length in SHAPES[:3]:
        for inputs, outputs, kernel in zip((INPUTS,) + FILTERS[:-1], FILTERS, KERNELS, strict=True):
            x = torch.randn(batch, inputs, length, requires_grad=True)
            weight = torch.randn(outputs, inputs, kernel, requires_grad=True)
            assert torch.allclose(_conv(x, weight), _im2col(x, weight), atol=1e-3)
            ms = _interleaved(
                {
                    "conv1d": lambda x=x, w=weight: _conv(x, w).sum().backward(),
                    "im2col": lambda x=x, w=weight: _im2col(x, w).sum().backward(),
                },
                repeats,
            )
            print(
                f"{batch:>6} {length:>7} {inputs:>4} {outputs:>4} {kernel:>7} {ms['conv1d']:>8.2f} "
                f"{ms['im2col']:>8.2f} {ms['im2col'] / ms['conv1d']:>6.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed steps a round (default 20)")
    parser.add_argument("--networks", type=int, default=5, help="networks of the ensemble (default 5)")
    args = parser.parse_args()
    torch.manual_seed(0)
    warnings.filterwarnings("ignore", message="Using padding='same'")  # an 8-step kernel pads a copy
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)\n")
    grouped(args.networks, args.repeats)
    layers(args.repeats)


if __name__ == "__main__":
    main()

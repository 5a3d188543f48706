"""GRU and Elman layers for training on the CPU: torch's own forward, a backward outside autograd's graph.

On a CPU, torch runs the LSTM through a oneDNN kernel but the GRU and the Elman
RNN without one: their backward replays several small autograd nodes per time
step (about twenty for the GRU), and for the batch and hidden sizes this
library trains by default that bookkeeping, not arithmetic, is most of a fit (a
GRU fit cost 2.4-3.1x an LSTM fit of the same size). The functions here keep
torch's forward kernel, so outputs are unchanged bit for bit, and write the
backward by hand, a block of time steps at a time: what the gradient needs is
computed for the whole block at once (the Elman RNN's tanh derivative from the
saved outputs; the GRU's gates again, one matrix product per block), then one
short loop carries the gradient back through the recurrence and the weight
gradients are one matrix product per block.

Both pay for small batches and widths, which is how this library trains them
by default; the GRU's extra matrix product makes its limit the lower
(:func:`uses_own_backward`). ``benchmarks/speed.py`` measures both.
"""

from __future__ import annotations

import torch
from torch import _VF
from torch.autograd.function import once_differentiable

__all__ = ["ElmanFunction", "GRUFunction", "one_way_layer", "uses_own_backward"]

# Batch size x hidden units up to which the hand-written backward is the faster, per cell: one layer's
# fwd+bwd, T=100, 1 thread, against autograd's, two runs (benchmarks/speed.py, the backward
# section): GRU 0.46-0.48x at 16 x 16, 0.75-0.76x at 32 x 64, 0.92-0.98x at 4096, 1.05-1.19x above;
# Elman RNN 0.57-0.59x at 16 x 16, 0.74-0.75x at 32 x 64, 0.83-0.88x at 4096, 0.94-0.98x at 8192,
# 0.99-1.12x above.
MAX_BATCH_X_HIDDEN = {"gru": 4096, "rnn": 8192}
# values computed per block of time steps in the backward: small enough to stay in cache
BLOCK_FLOATS = 1 << 17


def uses_own_backward(cell: str, X: torch.Tensor, hidden_size: int, training: bool) -> bool:
    """Whether a layer of ``cell`` on ``X`` (batch first) trains through this module's backward.

    In training (``training``: the module's mode) on a CPU, when gradients are
    recorded, for the GRU and the Elman RNN in batches of at most
    ``MAX_BATCH_X_HIDDEN[cell] / hidden_size`` sequences. Never in eval mode,
    where gradients serve attributions and whatever a user differentiates
    (twice, or through ``torch.func``, which this backward does not support),
    never under autocast, and never while tracing or compiling (export and
    ``torch.compile`` see torch's own layers).
    """
    return (
        training
        and cell in MAX_BATCH_X_HIDDEN
        and X.device.type == "cpu"
        and torch.is_grad_enabled()
        and X.shape[0] * hidden_size <= MAX_BATCH_X_HIDDEN[cell]
        and not torch.is_autocast_enabled(X.device.type)
        and not torch.jit.is_tracing()
        and not torch.compiler.is_compiling()
    )


def one_way_layer(cell: str, X: torch.Tensor, h0: torch.Tensor, weights: list[torch.Tensor]) -> torch.Tensor:
    """Outputs ``(n, T, H)`` of one layer and direction of ``cell`` on a batch-first ``X`` from ``h0``.

    ``weights`` is ``[weight_ih, weight_hh, bias_ih, bias_hh]`` of one layer and
    direction of an ``nn.GRU`` (``cell="gru"``) or ``nn.RNN`` (``cell="rnn"``).
    """
    function = GRUFunction if cell == "gru" else ElmanFunction
    return function.apply(X, h0, *weights)[0]


def _time_major(*tensors: torch.Tensor | None) -> list[torch.Tensor | None]:
    """Batch-first ``(n, T, ...)`` tensors as time-major views ``(T, n, ...)`` (None stays None)."""
    return [None if t is None else t.transpose(0, 1) for t in tensors]


def _batch_first(dX: torch.Tensor | None) -> torch.Tensor | None:
    """The time-major input gradient, ``(T, n, I)``, as the batch-first input's."""
    return None if dX is None else dX.transpose(0, 1)


def _blocks(T: int, steps: int):
    """``(start, stop)`` of blocks of ``steps`` time steps, last block first."""
    for stop in range(T, 0, -steps):
        yield max(0, stop - steps), stop


def _previous(output: torch.Tensor, h0: torch.Tensor, start: int, stop: int) -> torch.Tensor:
    """The states ``h_{t-1}`` the steps ``start..stop-1`` read, as ``(k * n, H)``."""
    previous = output[start - 1 : stop - 1] if start else torch.cat([h0[None], output[: stop - 1]])
    return previous.reshape(-1, output.shape[2])


class ElmanFunction(torch.autograd.Function):
    """One Elman (tanh) layer and direction: ``(X, h0, *weights)`` -> ``(output, final state)``.

    Batch first: ``X`` is ``(n, T, I)`` and ``h0`` ``(n, H)``, the call
    ``nn.RNN(batch_first=True)`` makes. Torch's equation:
    ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)``.
    """

    @staticmethod
    def forward(ctx, X, h0, w_ih, w_hh, b_ih, b_hh):
        # (input, hx, weights, has_biases, layers, dropout, train, bidirectional, batch_first)
        output, h_n = _VF.rnn_tanh(X, h0[None], [w_ih, w_hh, b_ih, b_hh], True, 1, 0.0, False, False, True)
        ctx.save_for_backward(X, h0, w_ih, w_hh, output)
        ctx.set_materialize_grads(False)
        return output, h_n[0]

    @staticmethod
    @once_differentiable
    def backward(ctx, d_output, d_h):
        X, h0, w_ih, w_hh, output = ctx.saved_tensors
        X, output, d_output = _time_major(X, output, d_output)
        T, n, H = output.shape
        dh = output.new_zeros(n, H) if d_h is None else d_h
        dX = X.new_empty(X.shape) if ctx.needs_input_grad[0] else None
        dw_ih, dw_hh, db = torch.zeros_like(w_ih), torch.zeros_like(w_hh), output.new_zeros(H)
        for start, stop in _blocks(T, max(1, BLOCK_FLOATS // (n * 2 * H))):
            k = stop - start
            d_tanh = 1 - output[start:stop].square()
            grads = output.new_empty(k, n, H)  # of the pre-activation, step by step
            for t in range(k - 1, -1, -1):
                if d_output is not None:
                    dh = dh + d_output[start + t]
                dh = torch.mul(dh, d_tanh[t], out=grads[t]) @ w_hh
            grads = grads.view(k * n, H)
            x = X[start:stop].reshape(k * n, -1)
            dw_hh.addmm_(grads.t(), _previous(output, h0, start, stop))
            dw_ih.addmm_(grads.t(), x)
            db += grads.sum(0)
            if dX is not None:
                torch.mm(grads, w_ih, out=dX[start:stop].view(k * n, -1))
        return _batch_first(dX), dh, dw_ih, dw_hh, db, db.clone()


class GRUFunction(torch.autograd.Function):
    """One GRU layer and direction: ``(X, h0, *weights)`` -> ``(output, final state)``.

    Batch first: ``X`` is ``(n, T, I)`` and ``h0`` ``(n, H)``, the call
    ``nn.GRU(batch_first=True)`` makes. Torch's gate order and equations:
    ``r, z = sigmoid(W_i[rz] x + b_i[rz] + W_h[rz] h + b_h[rz])``,
    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``.
    """

    @staticmethod
    def forward(ctx, X, h0, w_ih, w_hh, b_ih, b_hh):
        output, h_n = _VF.gru(X, h0[None], [w_ih, w_hh, b_ih, b_hh], True, 1, 0.0, False, False, True)
        ctx.save_for_backward(X, h0, w_ih, w_hh, b_ih, b_hh, output)
        ctx.set_materialize_grads(False)
        return output, h_n[0]

    @staticmethod
    @once_differentiable
    def backward(ctx, d_output, d_h):
        X, h0, w_ih, w_hh, b_ih, b_hh, output = ctx.saved_tensors
        X, output, d_output = _time_major(X, output, d_output)
        T, n, H = output.shape
        dh = output.new_zeros(n, H) if d_h is None else d_h
        dX = X.new_empty(X.shape) if ctx.needs_input_grad[0] else None
        dw_ih, dw_hh = torch.zeros_like(w_ih), torch.zeros_like(w_hh)
        db_ih, db_hh = torch.zeros_like(b_ih), torch.zeros_like(b_hh)
        for start, stop in _blocks(T, max(1, BLOCK_FLOATS // (n * 4 * H))):
            k = stop - start
            h = _previous(output, h0, start, stop)
            x = X[start:stop].reshape(k * n, -1)
            # the block's gates again, as the forward computed them
            gh = torch.addmm(b_hh, h, w_hh.t())
            gi = torch.addmm(b_ih, x, w_ih.t())
            gh_n = gh[:, 2 * H :]
            rz = gi[:, : 2 * H].add_(gh[:, : 2 * H]).sigmoid_()
            r, z = rz[:, :H], rz[:, H:]
            new = torch.addcmul(gi[:, 2 * H :], r, gh_n).tanh_()
            d_new = (1 - new * new).mul_(1 - z)  # d h' / d (n's pre-activation)
            # per unit of d h': the gradients of gh's r, z and n parts, and of gi's n part
            parts = [d_new * gh_n * r * (1 - r), (h - new).mul_(z * (1 - z)), d_new * r, d_new]
            per_unit = torch.cat(parts, 1).view(k, n, 4 * H)
            z = z.reshape(k, n, H)
            grads = output.new_empty(k, n, 4 * H)
            for t in range(k - 1, -1, -1):
                if d_output is not None:
                    dh = dh + d_output[start + t]
                g = torch.cat([dh, dh, dh, dh], 1, out=grads[t]).mul_(per_unit[t])
                dh = torch.addmm(dh * z[t], g[:, : 3 * H], w_hh)
            grads = grads.view(k * n, 4 * H)
            d_gh = grads[:, : 3 * H]
            d_gi = torch.cat([grads[:, : 2 * H], grads[:, 3 * H :]], 1)
            dw_hh.addmm_(d_gh.t(), h)
            dw_ih.addmm_(d_gi.t(), x)
            db_hh += d_gh.sum(0)
            db_ih += d_gi.sum(0)
            if dX is not None:
                torch.mm(d_gi, w_ih, out=dX[start:stop].view(k * n, -1))
        return _batch_first(dX), dh, dw_ih, dw_hh, db_ih, db_hh

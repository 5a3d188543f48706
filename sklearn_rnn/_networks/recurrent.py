"""The one recurrent torch module behind every estimator."""

from __future__ import annotations

import torch
from torch import _VF, nn
from torch.nn import functional as F

from .._runtime import current_generator
from .._scaling import is_constant
from .own_backward import one_way_layer, uses_own_backward

__all__ = ["Ensemble", "RecurrentNet"]

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
# One layer, one direction of each cell: the kernels behind nn.RNN/LSTM/GRU.forward, which
# take the weights as a list (as torch's own modules call them)
_ONE_WAY = {"rnn": _VF.rnn_tanh, "lstm": _VF.lstm, "gru": _VF.gru}
POOLINGS = ("last", "mean", "attention")
ARCHITECTURES = ("rnn", "lstm-fcn", "mlstm-fcn")
MISSING = ("error", "mask")
INPUT_SCALINGS = ("global", "sequence", "both")
FCN_KERNEL_SIZES = (8, 5, 3)
# The largest dilation of the first block: each pads every sequence by 3.5 times it at predict
MAX_DILATION = 1024


def _time_mask(lengths: torch.Tensor | None, X: torch.Tensor) -> torch.Tensor | None:
    """``(n, T)`` boolean mask of the observed steps, or None when all are observed."""
    if lengths is None:
        return None
    return torch.arange(X.shape[1], device=X.device)[None, :] < lengths.to(X.device)[:, None]


def _masked_mean(h: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """Mean of ``h`` ``(n, C, T)`` over the observed steps of ``mask`` ``(n, T)``."""
    if mask is None:
        return h.mean(dim=2)
    weights = mask.to(h.dtype)
    return (h * weights[:, None, :]).sum(dim=2) / weights.sum(dim=1, keepdim=True)


class Packing:
    """A ragged batch's observed steps laid end to end in one row, ``gap`` zeros between sequences.

    ``mask`` ``(n, T)`` marks the observed steps of a padded batch, each
    sequence's a prefix of its row (its first ``length`` steps). A
    convolution ("same" zero padding, reading at most ``gap`` steps on either side) over
    the packed row, with the gaps set back to zero after each block, computes
    for every observed step what it computes over the padded batch: a step
    only reads zeros beyond its own sequence either way. So a batch of
    sequences of any lengths costs the steps they hold, not ``n`` times the
    longest.
    """

    # The packed row's length is rounded up to one of 8 lengths per doubling (at least 64 steps, at
    # most 1/8 more past 512): oneDNN builds a convolution kernel for each new input shape, and a new
    # length every batch cost a fit about a quarter more
    @staticmethod
    def rounded(steps: int) -> int:
        """``steps`` rounded up to a multiple of ``max(64, 2 ** (bit length - 4))``."""
        unit = max(64, 1 << max(0, steps.bit_length() - 4))
        return -(-steps // unit) * unit

    def __init__(self, mask: torch.Tensor, gap: int) -> None:
        self.n = mask.shape[0]
        self.lengths = mask.sum(dim=1)
        spans = self.lengths + gap
        starts = torch.cumsum(spans, dim=0) - spans
        self.rows, self.steps = mask.nonzero(as_tuple=True)  # each sequence's steps in order
        self.positions = starts[self.rows] + self.steps
        self.mask = torch.zeros(1, self.rounded(int(spans.sum())), dtype=torch.bool, device=mask.device)
        self.mask[0, self.positions] = True

    def _row(self, per_step: torch.Tensor) -> torch.Tensor:
        """The observed steps' ``(n_observed, C)`` values laid in the row: ``(1, C, L)``, zero in gaps."""
        out = per_step.new_zeros(per_step.shape[1], self.mask.shape[1])
        out[:, self.positions] = per_step.T
        return out[None]

    def pack(self, h: torch.Tensor) -> torch.Tensor:
        """``(n, C, T)`` -> ``(1, C, packed length)``, zero in the gaps."""
        return self._row(h[self.rows, :, self.steps])

    def repack(self, other: Packing, h: torch.Tensor) -> torch.Tensor:
        """``h`` ``(1, C, L)`` packed by ``other`` (of the same mask), laid out as this packing lays it."""
        return self._row(h[0][:, other.positions].T)

    def means(self, h: torch.Tensor) -> torch.Tensor:
        """Each sequence's mean over its steps of the packed ``(1, C, L)``: ``(n, C)``."""
        sums = h.new_zeros(self.n, h.shape[1]).index_add_(0, self.rows, h[0][:, self.positions].T)
        return sums / self.lengths[:, None].to(h.dtype)

    def spread(self, values: torch.Tensor) -> torch.Tensor:
        """Each sequence's ``(n, C)`` values at each of its packed steps: ``(1, C, L)``, zero in the gaps."""
        return self._row(values[self.rows])


def carry_forward(X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Fill NaNs of ``X`` ``(n, T, F)`` with the last observed value of their feature.

    Steps before a feature's first observation become 0 (the training mean once
    standardised). Returns the filled values and the float mask of observed values.
    While an ONNX export traces the network, the same values come from
    :func:`_carry_forward_exportable`.
    """
    if torch.onnx.is_in_onnx_export():
        return _carry_forward_exportable(X)
    observed = ~torch.isnan(X)
    steps = torch.arange(X.shape[1], device=X.device).view(1, -1, 1).expand_as(X)
    last = torch.cummax(torch.where(observed, steps, torch.full_like(steps, -1)), dim=1).values
    filled = torch.gather(torch.nan_to_num(X, nan=0.0), 1, last.clamp(min=0))
    filled = torch.where(last >= 0, filled, torch.zeros_like(filled))
    return filled, observed.to(X.dtype)


def _carry_forward_exportable(X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``carry_forward`` without ``cummax`` (which ONNX lacks): the same values, O(T), 1.3-1.7x slower.

    The last observation at or before step t is the ``c_t``-th one, where ``c`` is
    the running count of observations: each observed step is scattered to the
    slot of its rank, and every step reads the slot of its count (slot 0: none
    yet). A pairwise comparison of steps was O(T^2) and made the graph 4-5x
    slower than torch on 200-step sequences.
    """
    observed = ~torch.isnan(X)
    steps = torch.arange(X.shape[1], device=X.device).view(1, -1, 1).expand_as(X)
    count = torch.cumsum(observed.to(torch.int64), dim=1)
    dummy = torch.full_like(count, X.shape[1] + 1)  # unobserved steps all go to one unused slot
    slots = torch.full_like(torch.cat([count, count[:, :1], count[:, :1]], dim=1), -1)  # (n, T + 2, F)
    slots = slots.scatter(1, torch.where(observed, count, dummy), steps)
    last = torch.gather(slots, 1, count)
    filled = torch.gather(torch.where(observed, X, torch.zeros_like(X)), 1, last.clamp(min=0))
    filled = torch.where(last >= 0, filled, torch.zeros_like(filled))
    return filled, observed.to(X.dtype)


def dropout(h: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """``F.dropout``, drawing its mask from the training session's generator when there is one."""
    generator = current_generator(h.device) if training and p > 0 else None
    if generator is None:
        return F.dropout(h, p, training)
    if p == 1:
        return torch.zeros_like(h)
    keep = torch.empty_like(h).bernoulli_(1 - p, generator=generator)
    return h * keep / (1 - p)


def _reverse_within(h: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Each row of ``h`` ``(n, T, D)`` reversed over its own first ``lengths`` steps (padding stays)."""
    steps = torch.arange(h.shape[1], device=h.device)[None, :]
    lengths = lengths.to(h.device)[:, None]
    index = torch.where(steps < lengths, lengths - 1 - steps, steps)
    return h.gather(1, index[:, :, None].expand_as(h))


def standardize_sequences(X: torch.Tensor, mask: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """Each sequence of ``X`` ``(n, T, F)`` standardised by its own per-feature mean and deviation.

    Statistics are taken over the observed steps of ``mask`` ``(n, T)``; padded
    steps stay zero. A feature constant within a sequence (:func:`is_constant`
    in ``X``'s dtype) becomes zero rather than rounding noise blown up. Returns
    the standardised values and the removed statistics ``(n, 2 F)``: the means,
    then ``log(deviation + 1e-6)``.
    """
    # in float64: a float32 mean is off by ~1e-7 |mean|, and dividing by a small deviation
    # made that depend on how much padding a batch added to the sums
    values = X.to(torch.float64)
    weights = values.new_ones(X.shape[:2]) if mask is None else mask.to(torch.float64)
    weights = weights[:, :, None]
    count = weights.sum(dim=1, keepdim=True)
    mean = (values * weights).sum(dim=1, keepdim=True) / count
    centred = (values - mean) * weights
    deviation = torch.sqrt((centred * centred).sum(dim=1, keepdim=True) / count)
    varies = ~is_constant(deviation, mean, torch.finfo(X.dtype).eps)
    scaled = torch.where(varies, centred / torch.where(varies, deviation, torch.ones_like(deviation)), 0.0)
    scaled, mean, deviation = scaled.to(X.dtype), mean.to(X.dtype), deviation.to(X.dtype)
    return scaled, torch.cat([mean[:, 0], torch.log(deviation[:, 0] + 1e-6)], dim=1)


def fixed_length(X: torch.Tensor, lengths: torch.Tensor | None, n_steps: int) -> torch.Tensor:
    """Each sequence of ``X`` ``(n, T, C)`` as exactly ``n_steps`` steps, every observed step read.

    A sequence of at most ``n_steps`` steps is zero-padded; a longer one is
    average-pooled into ``n_steps`` bins (bin ``j`` covers steps
    ``floor(j L / n_steps)`` to ``ceil((j + 1) L / n_steps)`` of its ``L`` steps,
    as ``adaptive_avg_pool1d`` does), so no step is dropped and padding never
    enters a bin. Shape-generic tensor code, so an exported graph keeps a free
    time axis.
    """
    n, T = X.shape[0], X.shape[1]
    L = torch.full((n,), T, dtype=torch.int64, device=X.device) if lengths is None else lengths.to(X.device)
    L = L[:, None]
    j = torch.arange(n_steps, device=X.device)[None, :]
    index = j.clamp(max=T - 1).expand(n, -1)
    direct = X.gather(1, index[:, :, None].expand(-1, -1, X.shape[2]))
    direct = torch.where((j < L)[:, :, None], direct, torch.zeros_like(direct))
    start = torch.div(j * L, n_steps, rounding_mode="floor")
    end = torch.div((j + 1) * L + n_steps - 1, n_steps, rounding_mode="floor")
    sums = torch.cat([X.new_zeros(n, 1, X.shape[2]), X.cumsum(dim=1)], dim=1)
    gather = lambda i: sums.gather(1, i[:, :, None].expand(-1, -1, X.shape[2]))  # noqa: E731
    pooled = (gather(end) - gather(start)) / (end - start).clamp(min=1)[:, :, None].to(X.dtype)
    return torch.where((L > n_steps)[:, :, None], pooled, direct)


class Dropout(nn.Dropout):
    """``nn.Dropout`` drawing its masks from the training session's generator (when there is one)."""

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return dropout(h, self.p, self.training)


def max_dilations(channels: int) -> int:
    """The most dilations a block of ``channels`` channels shares them among (:class:`DilatedConv1d`)."""
    return channels // 2 + 1


def auto_dilations(n_timesteps: int, kernel_size: int = FCN_KERNEL_SIZES[0]) -> tuple[int, ...]:
    """The first convolutional block's dilations for sequences of up to ``n_timesteps`` steps.

    1, 4, 16 and 64, each while a kernel's span at it (``(kernel_size - 1) d``
    steps) is at most half the longest training sequence: a 24-step sequence
    gets (1,), a 150-step one (1, 4), a 427-step one (1, 4, 16) and a
    1344-step one (1, 4, 16, 64), so the first block reads patterns up to
    ``7 d + 1`` steps long as well as the 8-step ones.
    """
    dilations = [1]
    while len(dilations) < 4 and (kernel_size - 1) * 4 * dilations[-1] <= n_timesteps / 2:
        dilations.append(4 * dilations[-1])
    return tuple(dilations)


class DilatedConv1d(nn.Module):
    """Convolutions of one kernel size at several dilations side by side, "same" zero padding.

    Half the output channels (rounded up) read at the first dilation, the others
    are shared out among the rest in order (the first ones get one more where
    they do not divide evenly); their outputs are concatenated. A dilation
    ``d`` reads ``(kernel_size - 1) d`` steps around each step, split as the
    single convolution's "same" padding splits its ``kernel_size - 1`` (so an
    8-step kernel at an even dilation reads the steps around a step, not the step
    itself; the first dilation's kernels read it where it is 1).
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: int, dilations: tuple[int, ...]
    ) -> None:
        super().__init__()
        first = out_channels - out_channels // 2 if len(dilations) > 1 else out_channels
        k, q = divmod(out_channels - first, max(1, len(dilations) - 1))
        sizes = [first] + [k + (i < q) for i in range(len(dilations) - 1)]
        self.convs = nn.ModuleList(
            nn.Conv1d(in_channels, size, kernel_size, dilation=d)
            for size, d in zip(sizes, dilations, strict=True)
        )
        spans = [(kernel_size - 1) * d for d in dilations]
        self.pads = [(span // 2, span - span // 2) for span in spans]

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """``h`` ``(n, C, T)`` -> ``(n, out_channels, T)``, each dilation's channels in turn."""
        return torch.cat(
            [conv(F.pad(h, pad)) for conv, pad in zip(self.convs, self.pads, strict=True)], dim=1
        )


class ConvBlock(nn.Module):
    """Conv1d ("same" padding) -> batch norm -> ReLU, optionally squeeze-and-excitation.

    Padded steps are set to zero after the block, so the next convolution sees
    them as its own zero padding and an observed step never depends on how much
    padding follows it. In training, a ragged batch's normalisation statistics
    are those of its observed steps (:meth:`_masked_norm`), so padding does not
    change them either.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        squeeze: bool,
        dilations: tuple[int, ...] = (1,),
    ) -> None:
        super().__init__()
        if tuple(dilations) == (1,):
            # "same" padding, written out: torch pads an even kernel by copying the input anyway
            self.pad = nn.ConstantPad1d(((kernel_size - 1) // 2, kernel_size // 2), 0.0)
            self.conv = nn.Conv1d(in_channels, out_channels, kernel_size)
        else:  # each dilation pads for itself
            self.pad = nn.Identity()
            self.conv = DilatedConv1d(in_channels, out_channels, kernel_size, tuple(dilations))
        # the most steps it reads on either side of a step
        self.reach = -(-(kernel_size - 1) * max(dilations) // 2)
        self.norm = nn.BatchNorm1d(out_channels)
        self.squeeze = None
        if squeeze:  # Hu et al. (2018), reduction ratio 16 as in MLSTM-FCN
            reduced = max(1, out_channels // 16)
            self.squeeze = nn.Sequential(
                nn.Linear(out_channels, reduced), nn.ReLU(), nn.Linear(reduced, out_channels), nn.Sigmoid()
            )

    def _masked_norm(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Training-mode batch norm over the observed steps only (padding never enters the statistics).

        ``BatchNorm1d``'s arithmetic, its statistics taken as products with the
        mask: the mean, then the (biased) variance of the centred values, which
        normalise the batch; the running statistics move as the module's own
        (momentum, unbiased variance). Padded steps come out as any other and
        are zeroed by the caller. Gathering the observed steps through the
        module's own kernel and scattering them back, as before, made a fit on
        PLAID's ragged sequences take 1.3 times as long (8 epochs, interleaved).
        """
        norm = self.norm
        weights = mask.to(h.dtype)
        count = weights.sum()
        mean = torch.einsum("nct,nt->c", h, weights) / count
        centred = h - mean[:, None]
        var = torch.einsum("nct,nt->c", centred * centred, weights) / count
        if norm.track_running_stats:
            with torch.no_grad():
                norm.num_batches_tracked.add_(1)
                momentum = 1.0 / float(norm.num_batches_tracked) if norm.momentum is None else norm.momentum
                unbiased = var * (count / (count - 1).clamp(min=1))  # no host sync on a GPU
                norm.running_mean.lerp_(mean, momentum)
                norm.running_var.lerp_(unbiased, momentum)
        scale = norm.weight * torch.rsqrt(var + norm.eps)
        return torch.addcmul(norm.bias[:, None], centred, scale[:, None])

    def forward(
        self, h: torch.Tensor, mask: torch.Tensor | None, packing: Packing | None = None
    ) -> torch.Tensor:
        """``h`` ``(n, C, T)`` with its observed steps ``mask``; or packed, with its ``packing``."""
        h = self.conv(self.pad(h))
        h = torch.relu(self._masked_norm(h, mask) if mask is not None and self.training else self.norm(h))
        if mask is not None:
            h = h * mask[:, None, :].to(h.dtype)
        if self.squeeze is not None:
            if packing is None:
                h = h * self.squeeze(_masked_mean(h, mask))[:, :, None]
            else:  # each sequence's own excitation
                h = h * packing.spread(self.squeeze(packing.means(h)))
        return h


class Ensemble(nn.Module):
    """Networks of one architecture side by side: this one, and ``others`` (None for one network).

    Each network computes its own output (``_network``). In training the
    ensemble's output stacks them, ``(n_networks, ...)`` (:attr:`stacks_outputs`),
    so that each network is trained on its own loss and clipped by its own
    gradient norm (``Net.get_loss``, ``GradientClipping``); otherwise it is
    their mean.
    """

    others: nn.ModuleList | None

    @property
    def stacks_outputs(self) -> bool:
        """Whether the output stacks an ensemble's outputs (training), one loss per network."""
        return self.training and self.others is not None

    def network_parameters(self) -> list[list[nn.Parameter]]:
        """Each network's parameters: this one's (``others`` left out), then each other network's."""
        networks = list(self.others or ())
        others = {id(p) for network in networks for p in network.parameters()}
        first = [p for p in self.parameters() if id(p) not in others]
        return [first, *(list(network.parameters()) for network in networks)]

    def _ensemble(self, *inputs: torch.Tensor | None) -> torch.Tensor:
        out = self._network(*inputs)
        if self.others is None:
            return out
        outs = torch.stack([out, *(other._network(*inputs) for other in self.others)])
        return outs if self.training else outs.mean(dim=0)


class RecurrentNet(Ensemble):
    """Standardise, run a recurrent network (with or without a convolutional branch), project.

    Parameters
    ----------
    n_features : int
        Features per time step.
    n_outputs : int
        Size of the output (classes or regression targets).
    cell : {"rnn", "lstm", "gru"}, default="lstm"
        Recurrent cell.
    hidden_size : int, default=64
        Hidden units per direction and layer.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Whether to also read each sequence backwards.
    dropout : float, default=0.0
        Dropout between stacked layers and on the recurrent summary before the
        output layer.
    pooling : {"last", "mean", "attention"}, default="last"
        Summary of the sequence fed to the output layer: the final state of each
        direction (the forward one after the last observed step, the backward one
        after step 0), the mean of the top layer's outputs over observed steps, or
        an attention-weighted mean of them.
    architecture : {"rnn", "lstm-fcn", "mlstm-fcn"}, default="rnn"
        "rnn": the recurrent network alone. "lstm-fcn": a recurrent branch
        (of ``cell``, so ``cell="gru"`` gives GRU-FCN) beside a fully
        convolutional branch (three blocks of Conv1d, batch norm and ReLU,
        kernels 8, 5 and 3, then global average pooling over observed steps),
        their summaries concatenated (Karim et al., 2017). "mlstm-fcn": the
        same with a squeeze-and-excitation block after the first two
        convolutional blocks (Karim et al., 2019).
    dimension_shuffle : bool, default=True
        With an FCN architecture, whether the recurrent branch reads the
        transposed series: ``n_features`` steps of ``n_timesteps`` values each
        (one step for a univariate series), as in the papers. Otherwise it reads
        the time steps. Ignored by ``architecture="rnn"``.
    n_timesteps : int or None, default=None
        Length the dimension-shuffled branch reads (the longest training
        sequence); shorter sequences are zero-padded (the training mean) and
        longer ones average-pooled to it (:func:`fixed_length`), so every step
        is read. Required when the dimension shuffle is used.
    fcn_filters : tuple of 3 int, default=(128, 256, 128)
        Channels of the three convolutional blocks.
    fcn_dilations : tuple of int, default=(1,)
        Dilations of the first block's kernels (:class:`DilatedConv1d`): its
        channels are shared out among them. (1,) is the papers' block.
    missing : {"error", "mask"}, default="error"
        "mask": NaN inputs are carried forward from the last observation of
        their feature (0, the training mean, before the first one) and one
        observed-mask channel per feature is appended to the input. "error":
        the input is expected to hold no NaN.
    input_scaling : {"global", "sequence", "both"}, default="global"
        "global": the inputs are standardised by the training statistics alone.
        "sequence": then also each sequence by its own per-feature mean and
        deviation (:func:`standardize_sequences`), and those statistics are
        given to the output layer beside the branches' summaries, so the
        network reads shapes at any scale without losing the levels. "both":
        the network reads the globally and the per-sequence standardised
        values side by side (twice the input channels), and the output layer
        gets the statistics as with "sequence".
    n_networks : int, default=1
        Networks of this architecture side by side, each with its own weights
        (``others`` holds all but this one). In training the output stacks
        their outputs, ``(n_networks, n, n_outputs)``, each trained on its own
        loss; otherwise it is their mean (for a classifier, the mean of the
        logits: the normalised geometric mean of the networks' probabilities).
    head_hidden_size : int or None, default=None
        None: the output layer is linear in the summaries (and statistics), as
        in the papers. An int: one hidden layer of that many ReLU units between
        them and the output.

    Notes
    -----
    ``x_mean`` and ``x_scale`` are buffers holding the per-feature standardisation
    fitted by the estimator, so a saved or exported module carries its own input
    scaling. Padded steps are zero once standardised, whatever they held.
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int,
        cell: str = "lstm",
        hidden_size: int = 64,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        pooling: str = "last",
        architecture: str = "rnn",
        dimension_shuffle: bool = True,
        n_timesteps: int | None = None,
        fcn_filters: tuple[int, ...] = (128, 256, 128),
        fcn_dilations: tuple[int, ...] = (1,),
        missing: str = "error",
        input_scaling: str = "global",
        n_networks: int = 1,
        head_hidden_size: int | None = None,
    ) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}.")
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {list(POOLINGS)}, got {pooling!r}.")
        if architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {list(ARCHITECTURES)}, got {architecture!r}.")
        if missing not in MISSING:
            raise ValueError(f"missing must be one of {list(MISSING)}, got {missing!r}.")
        if input_scaling not in INPUT_SCALINGS:
            raise ValueError(f"input_scaling must be one of {list(INPUT_SCALINGS)}, got {input_scaling!r}.")
        self.cell = cell
        self.pooling = pooling
        self.architecture = architecture
        self.missing = missing
        self.input_scaling = input_scaling
        self.num_directions = 2 if bidirectional else 1
        self.shuffle = architecture != "rnn" and dimension_shuffle
        if self.shuffle and not n_timesteps:
            raise ValueError("n_timesteps is required for the dimension shuffle of an FCN architecture.")
        self.n_timesteps = int(n_timesteps) if self.shuffle else None
        self.register_buffer("x_mean", torch.zeros(n_features))
        self.register_buffer("x_scale", torch.ones(n_features))
        channels = n_features * (1 + (missing == "mask") + (input_scaling == "both"))
        self.rnn = CELLS[cell](
            self.n_timesteps if self.shuffle else channels,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional,
        )
        width = hidden_size * self.num_directions
        self.attention = nn.Linear(width, 1) if pooling == "attention" else None
        self.dropout = Dropout(dropout)
        self.fcn = None
        if architecture != "rnn":
            if len(fcn_filters) != len(FCN_KERNEL_SIZES):
                raise ValueError(f"fcn_filters must hold 3 channel counts, got {tuple(fcn_filters)!r}.")
            limit = max_dilations(int(fcn_filters[0]))
            if not 1 <= len(fcn_dilations) <= limit or not all(1 <= d <= MAX_DILATION for d in fcn_dilations):
                raise ValueError(
                    f"fcn_dilations must be 1 to fcn_filters[0] // 2 + 1 = {limit} ints from 1 to "
                    f"{MAX_DILATION}, got {tuple(fcn_dilations)!r}."
                )
            blocks, previous = [], channels
            for i, (filters, kernel) in enumerate(zip(fcn_filters, FCN_KERNEL_SIZES, strict=True)):
                squeeze = architecture == "mlstm-fcn" and i < 2
                dilations = tuple(int(d) for d in fcn_dilations) if i == 0 else (1,)
                blocks.append(ConvBlock(previous, int(filters), kernel, squeeze, dilations))
                previous = int(filters)
            self.fcn = nn.ModuleList(blocks)
            width += previous
        if input_scaling != "global":
            width += 2 * n_features
        if head_hidden_size is None:
            self.head = nn.Linear(width, n_outputs)
        else:
            self.head = nn.Sequential(
                nn.Linear(width, head_hidden_size), nn.ReLU(), nn.Linear(head_hidden_size, n_outputs)
            )
        # the other networks of an ensemble: the same architecture, their own weights
        arguments = (n_features, n_outputs, cell, hidden_size, num_layers, bidirectional, dropout, pooling)
        arguments += (architecture, dimension_shuffle, n_timesteps, fcn_filters, fcn_dilations, missing)
        arguments += (input_scaling, 1, head_hidden_size)
        self.others = (
            nn.ModuleList(RecurrentNet(*arguments) for _ in range(n_networks - 1)) if n_networks > 1 else None
        )

    def set_input_scaling(self, mean: torch.Tensor, scale: torch.Tensor) -> None:
        """Standardise inputs by ``mean`` and ``scale`` (per feature), in every network of an ensemble."""
        for network in (self, *(self.others or ())):
            network.x_mean.copy_(mean)
            network.x_scale.copy_(scale)

    def _layer_by_layer(
        self, X: torch.Tensor, lengths: torch.Tensor | None, own_backward: bool
    ) -> torch.Tensor:
        """Top-layer outputs ``(n, T, H * directions)`` of ``self.rnn``, one layer and direction at a time.

        The same weights and arithmetic as ``self.rnn(X)``, for the cases its
        fused call cannot serve: a ragged batch read backwards (each sequence is
        reversed within its own length, so the backward direction starts at the
        sequence's end, as packing would, without packing's cost on the CPU),
        dropout between stacked layers drawn from the fit's own generator, and a
        GRU or Elman RNN trained on the CPU with the backward of :mod:`.own_backward`
        (``own_backward``, decided by the caller).
        """
        rnn, run = self.rnn, _ONE_WAY[self.cell]
        zeros = X.new_zeros(1, X.shape[0], rnn.hidden_size)
        hx = (zeros, zeros) if self.cell == "lstm" else zeros

        def reverse(h: torch.Tensor) -> torch.Tensor:
            return h.flip(1) if lengths is None else _reverse_within(h, lengths)

        h = X
        for layer in range(rnn.num_layers):
            if layer:
                h = dropout(h, rnn.dropout, self.training)
            outputs = []
            for suffix in ("", "_reverse")[: self.num_directions]:
                names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
                weights = [getattr(rnn, f"{name}_l{layer}{suffix}") for name in names]
                inputs = reverse(h) if suffix else h
                if own_backward:
                    out = one_way_layer(self.cell, inputs, hx[0], weights)
                else:  # (input, hx, weights, bias, layers, dropout, training, bidirectional, batch_first)
                    out = run(inputs, hx, weights, True, 1, 0.0, self.training, False, True)[0]
                outputs.append(reverse(out) if suffix else out)
            h = torch.cat(outputs, dim=2)
        return h

    def _recurrent(self, X: torch.Tensor, lengths: torch.Tensor | None, mask: torch.Tensor | None):
        """Summary ``(n, hidden_size * directions)`` of the recurrent branch.

        Ragged batches run padded, never packed: the steps after a sequence's end
        never reach its earlier outputs, so the forward direction's final state is
        read at each sequence's own last step, and the backward direction reads
        each sequence reversed within its length (:meth:`_layer_by_layer`).
        """
        H = self.rnn.hidden_size
        stacked_dropout = self.training and self.rnn.dropout > 0
        own_backward = uses_own_backward(self.cell, X, H, self.training)  # own_backward.py: faster on a CPU
        if own_backward or stacked_dropout or (lengths is not None and self.num_directions == 2):
            output = self._layer_by_layer(X, lengths, own_backward)
        elif self.pooling == "last" and lengths is None:
            # every sequence ends at step T: the fused call's final states are what "last" reads (the
            # forward direction at T, the backward one at 1), and back-propagating from them alone skips
            # the gradient of the whole output sequence (4-15% of a step, benchmarks/speed.py)
            _, final = self.rnn(X)
            final = final[0] if self.cell == "lstm" else final  # LSTM: (h_n, c_n)
            return torch.cat([final[k] for k in range(-self.num_directions, 0)], dim=1)  # the top layer
        else:
            output, _ = self.rnn(X)
        if self.pooling == "last":
            if lengths is None:
                forward = output[:, -1, :H]
            else:
                rows = torch.arange(output.shape[0], device=output.device)
                forward = output[rows, lengths.to(output.device) - 1, :H]
            return forward if self.num_directions == 1 else torch.cat([forward, output[:, 0, H:]], dim=1)
        if mask is None:
            mask = torch.ones(X.shape[:2], dtype=torch.bool, device=X.device)
        if self.pooling == "mean":
            weights = mask.to(output.dtype) / mask.sum(1, keepdim=True)
        else:
            scores = self.attention(output).squeeze(-1).masked_fill(~mask, float("-inf"))
            weights = torch.softmax(scores, dim=1)
        return torch.einsum("nt,nth->nh", weights, output)

    def _convolutions(self, X: torch.Tensor, mask: torch.Tensor | None, pack: bool) -> torch.Tensor:
        """The convolutional branch's summary ``(n, C)``: each sequence's mean over its observed steps.

        With ``pack`` a ragged batch runs packed (:class:`Packing`): the same
        values as padded, at the cost of the observed steps alone. Training
        packs, since its batches are drawn at random whatever the lengths
        (batch norm would otherwise normalise batches of like lengths, which can
        be batches of one class, by their own statistics: see ``BatchIterator``).
        A first block of dilated kernels reads further than the others and runs
        on a layout of its own, with gaps as wide as its reach; the blocks after
        it run on the narrow one (the gaps would otherwise add a third to a
        ragged PLAID batch's steps in every block).
        """
        h = X.transpose(1, 2)
        if not (pack and mask is not None):
            for block in self.fcn:
                h = block(h, mask)
            return _masked_mean(h, mask)
        narrow = max(FCN_KERNEL_SIZES) // 2  # what the undilated blocks read on either side
        wide = self.fcn[0].reach > narrow
        first = Packing(mask, self.fcn[0].reach if wide else narrow)
        packing, h = first, first.pack(h)
        for i, block in enumerate(self.fcn):
            if i == 1 and wide:
                packing = Packing(mask, narrow)
                h = packing.repack(first, h)
            h = block(h, packing.mask, packing)
        return packing.means(h)

    def forward(self, X: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Map a batch ``(n, T, n_features)`` to ``(n, n_outputs)``.

        ``lengths`` (CPU or device int64 tensor of shape ``(n,)``) marks padded
        batches: the steps past each length are never read. An ensemble in
        training gives ``(n_networks, n, n_outputs)`` (:attr:`stacks_outputs`).
        """
        return self._ensemble(X, lengths)

    def _network(self, X: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
        """This network's output alone, ``(n, n_outputs)``."""
        X = (X - self.x_mean) / self.x_scale
        mask = _time_mask(lengths, X)
        observed = None
        if self.missing == "mask":
            X, observed = carry_forward(X)
        if mask is not None:  # padding is zero (the training mean) whatever it held
            X = torch.where(mask[:, :, None], X, torch.zeros_like(X))
            observed = None if observed is None else observed * mask[:, :, None].to(X.dtype)
        statistics = None
        if self.input_scaling != "global":
            scaled, statistics = standardize_sequences(X, mask)
            X = scaled if self.input_scaling == "sequence" else torch.cat([X, scaled], dim=2)
        if observed is not None:
            X = torch.cat([X, observed], dim=2)
        if self.shuffle:
            steps = fixed_length(X, lengths, self.n_timesteps)
            summary = self._recurrent(steps.transpose(1, 2), None, None)
        else:
            summary = self._recurrent(X, lengths, mask)
        summary = self.dropout(summary)
        if self.fcn is not None:
            summary = torch.cat([summary, self._convolutions(X, mask, pack=self.training)], dim=1)
        if statistics is not None:
            summary = torch.cat([summary, statistics], dim=1)
        return self.head(summary)

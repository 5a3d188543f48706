"""The one recurrent torch module behind every estimator."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

__all__ = ["RecurrentNet"]

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
POOLINGS = ("last", "mean", "attention")


class RecurrentNet(nn.Module):
    """Standardise, run a (stacked, optionally bidirectional) RNN, pool over time, project.

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
        Dropout between stacked layers and before the output layer.
    pooling : {"last", "mean", "attention"}, default="last"
        Summary of the sequence fed to the output layer: the final state of each
        direction (the forward one after the last observed step, the backward one
        after step 0), the mean of the top layer's outputs over observed steps, or
        an attention-weighted mean of them.

    Notes
    -----
    ``x_mean`` and ``x_scale`` are buffers holding the per-feature standardisation
    fitted by the estimator, so a saved or exported module carries its own input
    scaling.
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
    ) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}.")
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {list(POOLINGS)}, got {pooling!r}.")
        self.cell = cell
        self.pooling = pooling
        self.num_directions = 2 if bidirectional else 1
        self.register_buffer("x_mean", torch.zeros(n_features))
        self.register_buffer("x_scale", torch.ones(n_features))
        self.rnn = CELLS[cell](
            n_features,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional,
        )
        width = hidden_size * self.num_directions
        self.attention = nn.Linear(width, 1) if pooling == "attention" else None
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(width, n_outputs)

    def forward(self, X: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Map a batch ``(n, T, n_features)`` to ``(n, n_outputs)``.

        ``lengths`` (CPU or device int64 tensor of shape ``(n,)``) marks padded
        batches: the steps past each length are never read.
        """
        X = (X - self.x_mean) / self.x_scale
        inputs = X
        if lengths is not None:
            inputs = pack_padded_sequence(X, lengths.cpu(), batch_first=True, enforce_sorted=False)
        output, state = self.rnn(inputs)
        if self.pooling == "last":
            h_n = state[0] if self.cell == "lstm" else state
            # h_n: (num_layers * directions, n, H); the top layer's directions are last.
            summary = torch.cat(list(h_n[-self.num_directions :]), dim=1)
        else:
            if lengths is not None:
                output, _ = pad_packed_sequence(output, batch_first=True, total_length=X.shape[1])
                mask = torch.arange(X.shape[1], device=X.device)[None, :] < lengths.to(X.device)[:, None]
            else:
                mask = torch.ones(X.shape[:2], dtype=torch.bool, device=X.device)
            if self.pooling == "mean":
                weights = mask.to(output.dtype) / mask.sum(1, keepdim=True)
            else:
                scores = self.attention(output).squeeze(-1).masked_fill(~mask, float("-inf"))
                weights = torch.softmax(scores, dim=1)
            summary = torch.einsum("nt,nth->nh", weights, output)
        return self.head(self.dropout(summary))

"""A window autoencoder: the anomaly detectors' network when they score by reconstruction."""

from __future__ import annotations

import torch
from torch import nn

from .recurrent import RecurrentNet

__all__ = ["WindowAutoencoder"]


class WindowAutoencoder(nn.Module):
    """Window ``(n, W, C)`` -> its reconstruction ``(n, W, C, 1)`` from the network's final state.

    With ``local_level``, the window's mean is subtracted from its values and
    added back to the reconstruction, so the recurrent network encodes the window's shape into
    its final state (``hidden_size`` values per direction, the bottleneck) and
    a linear layer decodes every step from it. The trailing axis of size 1
    is that of a single quantile (the median), so that the pinball loss of
    the forecasting networks trains it too.
    """

    def __init__(
        self,
        n_features: int,
        window_length: int,
        cell: str,
        hidden_size: int,
        num_layers: int,
        bidirectional: bool,
        dropout: float,
        local_level: bool = True,
    ) -> None:
        super().__init__()
        self.local_level = local_level
        self.n_features = n_features
        self.window_length = window_length
        self.recurrent = RecurrentNet(
            n_features,
            window_length * n_features,
            cell=cell,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            pooling="last",
        )

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        level = X.mean(dim=1, keepdim=True) if self.local_level else torch.zeros_like(X[:, :1])
        out = self.recurrent(X - level).view(-1, self.window_length, self.n_features)
        return (out + level)[..., None]

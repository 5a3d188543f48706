"""A window autoencoder: the anomaly detectors' network when they score by reconstruction."""

from __future__ import annotations

import torch
from torch import nn

from .recurrent import Ensemble, RecurrentNet

__all__ = ["WindowAutoencoder"]


class WindowAutoencoder(Ensemble):
    """Window ``(n, W, C)`` -> its reconstruction ``(n, W, C, 1)`` from the network's final state.

    With ``local_level``, the window's mean is subtracted from its values and
    added back to the reconstruction, so the recurrent network encodes the window's shape into
    its final state (``hidden_size`` values per direction, the bottleneck) and
    a linear layer decodes every step from it. The trailing axis of size 1
    is that of a single quantile (the median), so that the pinball loss of
    the forecasting networks trains it too. With ``n_networks > 1``, that many
    networks (this one and ``others``) read the same window (:class:`Ensemble`):
    in training the output stacks their reconstructions (each trained on its
    own loss), otherwise it is their mean.
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
        n_networks: int = 1,
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
        # the other networks of an ensemble: the same architecture, their own weights
        arguments = (n_features, window_length, cell, hidden_size, num_layers, bidirectional, dropout)
        self.others = (
            nn.ModuleList(WindowAutoencoder(*arguments, local_level) for _ in range(n_networks - 1))
            if n_networks > 1
            else None
        )

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Each network's reconstruction in training; otherwise their mean."""
        return self._ensemble(X)

    def _network(self, X: torch.Tensor) -> torch.Tensor:
        level = X.mean(dim=1, keepdim=True) if self.local_level else torch.zeros_like(X[:, :1])
        out = self.recurrent(X - level).view(-1, self.window_length, self.n_features)
        return (out + level)[..., None]

import pytest
import torch


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


# Awkward shapes: batch 1, 1×1 maps, non-square maps, C not divisible by r, C < r.
AWKWARD = [
    # (N, C, H, W, r)
    (1, 16, 1, 1, 16),
    (1, 24, 5, 3, 16),
    (3, 10, 1, 7, 4),
    (2, 7, 4, 4, 16),
    (4, 64, 9, 2, 8),
]

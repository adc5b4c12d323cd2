import pytest
import torch

import se_tutorial as se


def test_is_the_papers_eq4():
    x = torch.randn(2, 3, 4, 5)
    s = torch.rand(2, 3)
    out = se.scale(x, s)
    for n in range(2):
        for c in range(3):
            torch.testing.assert_close(out[n, c], s[n, c] * x[n, c])
    torch.testing.assert_close(out, x * s.view(2, 3, 1, 1).expand_as(x))


@pytest.mark.parametrize("s_shape", [(2, 4), (3, 3), (2, 3, 1, 1), (6,)])
def test_mismatch(s_shape):
    with pytest.raises(
        ValueError,
        match=r"scale expects weights s of shape \(N, C\) = \(2, 3\) to match x of shape \(2, 3, 4, 5\); got",
    ):
        se.scale(torch.zeros(2, 3, 4, 5), torch.zeros(s_shape))


def test_rank():
    with pytest.raises(ValueError, match="scale expects a 4-D tensor"):
        se.scale(torch.zeros(3, 4, 5), torch.zeros(1, 3))

"""Structural similarity (Wang, Bovik, Sheikh and Simoncelli, 2004) on luminance, with numpy.

The standard windowed form: an 11x11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03,
L = 255, statistics over the window's valid positions, the mean of the SSIM map. No
downsampling. Luminance is BT.601 luma from 8-bit RGB, transparency flattened onto white (how the
page shows it).
"""

import io

import numpy as np
from PIL import Image

WINDOW = 11
SIGMA = 1.5
C1 = (0.01 * 255) ** 2
C2 = (0.03 * 255) ** 2


def _gaussian() -> np.ndarray:
    offsets = np.arange(WINDOW) - (WINDOW - 1) / 2
    weights = np.exp(-(offsets**2) / (2 * SIGMA**2))
    return weights / weights.sum()


def _blur(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Separable Gaussian filter over the valid window positions only."""
    rows = values.shape[0] - WINDOW + 1
    columns = values.shape[1] - WINDOW + 1
    across = sum(weights[k] * values[:, k : k + columns] for k in range(WINDOW))
    return sum(weights[k] * across[k : k + rows, :] for k in range(WINDOW))


def luminance(picture: bytes | Image.Image) -> np.ndarray:
    """BT.601 luma of encoded bytes or of a Pillow image, over white where transparent."""
    if isinstance(picture, bytes):
        with Image.open(io.BytesIO(picture)) as image:
            rgba = image.convert("RGBA")
    else:
        rgba = picture.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    rgb = np.asarray(Image.alpha_composite(white, rgba).convert("RGB"), dtype=np.float64)
    return rgb @ np.array([0.299, 0.587, 0.114])


def ssim(first: np.ndarray, second: np.ndarray) -> float:
    if first.shape != second.shape:
        raise ValueError(f"SSIM needs equal sizes, got {first.shape} and {second.shape}")
    if min(first.shape) < WINDOW:
        raise ValueError(f"SSIM needs at least {WINDOW}x{WINDOW} pixels")
    weights = _gaussian()
    mean_a, mean_b = _blur(first, weights), _blur(second, weights)
    var_a = _blur(first * first, weights) - mean_a**2
    var_b = _blur(second * second, weights) - mean_b**2
    covariance = _blur(first * second, weights) - mean_a * mean_b
    numerator = (2 * mean_a * mean_b + C1) * (2 * covariance + C2)
    denominator = (mean_a**2 + mean_b**2 + C1) * (var_a + var_b + C2)
    return float(np.mean(numerator / denominator))

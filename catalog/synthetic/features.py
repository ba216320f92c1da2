"""What the pipeline would have measured on each image: dominant colour and perceptual hash."""

import numpy as np

from catalog.synthetic.vocabulary import zipf_weights


def dominant_colours(rng: np.random.Generator, count: int) -> np.ndarray:
    """8-bit RGB rows, mostly muted and light as photos' dominant colours are."""
    hue = rng.random(count) * 6.0
    saturation = rng.beta(2.0, 3.5, count)
    value = rng.beta(3.5, 2.0, count)
    chroma = value * saturation
    x = chroma * (1 - np.abs(hue % 2 - 1))
    zero = np.zeros(count)
    sector = hue.astype(np.int64) % 6
    r = np.choose(sector, [chroma, x, zero, zero, x, chroma])
    g = np.choose(sector, [x, chroma, chroma, x, zero, zero])
    b = np.choose(sector, [zero, zero, x, chroma, chroma, x])
    base = value - chroma
    rgb = np.stack([r + base, g + base, b + base], axis=1)
    return np.clip(np.rint(rgb * 255), 0, 255).astype(np.int64)


def hex_colours(rgb: np.ndarray) -> list[str]:
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb.tolist()]


def clustered_phashes(rng: np.random.Generator, count: int) -> np.ndarray:
    """Signed 64-bit hashes; about 6% are near duplicates a few bits from a cluster's first."""
    hashes = rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, size=count)
    copies = rng.random(count) < 0.06
    if count > 10:
        roots = rng.choice(count, size=max(1, count // 200), replace=False)
        # Cluster sizes follow a power law too: a few images are reposted many times.
        sizes = zipf_weights(len(roots), 1.0)
        picked = roots[rng.choice(len(roots), size=int(copies.sum()), p=sizes)]
        flips = np.zeros(len(picked), dtype=np.uint64)
        for _ in range(4):
            bit = rng.integers(0, 64, size=len(picked)).astype(np.uint64)
            flips |= np.where(rng.random(len(picked)) < 0.6, np.uint64(1) << bit, np.uint64(0))
        flips |= np.uint64(1) << rng.integers(0, 64, size=len(picked)).astype(np.uint64)
        hashes[copies] = (hashes[picked].view(np.uint64) ^ flips).view(np.int64)
    return hashes

"""Small statistics for evaluating the tone model: ranks with ties, Spearman, AUC."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    n = len(x)
    if n < 2:
        return 0.0
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / (sxx * syy) ** 0.5 if sxx and syy else 0.0


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman rank correlation (Pearson on tie-averaged ranks)."""
    return pearson(ranks(x), ranks(y))


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Probability a random positive scores above a random negative (ties count half)."""
    if not positives or not negatives:
        return 0.0
    wins = 0.0
    for p in positives:
        for q in negatives:
            wins += 1.0 if p > q else 0.5 if p == q else 0.0
    return wins / (len(positives) * len(negatives))


def partial_spearman(x: Sequence[float], y: Sequence[float], z: Sequence[float]) -> float:
    """Spearman correlation of x and y with z held fixed (partial correlation of the ranks)."""
    rxy, rxz, ryz = spearman(x, y), spearman(x, z), spearman(y, z)
    den = ((1 - rxz**2) * (1 - ryz**2)) ** 0.5
    return (rxy - rxz * ryz) / den if den else 0.0


def bootstrap_interval(
    x: Sequence[float],
    y: Sequence[float],
    stat: Callable[[list[float], list[float]], float] | None = None,
    rounds: int = 1000,
    seed: int = 7,
) -> tuple[float, float]:
    """A 95% percentile bootstrap interval of ``stat(x, y)`` (Spearman by default), resampling pairs."""
    import random

    stat = stat or spearman
    rng = random.Random(seed)
    n = len(x)
    if n < 3:
        return (0.0, 0.0)
    values = []
    for _ in range(rounds):
        idx = [rng.randrange(n) for _ in range(n)]
        values.append(stat([x[i] for i in idx], [y[i] for i in idx]))
    values.sort()
    return (values[int(0.025 * rounds)], values[int(0.975 * rounds) - 1])

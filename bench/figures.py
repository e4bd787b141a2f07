"""Percentiles and a printed table, shared by the benchmarks. Pure."""

from __future__ import annotations

import resource
import statistics


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def summary_ms(samples: list[float]) -> str:
    """p50 / p99 / max of samples in seconds, as milliseconds."""
    return (
        f"p50 {percentile(samples, 50) * 1000:8.2f} ms   p99 {percentile(samples, 99) * 1000:8.2f} ms"
        f"   max {max(samples) * 1000:8.2f} ms   mean {statistics.fmean(samples) * 1000:7.2f} ms   n={len(samples)}"
    )


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

//! Small statistics over timing samples: percentiles and medians.
//!
//! Percentiles use the nearest-rank method on a sorted copy, so a reported
//! p99 is always one of the measured values. To add a statistic, take a
//! slice of samples and leave the caller's order alone.

/// The `p`-th percentile (0..=100) of `samples` by nearest rank; 0 for no samples.
pub fn percentile(samples: &[f64], p: f64) -> f64 {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|s| s.is_finite()).collect();
    if sorted.is_empty() {
        return 0.0;
    }
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let rank = (p.clamp(0.0, 100.0) / 100.0 * count_f64(n)).ceil();
    let index = if rank < 1.0 {
        0
    } else {
        // rank is within 1..=n here.
        usize::try_from(rank as u64).unwrap_or(n).min(n) - 1
    };
    sorted.get(index).copied().unwrap_or(0.0)
}

/// The median of `samples` (the 50th percentile by nearest rank).
pub fn median(samples: &[f64]) -> f64 {
    percentile(samples, 50.0)
}

/// `n` as a float (exact below 2^53).
pub fn count_f64(n: usize) -> f64 {
    u32::try_from(n).map(f64::from).unwrap_or(f64::MAX)
}

/// A duration in microseconds, as a float.
pub fn micros(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// A duration in milliseconds, as a float.
pub fn millis(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&samples, 50.0), 50.0);
        assert_eq!(percentile(&samples, 99.0), 99.0);
        assert_eq!(percentile(&samples, 100.0), 100.0);
        assert_eq!(percentile(&samples, 0.0), 1.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[]), 0.0);
    }
}

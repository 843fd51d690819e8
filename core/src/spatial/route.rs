//! The order to walk a set of places in, from where the worker stands: an
//! open path (the worker does not come back), shortest by the great-circle
//! distance between the places.
//!
//! Up to [`EXACT_UP_TO`] places the order is exact (Held-Karp dynamic
//! programming over subsets: 12 places cost about 600,000 steps). Past
//! that, exact search is out of reach, and the order is the best of
//! several local searches: from each place as the first stop, nearest
//! neighbour, then 2-opt (reversing a stretch) and Or-opt (moving a run of
//! one to three stops elsewhere, possibly reversed) until neither shortens
//! it. The tests compare the local search alone with brute force on every
//! size up to 9 (within 5 % of the optimum) and the exact search with brute
//! force.
//!
//! Distances are computed once into a matrix, so the searches cost no
//! trigonometry. To change the objective (walking time, stairs), change
//! the matrix; the searches only read it.

use super::distance_m;
use crate::values::GeoPoint;

/// The most places ordered exactly.
pub const EXACT_UP_TO: usize = 12;

/// How much shorter a change must make the walk to count: a millimetre,
/// so rounding noise cannot make the loops cycle.
const EPSILON_M: f64 = 1e-3;

/// The order to visit `stops` in from `start`, as indices into `stops`, and
/// the length of that walk in metres. Without a start, the walk may begin
/// at whichever stop makes it shortest.
pub fn walking_order(start: Option<GeoPoint>, stops: &[GeoPoint]) -> (Vec<usize>, f64) {
    let d = matrix(start, stops);
    let path = if stops.len() <= EXACT_UP_TO {
        exact(&d)
    } else {
        local_search(&d)
    };
    let length = path_length(&path, &d);
    (path.iter().map(|node| node - 1).collect(), length)
}

/// Distances between the start (node 0) and the stops (stop i is node i
/// + 1). A missing start is a node at no distance from every stop.
fn matrix(start: Option<GeoPoint>, stops: &[GeoPoint]) -> Vec<Vec<f64>> {
    let node = |i: usize| {
        if i == 0 {
            start
        } else {
            stops.get(i - 1).copied()
        }
    };
    let n = stops.len() + 1;
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| match (node(i), node(j)) {
                    (Some(a), Some(b)) => distance_m(a, b),
                    _ => 0.0,
                })
                .collect()
        })
        .collect()
}

/// The length of the walk from the start (node 0) through `path`.
fn path_length(path: &[usize], d: &[Vec<f64>]) -> f64 {
    let mut previous = 0;
    let mut total = 0.0;
    for &node in path {
        total += d[previous][node];
        previous = node;
    }
    total
}

/// The shortest open walk from node 0 through every other node: the best
/// cost of reaching each subset of stops ending at each stop, built up
/// subset by subset.
fn exact(d: &[Vec<f64>]) -> Vec<usize> {
    let n = d.len() - 1;
    if n == 0 {
        return Vec::new();
    }
    let full = 1usize << n;
    let mut cost = vec![f64::INFINITY; full * n];
    let mut from = vec![usize::MAX; full * n];
    for last in 0..n {
        cost[(1 << last) * n + last] = d[0][last + 1];
    }
    for set in 1..full {
        for last in 0..n {
            let here = cost[set * n + last];
            if set & (1 << last) == 0 || !here.is_finite() {
                continue;
            }
            for next in 0..n {
                if set & (1 << next) != 0 {
                    continue;
                }
                let wider = set | (1 << next);
                let through = here + d[last + 1][next + 1];
                if through < cost[wider * n + next] {
                    cost[wider * n + next] = through;
                    from[wider * n + next] = last;
                }
            }
        }
    }
    let all = full - 1;
    let mut last = (0..n)
        .min_by(|a, b| cost[all * n + a].total_cmp(&cost[all * n + b]))
        .unwrap_or(0);
    let mut set = all;
    let mut path = Vec::with_capacity(n);
    while last != usize::MAX && set != 0 {
        path.push(last + 1);
        let previous = from[set * n + last];
        set &= !(1 << last);
        last = previous;
    }
    path.reverse();
    path
}

/// The best of the local searches started from each stop.
pub(crate) fn local_search(d: &[Vec<f64>]) -> Vec<usize> {
    let n = d.len() - 1;
    let mut best: Option<(f64, Vec<usize>)> = None;
    for first in 1..=n {
        let mut path = nearest_neighbour(d, first);
        improve(&mut path, d);
        let length = path_length(&path, d);
        if best
            .as_ref()
            .is_none_or(|(shortest, _)| length + EPSILON_M < *shortest)
        {
            best = Some((length, path));
        }
    }
    best.map(|(_, path)| path).unwrap_or_default()
}

/// `first`, then every other stop nearest-first.
fn nearest_neighbour(d: &[Vec<f64>], first: usize) -> Vec<usize> {
    let mut left: Vec<usize> = (1..d.len()).filter(|&node| node != first).collect();
    let mut path = vec![first];
    let mut at = first;
    while !left.is_empty() {
        let (pos, _) = left
            .iter()
            .enumerate()
            .map(|(pos, &node)| (pos, d[at][node]))
            .fold((0, f64::INFINITY), |best, next| {
                if next.1 < best.1 { next } else { best }
            });
        at = left.swap_remove(pos);
        path.push(at);
    }
    path
}

/// Applies improving 2-opt and Or-opt moves until none is left.
fn improve(path: &mut Vec<usize>, d: &[Vec<f64>]) {
    while two_opt(path, d) | or_opt(path, d) {}
}

/// Reverses `path[i..=j]` wherever that shortens the walk. The path is open
/// at its end, so reversing a tail costs only its first edge.
fn two_opt(path: &mut [usize], d: &[Vec<f64>]) -> bool {
    let n = path.len();
    let mut improved = false;
    for i in 0..n {
        let before = if i == 0 { 0 } else { path[i - 1] };
        for j in i + 1..n {
            let (first, last) = (path[i], path[j]);
            let after = path.get(j + 1).copied();
            let old = d[before][first] + after.map_or(0.0, |a| d[last][a]);
            let new = d[before][last] + after.map_or(0.0, |a| d[first][a]);
            if new + EPSILON_M < old {
                path[i..=j].reverse();
                improved = true;
            }
        }
    }
    improved
}

/// Moves a run of 1 to 3 stops (possibly reversed) to another place in the
/// path wherever that shortens the walk, one move at a time.
fn or_opt(path: &mut Vec<usize>, d: &[Vec<f64>]) -> bool {
    let mut improved = false;
    for run in 1..=3 {
        let mut i = 0;
        while i + run <= path.len() {
            if let Some((at, reversed)) = best_move(path, d, i, run) {
                let segment: Vec<usize> = path.drain(i..i + run).collect();
                if reversed {
                    path.splice(at..at, segment.into_iter().rev());
                } else {
                    path.splice(at..at, segment);
                }
                improved = true;
            }
            i += 1;
        }
    }
    improved
}

/// Where in the path without `path[i..i + run]` to put that run (its index
/// in the shortened path, and whether reversed) to shorten the walk most.
fn best_move(path: &[usize], d: &[Vec<f64>], i: usize, run: usize) -> Option<(usize, bool)> {
    let (first, last) = (path[i], path[i + run - 1]);
    let before = if i == 0 { 0 } else { path[i - 1] };
    let after = path.get(i + run).copied();
    let removed =
        d[before][first] + after.map_or(0.0, |a| d[last][a]) - after.map_or(0.0, |a| d[before][a]);
    // The shortened path's node at index k.
    let rest = |k: usize| if k < i { path[k] } else { path[k + run] };
    let rest_len = path.len() - run;
    let mut best: Option<(f64, usize, bool)> = None;
    for at in 0..=rest_len {
        let u = if at == 0 { 0 } else { rest(at - 1) };
        let v = (at < rest_len).then(|| rest(at));
        for reversed in [false, true] {
            if at == i && !reversed {
                continue;
            }
            let (a, b) = if reversed {
                (last, first)
            } else {
                (first, last)
            };
            let added = d[u][a] + v.map_or(0.0, |v| d[b][v]) - v.map_or(0.0, |v| d[u][v]);
            let change = added - removed;
            if change < -EPSILON_M && best.is_none_or(|(shortest, _, _)| change < shortest) {
                best = Some((change, at, reversed));
            }
        }
    }
    best.map(|(_, at, reversed)| (at, reversed))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic generator (xorshift), so the instances are the same every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }

        /// A point in a 600 m square of Hangzhou, where a grid's buildings are.
        fn point(&mut self) -> GeoPoint {
            GeoPoint {
                lon: 120.150 + self.next() * 0.006,
                lat: 30.280 + self.next() * 0.0054,
            }
        }
    }

    /// The shortest open walk by trying every order.
    fn brute_force(start: GeoPoint, stops: &[GeoPoint]) -> f64 {
        fn permute(order: &mut Vec<usize>, k: usize, d: &[Vec<f64>], best: &mut f64) {
            if k == order.len() {
                *best = best.min(path_length(order, d));
                return;
            }
            for i in k..order.len() {
                order.swap(k, i);
                permute(order, k + 1, d, best);
                order.swap(k, i);
            }
        }
        let nodes: Vec<GeoPoint> = std::iter::once(start)
            .chain(stops.iter().copied())
            .collect();
        let d: Vec<Vec<f64>> = nodes
            .iter()
            .map(|a| nodes.iter().map(|b| distance_m(*a, *b)).collect())
            .collect();
        let mut order: Vec<usize> = (1..nodes.len()).collect();
        let mut best = f64::INFINITY;
        permute(&mut order, 0, &d, &mut best);
        best
    }

    #[test]
    fn the_local_search_is_within_five_percent_of_brute_force_on_every_size_up_to_nine() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut worst: f64 = 1.0;
        for size in 1..=9 {
            let instances = if size <= 7 { 200 } else { 25 };
            for _ in 0..instances {
                let start = rng.point();
                let stops: Vec<GeoPoint> = (0..size).map(|_| rng.point()).collect();
                let d = matrix(Some(start), &stops);
                let path = local_search(&d);
                let length = path_length(&path, &d);
                let order: Vec<usize> = path.iter().map(|node| node - 1).collect();
                let mut sorted = order.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, (0..size).collect::<Vec<_>>(), "every stop once");
                let optimum = brute_force(start, &stops);
                if optimum > 0.0 {
                    worst = worst.max(length / optimum);
                }
                assert!(
                    length <= optimum * 1.05 + 1e-6,
                    "size {size}: {length} m against the optimum {optimum} m, order {order:?}, start {start:?}, stops {stops:?}"
                );
            }
        }
        // The heuristic is not exact by construction; say how close it came.
        assert!(worst < 1.05, "worst ratio {worst}");
    }

    #[test]
    fn the_exact_order_is_brute_forces_and_the_api_uses_it_up_to_twelve() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        for size in 0..=8 {
            for _ in 0..40 {
                let start = rng.point();
                let stops: Vec<GeoPoint> = (0..size).map(|_| rng.point()).collect();
                let (order, length) = walking_order(Some(start), &stops);
                let mut sorted = order.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, (0..size).collect::<Vec<_>>(), "every stop once");
                let optimum = brute_force(start, &stops);
                assert!((length - optimum).abs() < 1e-6, "{length} {optimum}");
            }
        }
        // Past the exact range the local search answers, every stop once.
        let start = rng.point();
        let stops: Vec<GeoPoint> = (0..40).map(|_| rng.point()).collect();
        let (order, length) = walking_order(Some(start), &stops);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..40).collect::<Vec<_>>());
        let d = matrix(Some(start), &stops);
        let nodes: Vec<usize> = order.iter().map(|i| i + 1).collect();
        assert!((path_length(&nodes, &d) - length).abs() < 1e-6);
        assert!(length <= path_length(&nearest_neighbour(&d, nodes[0]), &d) + 1e-6);
    }

    #[test]
    fn points_on_a_line_are_walked_in_order_from_the_near_end() {
        let at = |k: f64| GeoPoint {
            lon: 120.15 + k * 0.001,
            lat: 30.28,
        };
        let stops = [at(3.0), at(1.0), at(4.0), at(2.0)];
        let (order, length) = walking_order(Some(at(0.0)), &stops);
        assert_eq!(order, vec![1, 3, 0, 2]);
        let expected = distance_m(at(0.0), at(4.0));
        assert!((length - expected).abs() < 1e-6, "{length} {expected}");
        assert_eq!(walking_order(Some(at(0.0)), &[]), (vec![], 0.0));
        // Without a start the walk begins at an end of the line.
        let (order, length) = walking_order(None, &stops);
        assert!(
            order == vec![1, 3, 0, 2] || order == vec![2, 0, 3, 1],
            "{order:?}"
        );
        let expected = distance_m(at(1.0), at(4.0));
        assert!((length - expected).abs() < 1e-6, "{length} {expected}");
    }
}

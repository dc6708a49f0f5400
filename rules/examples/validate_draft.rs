//! Native half of `scripts/bench-validation`: the shared rules on the largest draft they
//! allow (10 specifications × 16 vCPU tiers), timed on this machine.

use rules::release::sample::time_largest_draft;
use std::time::Instant;

fn main() {
    let start = Instant::now();
    let now = || start.elapsed().as_secs_f64() * 1_000.0;
    time_largest_draft(200, now); // warm-up
    let mut runs: Vec<f64> = (0..25).map(|_| time_largest_draft(200, now)).collect();
    runs.sort_by(f64::total_cmp);
    println!(
        "native  check_draft, 10 specs x 16 tiers: median {:.4} ms, min {:.4} ms, max {:.4} ms (25 runs of 200)",
        runs[runs.len() / 2],
        runs[0],
        runs[runs.len() - 1]
    );
}

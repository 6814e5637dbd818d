//! Evaluation speed on a large synthetic account: 10,000 IAM users, 2,000 buckets, 17 regions.
//! Target: every check in under 100 ms. Run with `cargo bench --bench evaluate`.

use std::time::{Duration, Instant};

// glibc's allocator spends most of an evaluation freeing many small strings; mimalloc does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use warden::checks::{evaluate, Selection};
use warden::testkit::{demo_collected_at, synthetic_evidence};

fn main() {
    let evidence = synthetic_evidence(10_000, 2_000, 17);
    let now = demo_collected_at();
    let selection = Selection::default();
    // Warm up (the catalogue is parsed once).
    let findings = evaluate(&evidence, &selection, now).len();
    let mut times: Vec<Duration> = (0..15)
        .map(|_| {
            let start = Instant::now();
            let result = evaluate(&evidence, &selection, now);
            let took = start.elapsed();
            // Freeing the findings is not part of evaluating them: drop after the clock stops.
            assert_eq!(result.len(), findings);
            drop(result);
            took
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "evaluate: 10,000 users, 2,000 buckets, 17 regions -> {findings} findings; median {:.1} ms, min {:.1} ms, max {:.1} ms over {} runs (target < 100 ms)",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    );
    // The five slowest checks, each on its own.
    let mut per_check: Vec<(f64, String)> = warden::checks::Catalog::builtin()
        .checks
        .keys()
        .map(|id| {
            let one = Selection {
                checks: vec![id.clone()],
                ..Selection::default()
            };
            let start = Instant::now();
            let result = evaluate(&evidence, &one, now);
            let took = ms(start.elapsed());
            drop(result);
            (took, id.clone())
        })
        .collect();
    per_check.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (t, id) in per_check.iter().take(5) {
        println!("  {t:>7.1} ms  {id}");
    }
    let json = serde_json::to_vec(&evidence).unwrap();
    let start = Instant::now();
    let parsed =
        warden::evidence::Evidence::parse(std::str::from_utf8(&json).unwrap(), "bench").unwrap();
    println!(
        "evidence: {:.1} MB JSON, parsed in {:.1} ms",
        json.len() as f64 / 1e6,
        ms(start.elapsed())
    );
    assert_eq!(parsed.accounts.len(), 1);
}

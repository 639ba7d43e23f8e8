//! JavaScript numbers: what a JSON number is once `JSON.parse` has read it.

use serde_json::Number;

/// Stand-in for `±Infinity`, which serde_json cannot hold: [`super::json::parse`] maps
/// numbers beyond `f64` to it, and [`is_integer`] counts it as infinite.
pub const INFINITY_SENTINEL: f64 = f64::MAX;

/// The JavaScript number a JSON number parses to.
pub fn to_number(n: &Number) -> f64 {
    // serde_json keeps integers exactly; JSON.parse rounds them to the nearest double,
    // which `as f64` reproduces (round-half-to-even in both).
    if let Some(i) = n.as_i64() {
        i as f64
    } else if let Some(u) = n.as_u64() {
        u as f64
    } else {
        n.as_f64().unwrap_or(f64::NAN)
    }
}

/// `Number.isInteger`. The parser maps `Infinity` to `±f64::MAX` (serde_json cannot hold
/// infinities), so that value counts as infinite here.
pub fn is_integer(n: &Number) -> bool {
    let f = to_number(n);
    f.is_finite() && f.abs() != INFINITY_SENTINEL && f.fract() == 0.0
}

//! Sizes as people read them, in error messages.

/// `n` bytes for people: `17.3 MiB (18140160 bytes)`.
pub(crate) fn show(n: u64) -> String {
    let (value, unit) = match n {
        n if n >= 1 << 30 => (n as f64 / (1u64 << 30) as f64, "GiB"),
        n if n >= 1 << 20 => (n as f64 / (1u64 << 20) as f64, "MiB"),
        n if n >= 1 << 10 => (n as f64 / (1u64 << 10) as f64, "KiB"),
        n => return format!("{n} bytes"),
    };
    format!("{value:.1} {unit} ({n} bytes)")
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_well() {
        assert_eq!(super::show(3 << 20), "3.0 MiB (3145728 bytes)");
        assert_eq!(super::show(64), "64 bytes");
    }
}

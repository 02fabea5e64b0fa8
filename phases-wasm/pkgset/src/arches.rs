//! Which package arches a compose arch uses: its own, `noarch`, and the
//! 32-bit arches a 64-bit tree may carry as multilib (Pungi's
//! `multilib_arches`). Gather decides which multilib packages actually ship;
//! Pkgset only keeps them available.

/// The multilib (compatible 32-bit) package arches of `tree_arch`.
pub fn multilib_arches(tree_arch: &str) -> &'static [&'static str] {
    match tree_arch {
        "x86_64" => &["athlon", "i686", "i586", "i486", "i386"],
        "ppc64" => &["ppc"],
        "s390x" => &["s390"],
        _ => &[],
    }
}

/// Whether a package built for `package_arch` belongs in the `tree_arch` package set.
pub fn usable_on(package_arch: &str, tree_arch: &str) -> bool {
    package_arch == tree_arch
        || package_arch == "noarch"
        || multilib_arches(tree_arch).contains(&package_arch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x86_64_takes_i686_but_aarch64_takes_nothing_foreign() {
        assert!(usable_on("i686", "x86_64"));
        assert!(usable_on("noarch", "aarch64"));
        assert!(!usable_on("x86_64", "aarch64"));
        assert!(!usable_on("i686", "aarch64"));
    }
}

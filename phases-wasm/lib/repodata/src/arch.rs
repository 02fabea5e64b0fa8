//! Which package arches belong to a compose arch: its own, `noarch`, and the
//! 32-bit arches a 64-bit tree may carry as multilib. Pkgset keeps them all
//! available; Gather's depsolving pairs a requirer only with providers of a
//! compatible arch, as rpm would install them.

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

/// Whether a package of `provider_arch` can satisfy a requirement of a package
/// of `requirer_arch`: noarch goes with anything; a noarch requirer takes the
/// tree's primary arch (never multilib); otherwise the arches must be equal.
pub fn satisfies_arch(requirer_arch: &str, provider_arch: &str, tree_arch: &str) -> bool {
    provider_arch == "noarch"
        || provider_arch == requirer_arch
        || (requirer_arch == "noarch" && provider_arch == tree_arch)
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
        assert!(satisfies_arch("i686", "i686", "x86_64"));
        assert!(satisfies_arch("i686", "noarch", "x86_64"));
        assert!(!satisfies_arch("x86_64", "i686", "x86_64"));
        assert!(!satisfies_arch("noarch", "i686", "x86_64"));
        assert!(satisfies_arch("noarch", "x86_64", "x86_64"));
    }
}

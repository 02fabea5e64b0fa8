//! Per-variant/per-arch option resolution, matching Pungi's util helpers.

use std::path::Path;

use pungi_config::{
    Options, Value, get_arch_data, get_arch_variant_data, get_variant_data, parse_str,
};

fn options() -> Options {
    parse_str(
        "\
additional_packages = [
    ('^Everything$', {'*': ['*']}),
    ('^Server$', {'x86_64': ['kernel-debug'], '*': ['cockpit']}),
    ('Server', {'src': ['fedora-release'], 'aarch64': 'uboot-tools'}),
]
multilib = [('^Server$', {'x86_64': ['devel', 'runtime']})]
ostree = {'^Silverblue$': {'ref': 'fedora/99'}, 'Kinoite': [1, 2]}
greedy = {'x86_64': 'all', '*': ['none']}
bad_shape = {'Server': 1}
bad_regex = [('(?=Server)', {'*': [1]})]
",
        Path::new("options.conf"),
    )
    .unwrap()
}

fn strs(values: &[Value]) -> Vec<&str> {
    values.iter().map(|v| v.as_str().unwrap()).collect()
}

#[test]
fn arch_variant_data_like_pungi() {
    let o = options();
    let get =
        |arch, variant| get_arch_variant_data(&o, "additional_packages", arch, variant).unwrap();
    // Config order; lists spliced, scalars appended; "*" plus the exact arch.
    assert_eq!(
        strs(&get("x86_64", Some("Server"))),
        ["kernel-debug", "cockpit"]
    );
    assert_eq!(
        strs(&get("aarch64", Some("Server"))),
        ["cockpit", "uboot-tools"]
    );
    // re.match is anchored at the start only: "Server" matches Server-optional.
    assert_eq!(
        strs(&get("aarch64", Some("Server-optional"))),
        ["uboot-tools"]
    );
    // "*" does not cover src.
    assert_eq!(strs(&get("src", Some("Server"))), ["fedora-release"]);
    assert_eq!(strs(&get("src", Some("Everything"))), Vec::<&str>::new());
    // No variant: every entry for the arch.
    assert_eq!(strs(&get("x86_64", None)), ["*", "kernel-debug", "cockpit"]);
    assert!(
        get_arch_variant_data(&o, "missing_option", "x86_64", None)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        get_arch_variant_data(&o, "multilib", "x86_64", Some("Server"))
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn variant_and_arch_data() {
    let o = options();
    let silverblue = get_variant_data(&o, "ostree", "Silverblue").unwrap();
    assert_eq!(silverblue[0].to_json()["ref"], "fedora/99");
    assert_eq!(
        get_variant_data(&o, "ostree", "Kinoite-extra").unwrap(),
        [Value::Int(1), Value::Int(2)]
    );
    assert!(get_variant_data(&o, "ostree", "Server").unwrap().is_empty());
    assert_eq!(
        strs(&get_arch_data(&o, "greedy", "x86_64").unwrap()),
        ["all", "none"]
    );
    assert!(get_arch_data(&o, "greedy", "src").unwrap().is_empty());
}

#[test]
fn wrong_shapes_are_errors_naming_the_option() {
    let o = options();
    assert_eq!(
        get_arch_variant_data(&o, "ostree", "x86_64", None)
            .unwrap_err()
            .to_string(),
        "option `ostree`: expected a list of (variant pattern, data) pairs, found dict"
    );
    assert_eq!(
        get_arch_variant_data(&o, "greedy", "x86_64", None)
            .unwrap_err()
            .to_string(),
        "option `greedy`: expected a list of (variant pattern, data) pairs, found dict"
    );
    assert_eq!(
        get_arch_data(&o, "additional_packages", "x86_64")
            .unwrap_err()
            .to_string(),
        "option `additional_packages`: expected a dict of arches, found list"
    );
    let regex = get_arch_variant_data(&o, "bad_regex", "x86_64", Some("Server")).unwrap_err();
    assert!(
        regex
            .to_string()
            .starts_with("option `bad_regex`: bad variant pattern \"(?=Server)\""),
        "{regex}"
    );
    assert!(
        get_variant_data(&o, "bad_shape", "Server").is_ok(),
        "scalar values are appended"
    );
}

//! Variants XML: the realistic file, and broken files reported at the right lines.

use std::path::Path;

use pungi_config::{VariantKind, load_variants, parse_variants};

#[test]
fn realistic_variants_tree() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/variants.xml");
    let variants = load_variants(&path).unwrap();
    let uids: Vec<&str> = variants.iter().map(|v| v.uid.as_str()).collect();
    assert_eq!(
        uids,
        [
            "Everything",
            "Server",
            "Server-HighAvailability",
            "Server-optional",
            "Server-Cloud",
            "Workstation",
            "Workstation-optional",
            "Workstation-Cloud"
        ]
    );
    let server = variants.get("Server").unwrap();
    assert_eq!(server.arches, ["aarch64", "s390x", "x86_64"]);
    let groups: Vec<&str> = server.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(groups, ["conflicts-*", "core", "server-product"]);
    assert!(server.groups[0].glob);
    assert_eq!(
        (server.groups[2].default, server.groups[2].uservisible),
        (Some(false), Some(true))
    );
    assert_eq!(server.environments[0].display_order, Some(2));
    assert_eq!(server.buildinstallpackages, ["anaconda-install-env-deps"]);
    assert_eq!(server.buildopts.multilib_arches, ["x86_64"]);
    assert!(server.modules.is_none());

    let ha = variants.get("Server-HighAvailability").unwrap();
    assert_eq!(
        (ha.kind, ha.parent.as_deref()),
        (VariantKind::Addon, Some("Server"))
    );
    assert_eq!(ha.arches, ["x86_64"], "arches shared with the parent only");
    let optional = variants.get("Server-optional").unwrap();
    assert_eq!(
        (optional.kind, &optional.arches),
        (VariantKind::Optional, &server.arches)
    );
    let cloud = variants.get("Workstation-Cloud").unwrap();
    assert_eq!(cloud.release.as_ref().unwrap().short, "CE");
    assert_eq!(cloud.arches, ["aarch64", "x86_64"]);

    let workstation = variants.get("Workstation").unwrap();
    assert_eq!(
        workstation.modules.as_ref().unwrap()[0].name,
        "flatpak-runtime:f99"
    );
    assert_eq!(
        workstation.modular_koji_tags.as_deref(),
        Some(&["f99-modular".to_owned()][..])
    );
    assert_eq!(
        variants.get("Workstation-optional").unwrap().name,
        "Workstation optional"
    );

    let json = serde_json::to_value(&variants).unwrap();
    assert_eq!(
        json["variants"][1]["children"][2]["kind"],
        "layered-product"
    );
}

fn errors(text: &str) -> Vec<String> {
    parse_variants(text, Path::new("variants.xml"))
        .unwrap_err()
        .0
        .iter()
        .map(ToString::to_string)
        .collect()
}

const ARCHES: &str = "<arches><arch>x86_64</arch></arches>";

#[test]
fn broken_variants_report_every_error_at_its_line() {
    let text = format!(
        r#"<variants>
  <variant id="A" name="A" type="variant" colour="red">{ARCHES}</variant>
  <variant name="NoId" type="variant">{ARCHES}</variant>
  <variant id="A" name="Again" type="variant">{ARCHES}</variant>
  <variant id="B" name="B" type="product">{ARCHES}</variant>
  <variant id="C" name="C" type="variant"><arches></arches></variant>
  <variant id="D" name="D" type="variant">
    {ARCHES}
    <variants>
      <variant id="opt" name="opt" type="optional">
        {ARCHES}
        <variants>
          <variant id="deeper" name="x" type="optional">{ARCHES}</variant>
        </variants>
      </variant>
      <variant id="D" name="same id" type="addon">{ARCHES}</variant>
      <variant id="ppc" name="ppc" type="addon"><arches><arch>ppc64le</arch></arches></variant>
      <ref id="Nowhere"/>
    </variants>
    <flavour/>
  </variant>
  <variant id="E" name="E" type="variant"><arches><arch> x86_64</arch></arches><groups><group default="maybe">core</group></groups></variant>
  <variant id="F" name="F" type="variant"/>
  <variant id="Opt" name="top optional" type="optional">{ARCHES}</variant>
  <variant id="LP" name="LP" type="layered-product">{ARCHES}</variant>
</variants>"#
    );
    assert_eq!(
        errors(&text),
        [
            "variants.xml:2:3: unknown attribute `colour` on <variant>",
            "variants.xml:3:3: <variant> is missing the `id` attribute",
            "variants.xml:4:3: duplicate variant uid `A`",
            "variants.xml:5:3: variant `B` has type \"product\"; expected variant, addon, optional or layered-product",
            "variants.xml:6:43: <arches> lists no <arch>",
            "variants.xml:13:11: only variants of type `variant` can contain other variants; `D-opt` is optional and cannot contain optional `deeper`",
            "variants.xml:16:7: child variant `D-D` must not reuse its parent's id `D`",
            "variants.xml:17:7: arches [ppc64le] of `D-ppc` do not intersect its parent's arches [x86_64]",
            "variants.xml:18:7: `D` refers to `Nowhere`, which is not a top-level addon or layered product",
            "variants.xml:20:5: unknown element <flavour> inside <variant>",
            "variants.xml:22:51: <arch> has leading or trailing whitespace: \" x86_64\"",
            "variants.xml:22:88: attribute `default` must be `true` or `false`, found \"maybe\"",
            "variants.xml:23:3: <variant> has no <arches>",
            "variants.xml:24:3: an optional variant must be nested in a variant",
            "variants.xml:25:3: <variant> has no <release>",
        ]
    );
}

#[test]
fn malformed_and_wrong_root() {
    assert_eq!(
        errors("<variants>\n  <variant>\n</variants>"),
        [
            "variants.xml:3:1: malformed XML: ill-formed document: expected `</variant>`, but `</variants>` was found"
        ]
    );
    assert_eq!(
        errors("<comps/>"),
        ["variants.xml:1:1: expected <variants> as the root element, found <comps>"]
    );
    let missing = load_variants(Path::new("/nonexistent/variants.xml"))
        .unwrap_err()
        .to_string();
    assert!(missing.starts_with("/nonexistent/variants.xml:1:1: cannot read variants file:"));
}

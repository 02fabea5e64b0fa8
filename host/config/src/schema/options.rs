//! Every option Pungi documents, as data: types, enums and defaults follow Pungi's own
//! schema (`pungi/checks.py`, `make_schema` and `CONFIG_DEPS`); the summaries are ours.
//!
//! `support` is kept honest: `yes` only for what the phases this build runs (init,
//! pkgset from repos, gather, createrepo, image_checksum, test) actually read.

use super::model::shapes::{
    OPT_STR, PACKAGE_MAPPING, REPOS, RUNROOT_TYPE, SCM_DICT, SIZE, STR_OR_SCM, STR_OR_STRINGS,
    STRING_PAIRS, STRINGS,
};
use super::model::{OptionSpec as O, Record, Type};

/// What of Pungi's SCM dicts the host fetches before phases run (`host/src/scm`).
const FETCHED_FROM_SCM: &str = "SCM dicts of `file`, local `git` and one `rpm`; no `cvs` or `koji`";
/// The modulemd directories are fetched, but nothing uses them yet.
const MODULEMD_FETCHED_ONLY: &str =
    "SCM dicts are fetched into `work/global/`; no phase reads the modulemd yet";

/// Release types productmd knows.
const RELEASE_TYPES: &[&str] = &[
    "fast",
    "ga",
    "updates",
    "updates-testing",
    "eus",
    "aus",
    "els",
    "tus",
    "e4s",
];

/// Phases Pungi has had (`productimg` and `live_images` stay valid in `skip_phases`).
pub const PHASE_NAMES: &[&str] = &[
    "init",
    "weaver",
    "pkgset",
    "buildinstall",
    "gather",
    "extra_files",
    "createrepo",
    "ostree",
    "ostree_container",
    "productimg",
    "createiso",
    "extra_isos",
    "live_images",
    "live_media",
    "image_build",
    "image_container",
    "kiwibuild",
    "osbuild",
    "osbs",
    "ostree_installer",
    "repoclosure",
    "image_checksum",
    "test",
];

const ARCH_BOOL: Type = Type::VariantArch(&Type::Bool);
const MULTILIB_LIST: Type = Type::Map(&STRINGS);

const GATHER_METHOD: Type = Type::OneOf(&[
    Type::Enum(&["deps", "nodeps", "hybrid"]),
    Type::Variant(&Type::OneOf(&[
        Type::Enum(&["deps", "nodeps", "hybrid"]),
        Type::Record(&Record {
            fields: &[
                ("module", Type::Enum(&["deps", "nodeps"])),
                ("comps", Type::Enum(&["deps", "nodeps"])),
                ("json", Type::Enum(&["deps", "nodeps"])),
            ],
            required: &[],
            open: false,
        }),
    ])),
]);

/// What a custom phase asks to be granted, in the policy file's own keys; the host checks
/// it against the phase's `[phase.<name>]` section of the `--policy` file.
const CUSTOM_GRANT: Record = Record {
    fields: &[
        ("dirs", Type::Map(&Type::Enum(&["ro", "rw"]))),
        ("mounts", Type::List(&Type::Map(&Type::Str))),
        ("commands", STRINGS),
        ("command", Type::List(&Type::Map(&Type::Any))),
        ("command-env", STRINGS),
        ("metadata-read", STRINGS),
        ("metadata-write", STRINGS),
        ("hardlink-read-only", Type::Bool),
        ("koji-methods", STRINGS),
        ("memory-mib", Type::Int),
        ("time-seconds", Type::Int),
        ("output-kib", Type::Int),
    ],
    required: &[],
    open: false,
};

/// A third-party phase component and where it runs in the phase graph.
const CUSTOM_PHASE: Type = Type::Record(&Record {
    fields: &[
        ("name", Type::Str),
        ("component", Type::Str),
        ("sha256", Type::Str),
        ("after", Type::Str),
        ("before", Type::Str),
        ("parallel_with", Type::Str),
        ("failable", Type::Bool),
        ("config", Type::Map(&Type::Any)),
        ("grant", Type::Record(&CUSTOM_GRANT)),
    ],
    required: &["name", "component", "sha256"],
    open: false,
});

const EXTRA_FILE: Type = Type::Record(&Record {
    fields: &[
        ("scm", Type::Str),
        // `None` for `scm = "file"`, as configs write it.
        ("repo", OPT_STR),
        ("branch", OPT_STR),
        ("file", STR_OR_STRINGS),
        ("dir", STR_OR_STRINGS),
        ("target", Type::Str),
    ],
    required: &[],
    open: false,
});

const LORAX_OPTIONS: Type = Type::Record(&Record {
    fields: &[
        ("bugurl", Type::Str),
        ("nomacboot", Type::Bool),
        ("noupgrade", Type::Bool),
        ("add_template", STRINGS),
        ("add_arch_template", STRINGS),
        ("add_template_var", STRINGS),
        ("add_arch_template_var", STRINGS),
        ("rootfs_size", Type::Int),
        ("version", Type::Str),
        ("dracut_args", STRINGS),
        ("skip_branding", Type::Bool),
        ("squashfs_only", Type::Bool),
        ("configuration_file", STR_OR_SCM),
    ],
    required: &[],
    open: false,
});

const LIVE_MEDIA: Type = Type::Variant(&Type::List(&Type::Record(&Record {
    fields: &[
        ("install_tree_from", Type::Str),
        ("kickstart", Type::Str),
        ("ksversion", Type::Str),
        ("ksurl", Type::Str),
        ("version", Type::Str),
        ("scratch", Type::Bool),
        ("skip_tag", Type::Bool),
        ("name", Type::Str),
        ("subvariant", Type::Str),
        ("repo", REPOS),
        ("target", Type::Str),
        ("arches", STRINGS),
        ("failable", STRINGS),
        ("release", OPT_STR),
        ("nomacboot", Type::Bool),
    ],
    required: &["name", "kickstart"],
    open: false,
})));

/// One `live_images` task: `koji spin-livecd` (type "live") or `spin-appliance`.
const LIVE_IMAGE: Type = Type::Record(&Record {
    fields: &[
        ("kickstart", Type::Str),
        ("ksurl", Type::Str),
        ("name", Type::Str),
        ("subvariant", Type::Str),
        ("version", Type::Str),
        ("target", Type::Str),
        ("specfile", Type::Str),
        ("scratch", Type::Bool),
        ("type", Type::Enum(&["live", "appliance"])),
        ("sign", Type::Bool),
        ("failable", Type::Bool),
        ("release", OPT_STR),
        ("repo", REPOS),
    ],
    required: &["kickstart"],
    open: false,
});

const IMAGE_BUILD: Type = Type::Variant(&Type::List(&Type::Record(&Record {
    fields: &[
        (
            "image-build",
            Type::Record(&Record {
                fields: &[
                    ("failable", STRINGS),
                    ("disc_size", Type::Number),
                    ("distro", Type::Str),
                    ("name", Type::Str),
                    ("kickstart", Type::Str),
                    ("ksurl", Type::Str),
                    ("arches", STRINGS),
                    ("repo", REPOS),
                    ("install_tree_from", Type::Str),
                    ("subvariant", Type::Str),
                    (
                        "format",
                        Type::OneOf(&[
                            STR_OR_STRINGS,
                            Type::Deprecated(
                                &STRING_PAIRS,
                                "list image formats without their extensions",
                            ),
                        ]),
                    ),
                    ("target", Type::Str),
                    ("version", Type::Str),
                    ("release", OPT_STR),
                ],
                required: &[],
                open: true,
            }),
        ),
        ("factory-parameters", Type::Map(&Type::Any)),
    ],
    required: &["image-build"],
    open: false,
})));

const OSTREE_ITEM: Type = Type::Record(&Record {
    fields: &[
        ("treefile", Type::Str),
        ("config_url", Type::Str),
        ("repo", REPOS),
        ("keep_original_sources", Type::Bool),
        ("ostree_repo", Type::Str),
        ("arches", STRINGS),
        ("failable", STRINGS),
        ("update_summary", Type::Bool),
        ("force_new_commit", Type::Bool),
        ("unified_core", Type::Bool),
        ("version", Type::Str),
        ("config_branch", Type::Str),
        ("tag_ref", Type::Bool),
        ("ostree_ref", Type::Str),
        ("runroot_packages", STRINGS),
    ],
    required: &["treefile", "config_url", "ostree_repo"],
    open: false,
});

const OSTREE: Type = Type::OneOf(&[
    Type::Variant(&Type::OneOf(&[OSTREE_ITEM, Type::List(&OSTREE_ITEM)])),
    Type::Deprecated(
        &Type::VariantArch(&OSTREE_ITEM),
        "use the {variant regex: {...} or [{...}]} form with an `arches` key",
    ),
]);

const OSTREE_INSTALLER: Type = Type::VariantArch(&Type::Record(&Record {
    fields: &[
        ("repo", REPOS),
        ("release", OPT_STR),
        ("failable", STRINGS),
        ("installpkgs", STRINGS),
        ("add_template", STRINGS),
        ("add_arch_template", STRINGS),
        ("add_template_var", STRINGS),
        ("add_arch_template_var", STRINGS),
        ("rootfs_size", Type::Str),
        ("template_repo", Type::Str),
        ("template_branch", Type::Str),
        ("extra_runroot_pkgs", STRINGS),
        ("skip_branding", Type::Bool),
    ],
    required: &[],
    open: false,
}));

const OSBS_CONFIG: Type = Type::Record(&Record {
    fields: &[
        ("url", Type::Str),
        ("target", Type::Str),
        ("scratch", Type::Bool),
        ("priority", Type::Number),
        ("repo", REPOS),
        ("gpgkey", Type::Str),
        ("git_branch", Type::Str),
    ],
    required: &["url", "target", "git_branch"],
    open: true,
});

const EXTRA_ISOS: Type = Type::Variant(&Type::List(&Type::Record(&Record {
    fields: &[
        ("include_variants", STR_OR_STRINGS),
        (
            "extra_files",
            Type::OneOf(&[EXTRA_FILE, Type::List(&EXTRA_FILE)]),
        ),
        ("filename", Type::Str),
        ("volid", STR_OR_STRINGS),
        ("arches", STRINGS),
        ("failable_arches", STRINGS),
        ("skip_src", Type::Bool),
        ("inherit_extra_files", Type::Bool),
        ("max_size", Type::Number),
    ],
    required: &["include_variants"],
    open: false,
})));

const KIWIBUILD: Type = Type::Variant(&Type::List(&Type::Record(&Record {
    fields: &[
        ("target", Type::Str),
        ("description_scm", Type::Str),
        ("description_path", Type::Str),
        ("kiwi_profile", Type::Str),
        ("release", Type::Str),
        ("arches", STRINGS),
        ("repos", STRINGS),
        ("failable", STRINGS),
        ("subvariant", Type::Str),
    ],
    required: &["kiwi_profile"],
    open: false,
})));

const OSBUILD: Type = Type::Variant(&Type::List(&Type::Record(&Record {
    fields: &[
        ("name", Type::Str),
        ("version", Type::Str),
        ("distro", Type::Str),
        ("target", Type::Str),
        ("image_types", STR_OR_STRINGS),
        ("arches", STRINGS),
        ("release", Type::Str),
        ("repo", Type::List(&Type::Any)),
        ("failable", STRINGS),
        ("subvariant", Type::Str),
        ("ostree_url", Type::Str),
        ("ostree_ref", Type::Str),
        ("ostree_parent", Type::Str),
        ("manifest_type", Type::Str),
        ("customizations", Type::Map(&Type::Any)),
        ("upload_options", Type::Map(&Type::Any)),
    ],
    required: &["name", "distro", "image_types"],
    open: false,
})));

const IMAGE_CONTAINER: Type = Type::Variant(&Type::OneOf(&[
    IMAGE_CONTAINER_ITEM,
    Type::List(&IMAGE_CONTAINER_ITEM),
]));
const IMAGE_CONTAINER_ITEM: Type = Type::Record(&Record {
    fields: &[
        ("url", Type::Str),
        ("target", Type::Str),
        ("priority", Type::Number),
        ("failable", Type::Bool),
        ("git_branch", Type::Str),
        ("image_spec", Type::Map(&Type::Any)),
    ],
    required: &["url", "target", "git_branch", "image_spec"],
    open: true,
});

const RUNROOT_METHOD: Type = Type::OneOf(&[
    RUNROOT_TYPE,
    Type::Record(&Record {
        fields: &[
            ("buildinstall", RUNROOT_TYPE),
            ("ostree_installer", RUNROOT_TYPE),
            ("ostree", RUNROOT_TYPE),
            ("createiso", RUNROOT_TYPE),
        ],
        required: &[],
        open: false,
    }),
]);

const RUNROOT_WEIGHTS: Type = Type::Record(&Record {
    fields: &[
        ("buildinstall", Type::Number),
        ("createiso", Type::Number),
        ("ostree", Type::Number),
        ("ostree_installer", Type::Number),
    ],
    required: &[],
    open: false,
});

/// The options, grouped as Pungi's documentation groups them.
pub static OPTIONS: &[O] = &[
    // Release
    O::new("release_name", Type::Str, "general", "Product name, e.g. `Fedora`.").required().yes(),
    O::new("release_short", Type::Str, "general", "Short product name used in the compose ID, e.g. `Fedora`.").required().yes(),
    O::new("release_version", Type::Str, "general", "Product version, e.g. `Rawhide` or `9.4`.").required().yes(),
    O::new("release_type", Type::Enum(RELEASE_TYPES), "general", "Release type productmd records; not `ga` adds it to the compose ID.").default("\"ga\"").yes(),
    O::new("release_internal", Type::Bool, "general", "Whether the compose is for internal use only.").default("False"),
    O::new("release_discinfo_description", Type::Str, "createiso", "Override for the description in `.discinfo`."),
    O::new("treeinfo_version", Type::Str, "general", "Version written into `.treeinfo` instead of `release_version`."),
    O::new("compose_type", Type::Enum(&["production", "test", "nightly", "ci"]), "general", "Compose type; the command line flags decide it in pungi-wasm."),
    O::removed("release_is_layered", "general", "remove it; a compose is layered when base_product_* is set"),
    // Base product of a layered product
    O::new("base_product_name", Type::Str, "general", "Name of the product a layered product is built on."),
    O::new("base_product_short", Type::Str, "general", "Short name of the base product."),
    O::new("base_product_version", Type::Str, "general", "Version of the base product."),
    O::new("base_product_type", Type::Str, "general", "Release type of the base product.").default("\"ga\""),
    // General
    O::new("comps_file", STR_OR_SCM, "init", "The comps file, relative to the config or from SCM.").partly(FETCHED_FROM_SCM),
    O::new("variants_file", STR_OR_SCM, "general", "The variants XML, relative to the config or from SCM.").required().partly(FETCHED_FROM_SCM),
    O::new("comps_filter_environments", Type::Bool, "init", "Drop environments that list groups a variant does not have.").default("True"),
    O::new("module_defaults_dir", STR_OR_SCM, "init", "Directory of modulemd defaults.").partly(MODULEMD_FETCHED_ONLY),
    O::new("module_defaults_override_dir", Type::Str, "init", "Subdirectory with overrides of module defaults."),
    O::new("module_obsoletes_dir", STR_OR_SCM, "init", "Directory of modulemd obsoletes.").partly(MODULEMD_FETCHED_ONLY),
    O::new("sigkeys", Type::List(&OPT_STR), "pkgset", "Signing key IDs in order of preference; `None` accepts unsigned packages.").default("[None]"),
    O::new("signed_packages_retries", Type::Number, "pkgset", "How often to retry finding a signed copy of a package.").default("0"),
    O::new("signed_packages_wait", Type::Number, "pkgset", "Seconds between those retries.").default("30"),
    O::new("tree_arches", STRINGS, "general", "Only compose these arches (empty: all).").default("[]"),
    O::new("tree_variants", STRINGS, "general", "Only compose these variants (empty: all).").default("[]"),
    O::new("hashed_directories", Type::Bool, "gather", "Put packages in subdirectories named by their first letter.").default("False"),
    O::new("link_type", Type::Enum(&["hardlink", "copy", "hardlink-or-copy", "symlink", "abspath-symlink"]), "gather", "How packages get into the compose tree.").default("\"hardlink-or-copy\""),
    O::new("skip_phases", Type::List(&Type::Str), "general", "Phases not to run: Pungi's (those this build lacks are accepted and ignored) or the names in `custom_phases`.").default("[]").yes(),
    O::new("custom_phases", Type::List(&CUSTOM_PHASE), "general", "Third-party phase components: name, component (relative to the config), sha256, one of after/before/parallel_with, failable, config, grant (approved by `[phase.<name>]` in --policy).").default("[]").yes().extension(),
    O::new("failable_deliverables", Type::VariantArch(&STRINGS), "general", "Deliverables (`iso`, `live`, `image-build`, ...) whose failure does not fail the compose.").default("[]"),
    O::new("translate_paths", STRING_PAIRS, "general", "`(local prefix, URL prefix)` pairs to publish paths as URLs.").default("[]"),
    O::new("paths_module", Type::Str, "general", "Python module overriding the compose layout."),
    O::new("disc_types", Type::Map(&Type::Str), "createiso", "Renames of the disc types in image file names.").default("{}"),
    O::new("dogpile_cache_backend", Type::Str, "general", "dogpile.cache backend caching Koji queries."),
    O::new("dogpile_cache_expiration_time", Type::Number, "general", "Seconds Koji query results stay cached."),
    O::new("dogpile_cache_arguments", Type::Map(&Type::Any), "general", "Arguments of the dogpile.cache backend.").default("{}"),
    O::new("cts_url", Type::Str, "general", "Compose Tracking Service to register the compose with."),
    O::new("cts_keytab", Type::Str, "general", "Kerberos keytab for CTS."),
    O::new("cts_oidc_token_url", Type::Str, "general", "OIDC token endpoint for CTS."),
    O::new("cts_oidc_client_id", Type::Str, "general", "OIDC client ID for CTS."),
    O::new("mbs_api_url", Type::Str, "pkgset", "Module Build Service API, for scratch modules."),
    O::removed("pdc_url", "general", "remove it; Koji is queried instead of PDC"),
    O::removed("pdc_develop", "general", "remove it; Koji is queried instead of PDC"),
    O::removed("pdc_insecure", "general", "remove it; Koji is queried instead of PDC"),
    O::removed("old_composes_per_release_type", "general", "remove it; it is the default behaviour"),
    O::removed("keep_original_comps", "init", "remove the <groups> tag of the variant in the variants XML instead"),
    // Runroot
    O::removed("runroot", "general", "remove it; set runroot_method to run tasks in a runroot, otherwise they run locally"),
    O::new("runroot_method", RUNROOT_METHOD, "general", "Where tasks needing a buildroot run: globally or per phase."),
    O::new("global_runroot_method", RUNROOT_TYPE, "general", "Runroot method for the compose as a whole."),
    O::new("runroot_tag", Type::Str, "general", "Koji build tag providing the runroot's packages."),
    O::new("runroot_channel", OPT_STR, "general", "Koji channel for runroot tasks."),
    O::new("runroot_weights", RUNROOT_WEIGHTS, "general", "Koji task weights per phase.").default("{}"),
    O::new("runroot_ssh_username", Type::Str, "general", "SSH user for the `openssh` runroot.").default("\"root\""),
    O::new("runroot_ssh_hostnames", Type::Map(&Type::Str), "general", "Arch to host for the `openssh` runroot.").default("{}"),
    O::new("runroot_ssh_init_template", Type::Str, "general", "Command preparing an `openssh` runroot."),
    O::new("runroot_ssh_install_packages_template", Type::Str, "general", "Command installing packages into an `openssh` runroot."),
    O::new("runroot_ssh_run_template", Type::Str, "general", "Command running a task in an `openssh` runroot."),
    // Koji
    O::new("koji_profile", Type::Str, "pkgset", "Koji profile (in /etc/koji.conf.d) of the hub to use."),
    O::new("koji_event", Type::Number, "pkgset", "Koji event to read tags at, for reproducible composes."),
    O::new("koji_cache", Type::Str, "pkgset", "Directory caching Koji downloads."),
    // Pkgset
    O::new("pkgset_source", Type::Enum(&["koji", "repos"]), "pkgset", "Where packages come from: a Koji tag or yum repositories.").required().partly("\"repos\" only"),
    O::new("pkgset_repos", Type::Map(&STR_OR_STRINGS), "pkgset", "`{arch: [repo, ...]}` for `pkgset_source = \"repos\"`; `src` for sources.").yes(),
    O::new("pkgset_koji_tag", STR_OR_STRINGS, "pkgset", "Koji tag(s) to take packages from."),
    O::new("pkgset_koji_builds", STR_OR_STRINGS, "pkgset", "Extra Koji builds (NVRs) to add."),
    O::new("pkgset_koji_scratch_tasks", STR_OR_STRINGS, "pkgset", "Koji scratch build task IDs to add."),
    O::new("pkgset_koji_module_tag", STR_OR_STRINGS, "pkgset", "Koji tags holding module builds.").default("[]"),
    O::new("pkgset_koji_module_builds", Type::Map(&STRINGS), "pkgset", "Per variant, module builds to add."),
    O::new("pkgset_koji_inherit", Type::Bool, "pkgset", "Follow tag inheritance.").default("True"),
    O::new("pkgset_koji_inherit_modules", Type::Bool, "pkgset", "Follow tag inheritance for module tags.").default("False"),
    O::new("pkgset_exclusive_arch_considers_noarch", Type::Bool, "pkgset", "ExclusiveArch also limits noarch packages.").default("True"),
    O::new("pkgset_inherit_exclusive_arch_to_noarch", Type::Bool, "pkgset", "noarch subpackages inherit ExclusiveArch of their source.").default("True"),
    O::new("pkgset_scratch_modules", Type::Map(&STRINGS), "pkgset", "Per variant, scratch module builds to add (needs mbs_api_url)."),
    O::new("pkgset_allow_reuse", Type::Bool, "pkgset", "Reuse the package set of an older compose when unchanged.").default("True"),
    // Gather
    O::new("gather_method", GATHER_METHOD, "gather", "`deps` adds dependencies, `nodeps` takes the input as is, `hybrid` uses fus; or per variant and source.").required().partly("`hybrid` resolves like `deps`"),
    O::removed("gather_source", "gather", "remove it; the sources are picked automatically"),
    O::new("gather_fulltree", Type::Bool, "gather", "Also take every subpackage of a source package.").default("False").yes(),
    O::new("gather_selfhosting", Type::Bool, "gather", "Also take build dependencies.").default("False").yes(),
    O::new("gather_prepopulate", STR_OR_SCM, "gather", "JSON file of packages to put into variants first."),
    O::new("gather_source_mapping", Type::Str, "gather", "JSON file mapping variants and arches to packages (json source)."),
    O::new("gather_backend", Type::Enum(&["dnf", "yum"]), "gather", "Dependency solver; `yum` only under Python 2.").default("\"dnf\""),
    O::new("gather_profiler", Type::Bool, "gather", "Profile the gather backend.").default("False"),
    O::new("gather_allow_reuse", Type::Bool, "gather", "Reuse the gather result of an older compose when unchanged.").default("False").yes(),
    O::new("gather_lookaside_repos", Type::VariantArch(&STR_OR_STRINGS), "gather", "Repositories whose packages satisfy dependencies but are not shipped (local paths; mounted read-only at `/lookaside/<n>`).").default("[]").yes(),
    O::new("variant_as_lookaside", Type::List(&Type::Pair(&Type::Str, &Type::Str)), "gather", "`(variant, parent)` pairs: the parent's packages are lookaside for the variant."),
    O::new("check_deps", Type::Bool, "gather", "Fail when a dependency cannot be resolved.").default("True").yes(),
    O::new("require_all_comps_packages", Type::Bool, "gather", "Fail when a package comps lists is missing.").default("False"),
    O::new("greedy_method", Type::Enum(&["none", "all", "build"]), "gather", "Which providers of a dependency to take.").default("\"none\""),
    O::new("additional_packages", PACKAGE_MAPPING, "gather", "Packages added to variants besides comps: names, globs or `name.arch`.").default("[]").yes(),
    O::new("filter_packages", PACKAGE_MAPPING, "gather", "Packages never shipped in variants.").default("[]").yes(),
    O::new("filter_modules", PACKAGE_MAPPING, "gather", "Modules never shipped in variants.").default("[]"),
    O::new("filter_system_release_packages", Type::Bool, "gather", "Keep only the system-release package of the variant.").default("True"),
    O::new("multilib", Type::VariantArch(&STRINGS), "gather", "Multilib methods (`devel`, `runtime`, `all`, `kernel`, `yaboot`) per variant and arch.").default("[]"),
    O::new("multilib_whitelist", MULTILIB_LIST, "gather", "Per arch, packages always multilib.").default("{}"),
    O::new("multilib_blacklist", MULTILIB_LIST, "gather", "Per arch, packages never multilib.").default("{}"),
    // Extra files
    O::new("extra_files", Type::VariantArch(&Type::List(&EXTRA_FILE)), "extra_files", "Files copied into the tree from SCM.").default("[]"),
    // Createrepo
    O::new("createrepo_c", Type::Bool, "createrepo", "Use createrepo_c instead of createrepo.").default("True"),
    O::new("createrepo_checksum", Type::Enum(&["sha1", "sha224", "sha256", "sha384", "sha512"]), "createrepo", "Checksum type of repodata (Pungi accepts sha1, sha256, sha512).").default("\"sha256\"").yes(),
    O::new("createrepo_changelog_limit", Type::Int, "createrepo", "Newest changelog entries kept per package.").extension().yes(),
    O::new("createrepo_enable_cache", Type::Bool, "createrepo", "Use createrepo's cache directory.").default("True"),
    O::new("createrepo_use_xz", Type::Bool, "createrepo", "Compress repodata with xz.").default("False"),
    O::new("createrepo_num_threads", Type::Number, "createrepo", "Worker threads of one createrepo run.").computed("number of CPUs"),
    O::new("createrepo_num_workers", Type::Number, "createrepo", "createrepo runs in parallel.").default("3"),
    O::new("createrepo_database", Type::Bool, "createrepo", "Create sqlite databases."),
    O::new("createrepo_extra_args", STRINGS, "createrepo", "Extra command line arguments.").default("[]"),
    O::new("createrepo_extra_modulemd", Type::Map(&SCM_DICT), "createrepo", "Per variant, extra modulemd documents from SCM."),
    O::new("createrepo_deltas", Type::OneOf(&[ARCH_BOOL, Type::Deprecated(&Type::Bool, "use the per-variant form [(variant regex, {arch: bool})]")]), "createrepo", "Create delta RPMs against older composes.").default("[]"),
    O::new("createrepo_allow_reuse", Type::Bool, "createrepo", "Reuse repodata of an older compose when unchanged.").default("False").yes(),
    O::new("product_id", STR_OR_SCM, "createrepo", "Product certificates to add to repodata."),
    O::new("product_id_allow_missing", Type::Bool, "createrepo", "Do not fail when a product certificate is missing.").default("False"),
    O::new("product_id_allow_name_prefix", Type::Bool, "createrepo", "Allow a name prefix on product certificate files.").default("True"),
    // Repoclosure
    O::new("repoclosure_strictness", Type::VariantArch(&Type::Enum(&["off", "lenient", "fatal"])), "test", "Whether unresolved dependencies fail the compose.").default("[]"),
    O::new("repoclosure_backend", Type::Enum(&["dnf", "yum"]), "test", "Tool that checks repository closure.").default("\"dnf\""),
    // Buildinstall
    O::removed("bootable", "buildinstall", "remove it; set buildinstall_method = \"lorax\" for a bootable installer"),
    O::new("buildinstall_method", Type::Enum(&["lorax"]), "buildinstall", "How to build the installer; unset means no installer."),
    O::new("buildinstall_topdir", Type::Str, "buildinstall", "Shared directory for runroot buildinstall output."),
    O::new("buildinstall_kickstart", STR_OR_SCM, "buildinstall", "Kickstart added to the installer images."),
    O::new("buildinstall_use_guestmount", Type::Bool, "buildinstall", "Use guestmount to modify images.").default("True"),
    O::new("buildinstall_skip", ARCH_BOOL, "buildinstall", "Skip buildinstall for these variants and arches.").default("[]"),
    O::new("buildinstall_packages", PACKAGE_MAPPING, "buildinstall", "Packages the installer needs in the tree.").default("[]"),
    O::new("buildinstall_allow_reuse", Type::Bool, "buildinstall", "Reuse installer images of an older compose.").default("False"),
    O::new("lorax_options", Type::VariantArch(&LORAX_OPTIONS), "buildinstall", "lorax options per variant and arch.").default("[]"),
    O::new("lorax_extra_sources", Type::VariantArch(&STR_OR_STRINGS), "buildinstall", "Extra repositories for lorax.").default("[]"),
    O::new("lorax_use_koji_plugin", Type::Bool, "buildinstall", "Run lorax through the Koji plugin.").default("False"),
    // Createiso
    O::new("create_jigdo", Type::Bool, "createiso", "Create jigdo files beside ISOs.").default("False"),
    O::new("create_optional_isos", Type::Bool, "createiso", "Also make ISOs of optional variants.").default("False"),
    O::new("createiso_skip", ARCH_BOOL, "createiso", "Skip ISOs for these variants and arches.").default("[]"),
    O::new("createiso_max_size", Type::VariantArch(&Type::Number), "createiso", "Warn (or fail) when an ISO is bigger.").default("[]"),
    O::new("createiso_max_size_is_strict", ARCH_BOOL, "createiso", "Fail instead of warn above createiso_max_size.").default("[]"),
    O::new("createiso_break_hardlinks", Type::Bool, "createiso", "Copy files before making ISOs.").default("False"),
    O::new("createiso_use_xorrisofs", Type::Bool, "createiso", "Use xorrisofs instead of genisoimage.").default("False"),
    O::new("createiso_allow_reuse", Type::Bool, "createiso", "Reuse ISOs of an older compose.").default("True"),
    O::new("iso_size", SIZE, "createiso", "Maximum ISO size (bytes, or with a unit like `4.7G`).").default("4700000000"),
    O::new("split_iso_reserve", SIZE, "createiso", "Space kept free on the first disc of a split ISO.").default("10485760"),
    O::new("iso_level", Type::OneOf(&[Type::IntEnum(&[1, 2, 3, 4]), Type::VariantArch(&Type::IntEnum(&[1, 2, 3, 4]))]), "createiso", "ISO 9660 level, globally or per variant and arch."),
    O::new("iso_hfs_ppc64le_compatible", Type::Bool, "createiso", "Keep ppc64le ISOs HFS compatible.").default("True"),
    O::new("symlink_isos_to", Type::Str, "createiso", "Put ISOs there and symlink them into the compose."),
    O::new("image_name_format", Type::OneOf(&[Type::Str, Type::Variant(&STR_OR_STRINGS)]), "createiso", "File name format of images."),
    O::new("image_volid_formats", STRINGS, "createiso", "Volume ID formats, first that fits 32 characters wins.").default("[\"{release_short}-{version} {variant}.{arch}\", \"{release_short}-{version} {arch}\"]"),
    O::new("image_volid_layered_product_formats", STRINGS, "createiso", "Volume ID formats of layered products.").default("[\"{release_short}-{version} {base_product_short}-{base_product_version} {variant}.{arch}\", \"{release_short}-{version} {base_product_short}-{base_product_version} {arch}\"]"),
    O::new("restricted_volid", Type::Bool, "createiso", "Replace characters not allowed in volume IDs.").default("False"),
    O::new("volume_id_substitutions", Type::Map(&Type::Str), "createiso", "Text replacements making volume IDs shorter.").default("{}"),
    O::new("extra_isos", EXTRA_ISOS, "extra_isos", "Additional ISOs combining variants."),
    O::new("extraiso_allow_reuse", Type::Bool, "extra_isos", "Reuse extra ISOs of an older compose.").default("True"),
    // Productimg and live images: Pungi dropped these phases (4.1 and 4.6); composes that
    // still need installer product images or livecd/appliance tasks keep them here.
    O::new("productimg", Type::Bool, "productimg", "Build product.img for the installer (Pungi before 4.1).").default("False").yes(),
    O::new("productimg_install_class", SCM_DICT, "productimg", "Anaconda install class file put into product.img.").yes(),
    O::new("productimg_po_files", SCM_DICT, "productimg", "Directory of `<lang>.po` translations compiled into product.img.").yes(),
    O::new("productimg_sources", Type::VariantArch(&Type::List(&EXTRA_FILE)), "productimg", "More files for product.img, in `extra_files` form.").extension().yes(),
    O::new("productimg_format", Type::Enum(&["ext2", "squashfs"]), "productimg", "Filesystem of product.img.").default("\"ext2\"").extension().yes(),
    O::new("live_images", Type::VariantArch(&Type::OneOf(&[LIVE_IMAGE, Type::List(&LIVE_IMAGE)])), "live_images", "Koji spin-livecd / spin-appliance tasks per variant and arch (Pungi before 4.6)."),
    O::new("live_images_no_rename", Type::Bool, "live_images", "Keep the file names Koji gives live images.").default("False"),
    O::new("live_images_ksurl", Type::Str, "live_images", "Kickstart URL of live image tasks."),
    O::new("live_images_target", Type::Str, "live_images", "Koji target of live image tasks."),
    O::new("live_target", Type::Str, "live_images", "Koji target of live image tasks that wins over the block's, `live_images_target` and `global_target` (Pungi's older name).").yes(),
    O::new("signing_key_id", Type::Str, "live_images", "Key to sign RPM-wrapped live images with; Pungi 4.3 never signs them (its tasks ask for no signing), so it has no effect."),
    O::new("signing_key_password_file", Type::Str, "live_images", "Password file of `signing_key_id`; no effect, as in Pungi 4.3."),
    O::new("signing_command", Type::Str, "live_images", "Command that signs RPM-wrapped live images; no effect, as in Pungi 4.3."),
    O::new("live_images_release", OPT_STR, "live_images", "Release of live image tasks."),
    O::new("live_images_version", Type::Str, "live_images", "Version of live image tasks."),
    // Images built in Koji
    O::new("global_ksurl", Type::Str, "image_build", "Default kickstart URL of image tasks."),
    O::new("global_version", Type::Str, "image_build", "Default version of image tasks."),
    O::new("global_target", Type::Str, "image_build", "Default Koji target of image tasks."),
    O::new("global_release", OPT_STR, "image_build", "Default release of image tasks (`None`: generated)."),
    O::new("image_build", IMAGE_BUILD, "image_build", "Koji image-build tasks per variant."),
    O::new("image_build_ksurl", Type::Str, "image_build", "Kickstart URL of image-build tasks."),
    O::new("image_build_target", Type::Str, "image_build", "Koji target of image-build tasks."),
    O::new("image_build_release", OPT_STR, "image_build", "Release of image-build tasks."),
    O::new("image_build_version", Type::Str, "image_build", "Version of image-build tasks."),
    O::new("image_build_allow_reuse", Type::Bool, "image_build", "Reuse images of an older compose.").default("False"),
    O::new("live_media", LIVE_MEDIA, "live_media", "Koji spin-livemedia tasks per variant."),
    O::new("live_media_ksurl", Type::Str, "live_media", "Kickstart URL of live media tasks."),
    O::new("live_media_target", Type::Str, "live_media", "Koji target of live media tasks."),
    O::new("live_media_release", OPT_STR, "live_media", "Release of live media tasks."),
    O::new("live_media_version", Type::Str, "live_media", "Version of live media tasks."),
    O::new("kiwibuild", KIWIBUILD, "kiwibuild", "Koji kiwi image tasks per variant."),
    O::new("kiwibuild_description_scm", Type::Str, "kiwibuild", "Default repository of kiwi descriptions."),
    O::new("kiwibuild_description_path", Type::Str, "kiwibuild", "Default path of the kiwi description."),
    O::new("kiwibuild_target", Type::Str, "kiwibuild", "Default Koji target of kiwi tasks."),
    O::new("kiwibuild_release", OPT_STR, "kiwibuild", "Default release of kiwi tasks."),
    O::new("osbuild", OSBUILD, "osbuild", "Koji osbuild image tasks per variant."),
    O::new("osbuild_target", Type::Str, "osbuild", "Default Koji target of osbuild tasks."),
    O::new("osbuild_release", OPT_STR, "osbuild", "Default release of osbuild tasks."),
    O::new("osbuild_version", Type::Str, "osbuild", "Default version of osbuild tasks."),
    // OSTree
    O::new("ostree", OSTREE, "ostree", "OSTree repositories composed per variant."),
    O::new("ostree_use_koji_plugin", Type::Bool, "ostree", "Run ostree tasks through the Koji plugin.").default("False"),
    O::new("ostree_container", Type::Variant(&Type::OneOf(&[OSTREE_ITEM, Type::List(&OSTREE_ITEM)])), "ostree_container", "OSTree native containers per variant."),
    O::new("ostree_container_use_koji_plugin", Type::Bool, "ostree_container", "Run ostree container tasks through the Koji plugin.").default("False"),
    O::new("ostree_installer", OSTREE_INSTALLER, "ostree_installer", "Installers embedding an OSTree repository, per variant and arch."),
    O::new("ostree_installer_use_koji_plugin", Type::Bool, "ostree_installer", "Run ostree installer tasks through the Koji plugin.").default("False"),
    O::new("ostree_installer_overwrite", Type::Bool, "ostree_installer", "Let the ostree installer replace buildinstall output.").default("False"),
    // OSBS and containers
    O::new("osbs", Type::Variant(&Type::OneOf(&[OSBS_CONFIG, Type::List(&OSBS_CONFIG)])), "osbs", "Container image builds in OSBS per variant."),
    O::new("osbs_registries", Type::Map(&Type::Any), "osbs", "Registries to push OSBS images to, per NVR pattern."),
    O::new("osbs_allow_reuse", Type::Bool, "osbs", "Reuse OSBS builds of an older compose.").default("False"),
    O::new("image_container", IMAGE_CONTAINER, "image_container", "Container images built from compose images."),
    // Media checksums
    O::new("media_checksums", Type::List(&Type::Enum(&["md5", "sha1", "sha224", "sha256", "sha384", "sha512"])), "image_checksum", "Checksums written for images.").default("[\"md5\", \"sha1\", \"sha256\"]").yes(),
    O::new("media_checksum_one_file", Type::Bool, "image_checksum", "One CHECKSUM file per directory (needs exactly one algorithm).").default("False").yes(),
    O::new("media_checksum_base_filename", Type::Str, "image_checksum", "Format of checksum file names (`%(variant)s`, ...).").default("\"\"").yes(),
];

//! An SCM dict as Pungi's configs write it (`{"scm": "git", "repo": ..., "branch": ...,
//! "file": ..., "command": ...}`), read into what to fetch, or the reason it cannot be.

use serde_json::{Map, Value};

/// Whether an option names one file (`file`) or a directory (`dir`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    File,
    Dir,
}

impl Wanted {
    /// The key of the dict that names what is taken.
    pub fn key(self) -> &'static str {
        match self {
            Wanted::File => "file",
            Wanted::Dir => "dir",
        }
    }
}

/// Where the files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The config's own directory.
    File,
    /// A local git repository, at a branch (or any ref git can fetch).
    Git { repo: String, branch: String },
    /// The payload of one RPM package.
    Rpm { package: String },
}

impl Source {
    pub fn kind(&self) -> &'static str {
        match self {
            Source::File => "file",
            Source::Git { .. } => "git",
            Source::Rpm { .. } => "rpm",
        }
    }
}

/// One SCM dict, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScmSpec {
    pub source: Source,
    /// The file or directory taken, relative to the source's root.
    pub path: String,
    /// The shell command Pungi runs in a git checkout before taking the file.
    pub command: Option<String>,
}

/// Pungi's branch when the dict names none (`GitWrapper`'s default).
const DEFAULT_BRANCH: &str = "master";

/// Reads `value`, the dict of an option that takes a `wanted`; the error says what was
/// expected.
pub fn parse(value: &Map<String, Value>, wanted: Wanted) -> Result<ScmSpec, String> {
    let text = |key: &str| -> Result<Option<String>, String> {
        match value.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(other) => Err(format!("`{key}` must be a non-empty string, found {other}")),
        }
    };
    let required = |key: &str, scm: &str| {
        text(key)?.ok_or_else(|| format!("`{key}` is required with \"scm\": \"{scm}\""))
    };
    let scm = text("scm")?.ok_or("`scm` is required (file, git or rpm)")?;
    let source = match scm.as_str() {
        "file" => Source::File,
        "git" => Source::Git {
            repo: required("repo", "git")?,
            branch: text("branch")?.unwrap_or_else(|| DEFAULT_BRANCH.to_owned()),
        },
        "rpm" => Source::Rpm {
            package: required("repo", "rpm")?,
        },
        "cvs" | "koji" => {
            return Err(format!(
                "\"scm\": \"{scm}\" is not supported by this build (file, git or rpm)"
            ));
        }
        other => return Err(format!("unknown \"scm\": \"{other}\" (file, git or rpm)")),
    };
    let path = text(wanted.key())?.ok_or_else(|| {
        format!(
            "`{}` is required: the {} to take",
            wanted.key(),
            match wanted {
                Wanted::File => "file",
                Wanted::Dir => "directory",
            }
        )
    })?;
    let command = text("command")?;
    if command.is_some() && !matches!(source, Source::Git { .. }) {
        return Err("`command` runs only in a git checkout (\"scm\": \"git\")".into());
    }
    Ok(ScmSpec {
        source,
        path,
        command,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(value: Value, wanted: Wanted) -> Result<ScmSpec, String> {
        parse(value.as_object().unwrap(), wanted)
    }

    #[test]
    fn git_with_branch_and_command() {
        let spec = read(
            json!({"scm": "git", "repo": "/srv/comps.git", "branch": "f40",
                   "file": "comps-f40.xml", "command": "make comps-f40.xml"}),
            Wanted::File,
        )
        .unwrap();
        assert_eq!(
            spec,
            ScmSpec {
                source: Source::Git {
                    repo: "/srv/comps.git".into(),
                    branch: "f40".into()
                },
                path: "comps-f40.xml".into(),
                command: Some("make comps-f40.xml".into()),
            }
        );
    }

    #[test]
    fn git_branch_defaults_to_pungis() {
        let spec = read(
            json!({"scm": "git", "repo": "/r", "dir": "defaults"}),
            Wanted::Dir,
        )
        .unwrap();
        assert_eq!(
            spec.source,
            Source::Git {
                repo: "/r".into(),
                branch: "master".into()
            }
        );
    }

    #[test]
    fn file_as_configs_write_it() {
        let spec = read(
            json!({"scm": "file", "repo": null, "file": "comps.xml"}),
            Wanted::File,
        )
        .unwrap();
        assert_eq!(spec.source, Source::File);
        assert_eq!(spec.path, "comps.xml");
    }

    #[test]
    fn broken_dicts_say_what_was_expected() {
        let cases = [
            (
                json!({"scm": "git", "file": "a"}),
                Wanted::File,
                "`repo` is required",
            ),
            (
                json!({"scm": "svn", "repo": "r", "file": "a"}),
                Wanted::File,
                "unknown \"scm\": \"svn\"",
            ),
            (
                json!({"scm": "cvs", "repo": "r", "file": "a"}),
                Wanted::File,
                "not supported",
            ),
            (
                json!({"repo": "r", "file": "a"}),
                Wanted::File,
                "`scm` is required",
            ),
            (
                json!({"scm": "git", "repo": "r", "file": "a"}),
                Wanted::Dir,
                "`dir` is required",
            ),
            (
                json!({"scm": "git", "repo": "r", "dir": "a"}),
                Wanted::File,
                "`file` is required",
            ),
            (
                json!({"scm": "rpm", "file": "a"}),
                Wanted::File,
                "`repo` is required with \"scm\": \"rpm\"",
            ),
            (
                json!({"scm": "file", "file": "a", "command": "make"}),
                Wanted::File,
                "only in a git checkout",
            ),
            (
                json!({"scm": "git", "repo": "r", "file": ["a"]}),
                Wanted::File,
                "`file` must be a non-empty string",
            ),
        ];
        for (value, wanted, expected) in cases {
            let error = read(value.clone(), wanted).unwrap_err();
            assert!(error.contains(expected), "{value}: {error}");
        }
    }
}

//! The hub's names as parts of host paths. A build's name, version and release, an
//! RPM's arch, a signing key and a task's output name come from the hub, which is
//! outside the sandbox but not trusted to name host paths: each becomes part of a path
//! under the local topdir (or a topurl), so one holding `/`, `..` or a NUL would point
//! the host at a file the hub never meant.

use super::error::KojiError;

/// `value` as one path component: not empty, no `/` or NUL, not starting with `.`
/// (which also refuses `.` and `..`). `what` names it in the error.
pub fn component<'v>(what: &str, value: &'v str) -> Result<&'v str, KojiError> {
    if value.is_empty() || value.starts_with('.') || value.contains(['/', '\0']) {
        return Err(KojiError::Invalid(format!(
            "the hub gave {what} {value:?}, which is not a plain file name \
             (empty, or with `/`, a leading `.` or NUL); refused as a path"
        )));
    }
    Ok(value)
}

/// `value` as a relative path of plain components: a task's output may sit in
/// directories (`results/images/boot.iso`) and a lorax tree has dot files
/// (`results/.treeinfo`), but no component may be empty, `.` or `..`, and no NUL.
pub fn relative_path<'v>(what: &str, value: &'v str) -> Result<&'v str, KojiError> {
    let bad = value.contains('\0')
        || value
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..");
    if bad {
        return Err(KojiError::Invalid(format!(
            "the hub gave {what} {value:?}, which is not a relative path of plain names \
             (an empty, `.` or `..` component, a leading `/`, or NUL); refused as a path"
        )));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_names_cannot_leave_their_place() {
        for good in ["bash", "5.2.26", "1.fc41", "x86_64", "a1b2c3d4"] {
            assert_eq!(component("a name", good).unwrap(), good);
        }
        for bad in ["", ".", "..", "../../etc", "a/b", ".hidden", "a\0b"] {
            let err = component("a build version", bad).unwrap_err().to_string();
            assert!(err.contains("a build version"), "{bad:?}: {err}");
        }
        for good in ["x.log", "results/images/boot.iso", "results/.treeinfo"] {
            assert_eq!(relative_path("an output", good).unwrap(), good);
        }
        for bad in ["", "/etc/passwd", "a/../../x", "a//b", "./a", "a/", "a\0"] {
            assert!(relative_path("an output", bad).is_err(), "{bad:?}");
        }
    }
}

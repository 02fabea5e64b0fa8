//! Which hub a compose talks to and how: a koji profile read from the standard koji
//! config files (`/etc/koji.conf`, `/etc/koji.conf.d/*.conf`, `~/.koji/config.d/*.conf`,
//! `~/.koji/config`, later files winning), with explicit `koji_*` options of the compose
//! config laid over it. Resolved by the host once per compose, never by a phase.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How the client logs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Read-only calls without a session (what pkgset needs).
    Anonymous,
    /// `sslLogin` with a client certificate (PEM holding the certificate and its key).
    Ssl { cert: PathBuf },
    /// `authtype = kerberos` / `gssapi`: recognised, refused with a precise error (no
    /// GSSAPI library in this build).
    Kerberos { principal: Option<String> },
}

/// Everything needed to reach one hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubSettings {
    /// The profile's name, for messages; `None` when given by explicit options only.
    pub profile: Option<String>,
    /// The XML-RPC endpoint, e.g. `https://koji.fedoraproject.org/kojihub`.
    pub server: String,
    /// Base URL of the file tree (`packages/`, `work/`), for downloads.
    pub topurl: Option<String>,
    /// The same tree mounted locally (`/mnt/koji`); used when it exists.
    pub topdir: Option<PathBuf>,
    pub auth: Auth,
    /// CA bundle (PEM) for the hub's certificate; the system's web roots otherwise.
    pub serverca: Option<PathBuf>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Tries after the first on connection errors, 5xx and retryable faults.
    pub max_retries: u32,
    /// The first pause between tries; doubled each time.
    pub retry_interval: Duration,
    /// Calls per `multiCall` request (see docs/koji.md for the measurement).
    pub multicall_batch: usize,
}

/// The batch size measured best on a 70,000-RPM tag (docs/koji.md).
pub const DEFAULT_BATCH: usize = 1000;

impl HubSettings {
    /// The settings for a server URL with koji's defaults.
    pub fn for_server(server: &str) -> HubSettings {
        HubSettings {
            profile: None,
            server: server.to_owned(),
            topurl: None,
            topdir: None,
            auth: Auth::Anonymous,
            serverca: None,
            timeout: Duration::from_secs(60 * 60 * 12),
            max_retries: 30,
            retry_interval: Duration::from_secs(20),
            multicall_batch: DEFAULT_BATCH,
        }
    }

    /// Settings from `(key, value)` pairs in koji's profile vocabulary (`server`,
    /// `topurl`, `topdir`, `authtype`, `cert`, `serverca`, `timeout`, `max_retries`,
    /// `retry_interval`, `principal`, and our `multicall_batch`).
    pub fn from_keys(
        profile: Option<&str>,
        keys: &BTreeMap<String, String>,
        home: Option<&Path>,
    ) -> Result<HubSettings, String> {
        let name = profile.unwrap_or("<compose config>");
        let server = keys
            .get("server")
            .ok_or_else(|| format!("koji profile `{name}` sets no `server`"))?;
        let mut settings = HubSettings::for_server(server);
        settings.profile = profile.map(str::to_owned);
        let path = |v: &String| expand_home(v, home);
        settings.topurl = keys.get("topurl").cloned();
        settings.topdir = keys.get("topdir").map(path);
        settings.serverca = keys.get("serverca").map(path);
        let number = |key: &str| -> Result<Option<f64>, String> {
            keys.get(key)
                .map(|v| {
                    v.parse::<f64>().ok().filter(|n| *n >= 0.0).ok_or_else(|| {
                        format!("koji profile `{name}`: `{key} = {v}` is not a number")
                    })
                })
                .transpose()
        };
        if let Some(t) = number("timeout")? {
            settings.timeout = Duration::from_secs_f64(t);
        }
        if let Some(n) = number("max_retries")? {
            settings.max_retries = n as u32;
        }
        if let Some(t) = number("retry_interval")? {
            settings.retry_interval = Duration::from_secs_f64(t);
        }
        if let Some(n) = number("multicall_batch")? {
            settings.multicall_batch = (n as usize).max(1);
        }
        settings.auth = match keys
            .get("authtype")
            .map(|s| s.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("" | "noauth" | "anonymous") => Auth::Anonymous,
            Some("ssl") => Auth::Ssl {
                cert: keys
                    .get("cert")
                    .map(path)
                    .ok_or_else(|| format!("koji profile `{name}`: authtype = ssl needs `cert`"))?,
            },
            Some("kerberos" | "gssapi") => Auth::Kerberos {
                principal: keys.get("principal").cloned(),
            },
            Some(other) => {
                return Err(format!(
                    "koji profile `{name}`: authtype `{other}` is not supported (ssl, kerberos, noauth)"
                ));
            }
        };
        Ok(settings)
    }
}

/// The koji config files in the order koji reads them, for `home`.
pub fn config_files(home: Option<&Path>) -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("/etc/koji.conf")];
    files.extend(conf_d(Path::new("/etc/koji.conf.d")));
    if let Some(home) = home {
        files.extend(conf_d(&home.join(".koji/config.d")));
        files.push(home.join(".koji/config"));
    }
    files
}

fn conf_d(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "conf"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// The keys of section `[profile]` across `files` (missing files are skipped).
pub fn read_profile(profile: &str, files: &[PathBuf]) -> Result<BTreeMap<String, String>, String> {
    let mut keys = BTreeMap::new();
    let mut seen = false;
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let mut section = String::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name.trim().to_owned();
                seen |= section == profile;
            } else if section == profile
                && let Some((key, value)) = line.split_once('=').or_else(|| line.split_once(':'))
            {
                keys.insert(key.trim().to_owned(), value.trim().to_owned());
            }
        }
    }
    if !seen {
        return Err(format!(
            "koji profile `{profile}` is in none of the koji config files ({})",
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(keys)
}

/// Profile keys a compose config may set directly, as `koji_<key>`.
const OPTION_KEYS: &[&str] = &[
    "server",
    "topurl",
    "topdir",
    "authtype",
    "cert",
    "serverca",
    "principal",
    "timeout",
    "max_retries",
    "retry_interval",
    "multicall_batch",
];

/// The hub a compose config names: the profile `koji_profile` from the koji config files
/// with any `koji_<key>` options laid over it, or `koji_server` & co. alone. `None` when
/// the config names no hub.
pub fn from_compose_config(
    config: &serde_json::Map<String, serde_json::Value>,
    home: Option<&Path>,
) -> Result<Option<HubSettings>, String> {
    let profile = match config.get("koji_profile") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(p)) if !p.is_empty() => Some(p.as_str()),
        Some(other) => {
            return Err(format!(
                "option `koji_profile` must be a name, found {other}"
            ));
        }
    };
    let mut keys = match profile {
        Some(p) => read_profile(p, &config_files(home))?,
        None => BTreeMap::new(),
    };
    for key in OPTION_KEYS {
        let value = match config.get(&format!("koji_{key}")) {
            None | Some(serde_json::Value::Null) => continue,
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => v.to_string(),
            Some(other) => {
                return Err(format!(
                    "option `koji_{key}` must be a string, found {other}"
                ));
            }
        };
        keys.insert((*key).to_owned(), value);
    }
    if profile.is_none() && keys.is_empty() {
        return Ok(None);
    }
    HubSettings::from_keys(profile, &keys, home).map(Some)
}

fn expand_home(value: &str, home: Option<&Path>) -> PathBuf {
    match (value.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_files_win_and_home_is_expanded() {
        let dir = tempfile::tempdir().unwrap();
        let etc = dir.path().join("koji.conf");
        std::fs::write(
            &etc,
            "[koji]\nserver = https://a/kojihub\ntopurl=https://a/files\n[other]\nserver=x\n",
        )
        .unwrap();
        let user = dir.path().join("config");
        std::fs::write(&user, "[koji]\n# mine\nserver = http://127.0.0.1:1/kojihub\nauthtype = ssl\ncert = ~/.koji/c.pem\ntimeout = 5\n").unwrap();
        let keys = read_profile("koji", &[etc, user]).unwrap();
        let s = HubSettings::from_keys(Some("koji"), &keys, Some(Path::new("/home/u"))).unwrap();
        assert_eq!(s.server, "http://127.0.0.1:1/kojihub");
        assert_eq!(s.topurl.as_deref(), Some("https://a/files"));
        assert_eq!(
            s.auth,
            Auth::Ssl {
                cert: "/home/u/.koji/c.pem".into()
            }
        );
        assert_eq!(s.timeout, Duration::from_secs(5));
        assert!(read_profile("nope", &[dir.path().join("config")]).is_err());
    }

    #[test]
    fn kerberos_is_recognised_and_unknown_auth_refused() {
        let mut keys = BTreeMap::from([("server".to_owned(), "https://h/kojihub".to_owned())]);
        keys.insert("authtype".into(), "kerberos".into());
        let s = HubSettings::from_keys(Some("p"), &keys, None).unwrap();
        assert!(matches!(s.auth, Auth::Kerberos { .. }));
        keys.insert("authtype".into(), "magic".into());
        assert!(HubSettings::from_keys(Some("p"), &keys, None).is_err());
    }
}

//! The report, as JSON for tools and as text for people.

use std::fmt::Write as _;

use serde::Serialize;

use crate::diff::Changes;

/// `changelog-diff.json`.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The compose compared against; `None` when `--old-composes` held none.
    pub old_compose: Option<String>,
    pub new_compose: String,
    #[serde(flatten)]
    pub changes: Changes,
}

impl Report {
    /// The report as readable text: one section per kind of change, changelog entries
    /// under each updated package as `%changelog` shows them.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let Some(old) = &self.old_compose else {
            let _ = writeln!(
                out,
                "{}: no earlier finished compose of this release was found in --old-composes.",
                self.new_compose
            );
            return out;
        };
        let _ = writeln!(out, "Changes from {old} to {}", self.new_compose);
        let c = &self.changes;
        section(&mut out, "Added", c.added.len(), |out| {
            for v in &c.added {
                let _ = writeln!(out, "  {} {}", v.name, v.evr);
            }
        });
        section(&mut out, "Removed", c.removed.len(), |out| {
            for v in &c.removed {
                let _ = writeln!(out, "  {} {}", v.name, v.evr);
            }
        });
        for (title, updates) in [("Updated", &c.updated), ("Downgraded", &c.downgraded)] {
            section(&mut out, title, updates.len(), |out| {
                for u in updates {
                    let _ = writeln!(out, "  {} {} -> {}", u.name, u.old_evr, u.new_evr);
                    for entry in &u.changelog {
                        let _ = writeln!(out, "    * {} {}", date(entry.time), entry.author);
                        for line in entry.text.lines() {
                            let _ = writeln!(out, "      {line}");
                        }
                    }
                }
            });
        }
        out
    }
}

fn section(out: &mut String, title: &str, count: usize, body: impl FnOnce(&mut String)) {
    let _ = writeln!(out, "\n{title} ({count}):");
    if count == 0 {
        out.push_str("  none\n");
    } else {
        body(out);
    }
}

/// `YYYY-MM-DD` of a Unix time (UTC), by the civil-from-days algorithm.
fn date(unix: u64) -> String {
    let days = (unix / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Update, Version};
    use pungi_phase_sdk::documents::Changelog;

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(1_711_972_800), "2024-04-01");
    }

    #[test]
    fn text_lists_each_change_and_its_entries() {
        let report = Report {
            old_compose: Some("Demo-1.0-20261124.n.0".into()),
            new_compose: "Demo-1.0-20261125.n.0".into(),
            changes: Changes {
                added: vec![Version {
                    name: "fresh".into(),
                    evr: "0.1-1".into(),
                }],
                updated: vec![Update {
                    name: "bash".into(),
                    old_evr: "5.2-1".into(),
                    new_evr: "5.2-2".into(),
                    changelog: vec![Changelog {
                        author: "Jane <j@x> - 5.2-2".into(),
                        time: 1_711_972_800,
                        text: "- Fix it\n- And that".into(),
                    }],
                }],
                ..Changes::default()
            },
        };
        let text = report.to_text();
        assert!(text.starts_with("Changes from Demo-1.0-20261124.n.0 to Demo-1.0-20261125.n.0\n"));
        assert!(text.contains("Added (1):\n  fresh 0.1-1\n"), "{text}");
        assert!(text.contains("Removed (0):\n  none\n"), "{text}");
        assert!(
            text.contains(
                "  bash 5.2-1 -> 5.2-2\n    * 2024-04-01 Jane <j@x> - 5.2-2\n      - Fix it\n      - And that\n"
            ),
            "{text}"
        );
    }
}

//! Pungi's media splitter: files in the order given, each rounded up to 2048-byte
//! blocks, onto discs of a fixed size; sticky files (extra files) go on every disc.

/// One file to place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    /// Relative to the tree root.
    pub path: String,
    pub size: u64,
    pub sticky: bool,
}

/// One disc: its files and size in blocks of 2048 bytes, times 2048.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Disc {
    pub files: Vec<String>,
    pub size: u64,
}

const BLOCK: u64 = 2048;

fn blocks(size: u64) -> u64 {
    size.div_ceil(BLOCK) * BLOCK
}

/// Parses Pungi's media sizes: an integer, or a string with a `k`, `M` or `G` suffix
/// (powers of 1024); zero or negative is an error.
pub fn parse_size(option: &str, value: &serde_json::Value) -> Result<u64, String> {
    let bad =
        || format!("{option} = {value}: expected a positive size like 4700000000 or \"700M\"");
    let size = match value {
        serde_json::Value::Number(n) => n.as_i64().ok_or_else(bad)?,
        serde_json::Value::String(s) => {
            let (digits, unit) = match s.chars().last() {
                Some('b') => (&s[..s.len() - 1], 1),
                Some('k') => (&s[..s.len() - 1], 1 << 10),
                Some('M') => (&s[..s.len() - 1], 1 << 20),
                Some('G') => (&s[..s.len() - 1], 1 << 30),
                _ => (s.as_str(), 1),
            };
            digits.trim().parse::<i64>().map_err(|_| bad())? * unit
        }
        _ => return Err(bad()),
    };
    u64::try_from(size).ok().filter(|s| *s > 0).ok_or_else(bad)
}

/// Splits `files` onto discs of `media_size` bytes (0: one disc, no limit). A file
/// larger than a disc is an error.
pub fn split(files: &[MediaFile], media_size: u64) -> Result<Vec<Disc>, String> {
    let sticky: Vec<&MediaFile> = files.iter().filter(|f| f.sticky).collect();
    let sticky_size: u64 = sticky.iter().map(|f| blocks(f.size)).sum();
    for file in files {
        if media_size > 0 && blocks(file.size) + sticky_size > media_size {
            return Err(format!(
                "{} ({} bytes) does not fit on a medium of {media_size} bytes",
                file.path, file.size
            ));
        }
    }
    let new_disc = || Disc {
        files: sticky.iter().map(|f| f.path.clone()).collect(),
        size: sticky_size,
    };
    let mut discs: Vec<Disc> = Vec::new();
    for file in files.iter().filter(|f| !f.sticky) {
        let size = blocks(file.size);
        match discs.last_mut() {
            Some(disc) if media_size == 0 || disc.size + size <= media_size => {
                disc.files.push(file.path.clone());
                disc.size += size;
            }
            _ => {
                let mut disc = new_disc();
                disc.files.push(file.path.clone());
                disc.size += size;
                discs.push(disc);
            }
        }
    }
    if discs.is_empty() {
        discs.push(new_disc());
    }
    Ok(discs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, size: u64, sticky: bool) -> MediaFile {
        MediaFile {
            path: path.into(),
            size,
            sticky,
        }
    }

    #[test]
    fn fills_discs_in_order_with_sticky_files_on_each() {
        let files = [
            file("GPL", 100, true),
            file("a.rpm", 3000, false),
            file("b.rpm", 2048, false),
            file("c.rpm", 10, false),
        ];
        let discs = split(&files, 3 * 2048).unwrap();
        assert_eq!(discs.len(), 2);
        assert_eq!(discs[0].files, ["GPL", "a.rpm"]);
        assert_eq!(discs[1].files, ["GPL", "b.rpm", "c.rpm"]);
        assert_eq!(split(&files, 0).unwrap().len(), 1);
        assert!(split(&files, 4096).unwrap_err().contains("a.rpm"));
    }

    #[test]
    fn sizes_parse_like_pungi() {
        use serde_json::json;
        assert_eq!(
            parse_size("iso_size", &json!(4700000000u64)).unwrap(),
            4_700_000_000
        );
        assert_eq!(parse_size("iso_size", &json!("700M")).unwrap(), 700 << 20);
        assert_eq!(parse_size("iso_size", &json!("4G")).unwrap(), 4 << 30);
        assert!(parse_size("iso_size", &json!("-1")).is_err());
        assert!(parse_size("iso_size", &json!("big")).is_err());
    }
}

//! The "newc" cpio archives `rpm2cpio` writes: enough to take files out of a package's
//! payload without unpacking it on the host.

/// One regular file of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    /// As stored, without the leading `./` or `/`.
    pub name: String,
    pub data: &'a [u8],
}

/// The regular files of a newc archive (directories, links and devices are left out).
pub fn regular_files(archive: &[u8]) -> Result<Vec<Entry<'_>>, String> {
    let mut entries = Vec::new();
    let mut at = 0usize;
    loop {
        let header = archive
            .get(at..at + 110)
            .ok_or("the cpio archive ends inside a header")?;
        if &header[..6] != b"070701" && &header[..6] != b"070702" {
            return Err(format!("no cpio newc header at byte {at}"));
        }
        let field = |i: usize| {
            let text = std::str::from_utf8(&header[6 + 8 * i..14 + 8 * i]).unwrap_or("");
            usize::from_str_radix(text, 16).map_err(|_| format!("bad cpio header at byte {at}"))
        };
        let (mode, size, name_len) = (field(1)?, field(6)?, field(11)?);
        let name_start = at + 110;
        let name = archive
            .get(name_start..name_start + name_len.saturating_sub(1))
            .ok_or("the cpio archive ends inside a name")?;
        let name = String::from_utf8_lossy(name).into_owned();
        let data_start = (name_start + name_len).next_multiple_of(4);
        if name == "TRAILER!!!" {
            return Ok(entries);
        }
        let data = archive
            .get(data_start..data_start + size)
            .ok_or_else(|| format!("the cpio archive ends inside {name}"))?;
        if mode & 0o170000 == 0o100000 {
            entries.push(Entry {
                name: name
                    .trim_start_matches("./")
                    .trim_start_matches('/')
                    .to_owned(),
                data,
            });
        }
        at = (data_start + size).next_multiple_of(4);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, mode: u32, data: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "070701{:08x}{mode:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
            0, 0, 0, 1, 0, data.len(), 0, 0, 0, 0, name.len() + 1, 0
        )
        .into_bytes();
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        while out.len() % 4 != 0 {
            out.push(0);
        }
        out.extend_from_slice(data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
        out
    }

    #[test]
    fn reads_regular_files_and_stops_at_the_trailer() {
        let mut archive = member("./usr/share/doc", 0o040755, b"");
        archive.extend(member("./usr/share/doc/GPL", 0o100644, b"license text"));
        archive.extend(member("TRAILER!!!", 0, b""));
        let files = regular_files(&archive).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].name, "usr/share/doc/GPL");
        assert_eq!(files[0].data, b"license text");
        assert!(regular_files(b"garbage").is_err());
    }
}

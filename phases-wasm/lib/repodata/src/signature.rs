//! Which key signed an RPM: the issuer key id of the OpenPGP signature in the
//! signature header. Pungi's `sigkeys` chooses packages by it. Only the lead
//! and the signature header are read (a few KiB), never the main header or
//! the payload, and no cryptography is done: checking the signature is rpm's
//! job at install time, choosing the right signed copy is the compose's.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::error::{Error, Result};
use crate::rpmfile::{LEAD_MAGIC, LEAD_SIZE, be_u32, read_header_structure, read_into};

/// Signature-header tags that hold an OpenPGP signature packet, in the order
/// rpm prefers them: header-only RSA/DSA, then the header+payload ones.
const SIGNATURE_TAGS: [u32; 4] = [268, 267, 1002, 1005];
const BIN_TYPE: u32 = 7;

/// The key id (16 lower-case hex digits) that signed the RPM at `path`, or
/// `None` when it carries no OpenPGP signature.
pub fn signing_key_id(path: &Path) -> Result<Option<String>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let rpm_error = |reason: String| Error::Rpm {
        path: path.to_owned(),
        reason,
    };
    let mut input = BufReader::with_capacity(16 * 1024, file);
    let mut bytes = Vec::with_capacity(8 * 1024);
    read_into(&mut input, &mut bytes, LEAD_SIZE, "lead").map_err(rpm_error)?;
    if bytes[..4] != LEAD_MAGIC {
        return Err(rpm_error("bad lead magic (not an RPM file)".into()));
    }
    read_header_structure(&mut input, &mut bytes, "signature header").map_err(rpm_error)?;
    let header = &bytes[LEAD_SIZE as usize..];
    let entries = be_u32(&header[8..12]) as usize;
    let store = &header[16 + entries * 16..];
    let index: Vec<(u32, u32, usize, usize)> = header[16..16 + entries * 16]
        .chunks_exact(16)
        .map(|e| {
            (
                be_u32(&e[0..4]),
                be_u32(&e[4..8]),
                be_u32(&e[8..12]) as usize,
                be_u32(&e[12..16]) as usize,
            )
        })
        .collect();
    for tag in SIGNATURE_TAGS {
        let Some(&(_, kind, offset, count)) = index.iter().find(|e| e.0 == tag) else {
            continue;
        };
        let packet = store.get(offset..offset.saturating_add(count));
        let packet = packet
            .filter(|_| kind == BIN_TYPE)
            .ok_or_else(|| rpm_error(format!("signature tag {tag} is not binary data")))?;
        let key = issuer(packet)
            .ok_or_else(|| rpm_error(format!("signature tag {tag}: no issuer key id found")))?;
        return Ok(Some(hex::encode(key)));
    }
    Ok(None)
}

/// The issuer key id of an OpenPGP signature packet (RFC 4880/9580): fixed in
/// a version 3 signature, an `issuer` or `issuer fingerprint` subpacket in
/// versions 4 to 6.
pub(crate) fn issuer(packet: &[u8]) -> Option<[u8; 8]> {
    let body = packet_body(packet)?;
    match *body.first()? {
        3 => body.get(7..15)?.try_into().ok(),
        version @ 4..=6 => {
            let wide = version == 6;
            let mut pos = 4;
            for _ in 0..2 {
                let len_size = if wide { 4 } else { 2 };
                let len = body
                    .get(pos..pos + len_size)?
                    .iter()
                    .fold(0usize, |n, b| (n << 8) | usize::from(*b));
                let area = body.get(pos + len_size..pos + len_size + len)?;
                if let Some(key) = issuer_subpacket(area) {
                    return Some(key);
                }
                pos += len_size + len;
            }
            None
        }
        _ => None,
    }
}

fn packet_body(packet: &[u8]) -> Option<&[u8]> {
    let first = *packet.first()?;
    if first & 0x80 == 0 {
        return None;
    }
    let (tag, header_len, len) = if first & 0x40 != 0 {
        let (len, size) = new_length(packet.get(1..)?)?;
        (first & 0x3f, 1 + size, len)
    } else {
        let size = match first & 3 {
            0 => 1,
            1 => 2,
            2 => 4,
            _ => return packet.get(1..),
        };
        let len = packet
            .get(1..1 + size)?
            .iter()
            .fold(0usize, |n, b| (n << 8) | usize::from(*b));
        ((first >> 2) & 0x0f, 1 + size, len)
    };
    if tag != 2 {
        return None;
    }
    packet.get(header_len..header_len.checked_add(len)?)
}

/// A new-format (and subpacket) length: its value and how many bytes it took.
fn new_length(b: &[u8]) -> Option<(usize, usize)> {
    let first = usize::from(*b.first()?);
    match first {
        0..=191 => Some((first, 1)),
        192..=254 => Some((((first - 192) << 8) + usize::from(*b.get(1)?) + 192, 2)),
        _ => Some((
            b.get(1..5)?
                .iter()
                .fold(0usize, |n, x| (n << 8) | usize::from(*x)),
            5,
        )),
    }
}

fn issuer_subpacket(mut area: &[u8]) -> Option<[u8; 8]> {
    while !area.is_empty() {
        let (len, size) = new_length(area)?;
        let sub = area.get(size..size + len)?;
        let (&kind, data) = sub.split_first()?;
        match kind & 0x7f {
            16 => return data.get(..8)?.try_into().ok(),
            33 => {
                let (&key_version, fingerprint) = data.split_first()?;
                let id = if key_version == 4 {
                    fingerprint.get(fingerprint.len().checked_sub(8)?..)?
                } else {
                    fingerprint.get(..8)?
                };
                return id.try_into().ok();
            }
            _ => {}
        }
        area = &area[size + len..];
    }
    None
}

/// An OpenPGP v4 signature packet whose only content is an issuer subpacket:
/// enough for [`signing_key_id`], for tests and fixtures that need "signed"
/// RPMs without a key pair.
pub fn issuer_only_signature(key_id: [u8; 8]) -> Vec<u8> {
    let mut body = vec![4, 0, 1, 8, 0, 0];
    let unhashed = [&[9u8, 16][..], &key_id[..]].concat();
    body.extend_from_slice(&(unhashed.len() as u16).to_be_bytes());
    body.extend_from_slice(&unhashed);
    body.extend_from_slice(&[0, 0]);
    let mut packet = vec![0xc2, body.len() as u8];
    packet.extend_from_slice(&body);
    packet
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_issuer_in_v3_and_v4_packets() {
        let key = [0xde, 0xad, 0xbe, 0xef, 0x12, 0x34, 0x56, 0x78];
        assert_eq!(issuer(&issuer_only_signature(key)), Some(key));
        // Old-format v3 packet: tag 2, one length byte.
        let mut v3 = vec![0x88, 19, 3, 5, 0, 0, 0, 0, 0];
        v3.extend_from_slice(&key);
        v3.extend_from_slice(&[1, 8, 0, 0]);
        assert_eq!(issuer(&v3), Some(key));
        // Issuer fingerprint (v4 key): the key id is the last 8 bytes.
        let mut fp = vec![0u8; 12];
        fp.extend_from_slice(&key);
        let sub = [&[22u8, 33, 4][..], &fp[..]].concat();
        let mut body = vec![4, 0, 1, 8, 0, sub.len() as u8];
        body.extend_from_slice(&sub);
        body.extend_from_slice(&[0, 0, 0, 0]);
        let packet = [&[0xc2, body.len() as u8][..], &body[..]].concat();
        assert_eq!(issuer(&packet), Some(key));
        assert_eq!(issuer(&[0xc2, 2, 9, 9]), None);
        assert_eq!(issuer(&[]), None);
    }
}

//! Checks of an ISO image's structure from a few small reads, for the Test phase: the
//! primary volume descriptor (sector 16), the El Torito boot record (sector 17) and its
//! boot catalog, and the MBR isohybrid writes in the first 512 bytes.

/// ISO 9660 logical sector size.
pub const SECTOR: u64 = 2048;

/// The volume id of a valid primary volume descriptor.
pub fn primary_volume_id(sector16: &[u8]) -> Result<String, String> {
    if sector16.len() < 2048 {
        return Err("the image is shorter than 17 sectors".into());
    }
    if sector16[0] != 1 || &sector16[1..6] != b"CD001" || sector16[6] != 1 {
        return Err("sector 16 is not an ISO 9660 primary volume descriptor".into());
    }
    Ok(String::from_utf8_lossy(&sector16[40..72])
        .trim_end()
        .to_owned())
}

/// The boot catalog's sector from an El Torito boot record volume descriptor.
pub fn el_torito_catalog(sector17: &[u8]) -> Result<u32, String> {
    const SPEC: &[u8] = b"EL TORITO SPECIFICATION";
    if sector17.len() < 0x4B
        || sector17[0] != 0
        || &sector17[1..6] != b"CD001"
        || &sector17[7..7 + SPEC.len()] != SPEC
    {
        return Err("sector 17 is not an El Torito boot record".into());
    }
    Ok(u32::from_le_bytes([
        sector17[0x47],
        sector17[0x48],
        sector17[0x49],
        sector17[0x4A],
    ]))
}

/// Checks the boot catalog: a validation entry (header 1, key 55 AA, words summing to
/// zero) followed by a bootable initial entry (indicator 0x88).
pub fn check_boot_catalog(catalog: &[u8]) -> Result<(), String> {
    if catalog.len() < 64 {
        return Err("the boot catalog is cut short".into());
    }
    let validation = &catalog[..32];
    if validation[0] != 1 || validation[30] != 0x55 || validation[31] != 0xAA {
        return Err("the boot catalog has no valid validation entry".into());
    }
    let sum = validation.chunks(2).fold(0u16, |s, w| {
        s.wrapping_add(u16::from_le_bytes([w[0], w[1]]))
    });
    if sum != 0 {
        return Err("the boot catalog's validation entry checksum is wrong".into());
    }
    if catalog[32] != 0x88 {
        return Err("the boot catalog's initial entry is not bootable".into());
    }
    Ok(())
}

/// Checks that the first 512 bytes are an MBR with a partition, as isohybrid leaves.
pub fn check_isohybrid(mbr: &[u8]) -> Result<(), String> {
    if mbr.len() < 512 || mbr[510] != 0x55 || mbr[511] != 0xAA {
        return Err("no MBR signature (55 AA) at byte 510: not isohybrid".into());
    }
    let has_partition = (0..4).any(|i| mbr[446 + 16 * i + 4] != 0);
    if !has_partition {
        return Err("the MBR has no partition: not isohybrid".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_are_recognised_and_garbage_is_not() {
        let mut pvd = vec![0u8; 2048];
        pvd[0] = 1;
        pvd[1..6].copy_from_slice(b"CD001");
        pvd[6] = 1;
        pvd[40..72].copy_from_slice(&[b' '; 32]);
        pvd[40..44].copy_from_slice(b"DEMO");
        assert_eq!(primary_volume_id(&pvd).unwrap(), "DEMO");
        assert!(primary_volume_id(&[0u8; 2048]).is_err());

        let mut boot = vec![0u8; 2048];
        boot[1..6].copy_from_slice(b"CD001");
        boot[6] = 1;
        boot[7..30].copy_from_slice(b"EL TORITO SPECIFICATION");
        boot[0x47] = 33;
        assert_eq!(el_torito_catalog(&boot).unwrap(), 33);
        assert!(el_torito_catalog(&pvd).is_err());

        let mut catalog = vec![0u8; 64];
        catalog[0] = 1;
        catalog[30] = 0x55;
        catalog[31] = 0xAA;
        let sum = catalog[..32].chunks(2).fold(0u16, |s, w| {
            s.wrapping_add(u16::from_le_bytes([w[0], w[1]]))
        });
        catalog[28..30].copy_from_slice(&0u16.wrapping_sub(sum).to_le_bytes());
        catalog[32] = 0x88;
        check_boot_catalog(&catalog).unwrap();
        catalog[32] = 0;
        assert!(check_boot_catalog(&catalog).is_err());

        let mut mbr = vec![0u8; 512];
        assert!(check_isohybrid(&mbr).is_err());
        mbr[510] = 0x55;
        mbr[511] = 0xAA;
        mbr[446 + 4] = 0x17;
        check_isohybrid(&mbr).unwrap();
    }
}

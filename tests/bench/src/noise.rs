//! Big input files of pseudo-random bytes (xorshift, not sparse and not compressible by
//! a file system, so every byte is read), made once and reused by later runs.

use std::io::Write as _;
use std::path::Path;

/// Writes `mib` MiB of pseudo-random bytes from `seed` to `path`, unless a file of that
/// size is already there.
pub fn ensure_file(path: &Path, mib: u64, seed: u64) -> anyhow::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == mib << 20) {
        return Ok(());
    }
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut block = vec![0u8; 1 << 20];
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ seed;
    for _ in 0..mib {
        for chunk in block.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        file.write_all(&block)?;
    }
    file.flush()?;
    Ok(())
}

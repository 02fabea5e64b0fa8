//! The programs that make and finish an image, run through the command capability:
//! xorriso (`-as mkisofs`) or genisoimage, isohybrid, implantisomd5 and checkisomd5.

use pungi_phase_sdk::{Context, Invocation, PhaseError, log};

/// What boots the disc, from the files its tree has.
#[derive(Debug, Clone, Copy, Default)]
pub struct Boot {
    /// `isolinux/isolinux.bin`: BIOS El Torito, then isohybrid.
    pub bios: bool,
    /// `images/efiboot.img`: a UEFI El Torito entry.
    pub efi: bool,
}

impl Boot {
    pub fn any(self) -> bool {
        self.bios || self.efi
    }
}

/// What an image is dated by: the compose date at 00:00 UTC, never the clock, so the same
/// inputs make the same image.
#[derive(Debug, Clone, Copy)]
pub struct ImageDate<'a> {
    /// `YYYYMMDD`.
    pub date: &'a str,
    /// The same instant in seconds since the epoch.
    pub epoch: u64,
}

impl ImageDate<'_> {
    /// xorriso's ECMA-119 form, `YYYYMMDDhhmmsscc` in UTC.
    fn timestring(self) -> String {
        format!("{}00000000", self.date)
    }
}

/// Runs `program` with `args`; a non-zero exit is an error carrying its stderr.
pub fn run(
    ctx: &Context,
    program: &str,
    args: &[String],
    cwd: &str,
) -> Result<Vec<u8>, PhaseError> {
    log::info(format!("{program} {}", args.join(" ")));
    let out = ctx.run_command(&Invocation {
        program: program.into(),
        args: args.to_vec(),
        cwd: Some(cwd.into()),
        env: Vec::new(),
        timeout_ms: None,
    })?;
    if out.exit_code != Some(0) {
        return Err(PhaseError::input(format!(
            "{program} failed (exit {:?}): {}",
            out.exit_code,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out.stdout)
}

/// mkisofs-style arguments (Pungi's `get_mkisofs_cmd`) for `staging` into `iso`.
pub fn mkisofs_args(
    xorriso: bool,
    volid: &str,
    boot: Boot,
    iso: &str,
    staging: &str,
    dated: ImageDate,
) -> Vec<String> {
    let mut args: Vec<String> = Vec::new();
    if xorriso {
        args.extend(["-as", "mkisofs"].map(String::from));
    } else {
        args.push("-untranslated-filenames".into());
    }
    args.extend(["-volid".into(), volid.into()]);
    args.extend(["-J", "-joliet-long", "-rational-rock"].map(String::from));
    if !xorriso {
        args.extend(["-translation-table", "-input-charset", "utf-8"].map(String::from));
    }
    if boot.bios {
        args.extend(
            [
                "-b",
                "isolinux/isolinux.bin",
                "-c",
                "isolinux/boot.cat",
                "-no-emul-boot",
                "-boot-load-size",
                "4",
                "-boot-info-table",
            ]
            .map(String::from),
        );
    }
    if boot.efi {
        if boot.bios {
            args.push("-eltorito-alt-boot".into());
        } else {
            args.extend(["-c", "images/boot.cat"].map(String::from));
        }
        args.extend(["-e", "images/efiboot.img", "-no-emul-boot"].map(String::from));
    }
    args.extend(["-o".into(), iso.into(), staging.into()]);
    if xorriso {
        // isomd5sum cannot verify images under about 700 KiB; 1 MiB of padding (instead
        // of xorriso's 300 KiB) keeps small media checkable and costs nothing on real ones.
        args.extend(["--", "-padding", "1m"].map(String::from));
        // Every timestamp on the disc (volume dates and UUID, files, the boot catalog)
        // is the compose date, as SOURCE_DATE_EPOCH would make it.
        let time = dated.timestring();
        for setting in ["uuid", "all_file_dates"] {
            args.extend(["-volume_date".into(), setting.into(), time.clone()]);
        }
        args.extend(["-iso_nowtime".into(), time]);
    }
    args
}

/// Makes the image at `iso` and returns its implanted MD5. The image is made under a
/// hidden name beside `iso` and renamed into place only once it is complete, so a failed
/// or killed tool never leaves a partial image in the compose.
pub fn make_image(
    ctx: &Context,
    xorriso: bool,
    volid: &str,
    boot: Boot,
    iso: &str,
    staging: &str,
    dated: ImageDate,
) -> Result<String, PhaseError> {
    let (dir, name) = iso
        .rsplit_once('/')
        .ok_or_else(|| PhaseError::internal(format!("{iso} is not an absolute path")))?;
    let partial = format!("{dir}/.{name}.partial");
    let made = build_image(ctx, xorriso, volid, boot, &partial, staging, dated).and_then(|md5| {
        std::fs::rename(&partial, iso)
            .map(|()| md5)
            .map_err(|e| PhaseError::io(format!("renaming {partial} to {iso}"), e))
    });
    if made.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    made
}

/// Makes the image, makes it isohybrid when it boots from BIOS, implants its MD5, dates
/// the file by the compose date and returns the implanted MD5.
fn build_image(
    ctx: &Context,
    xorriso: bool,
    volid: &str,
    boot: Boot,
    iso: &str,
    staging: &str,
    dated: ImageDate,
) -> Result<String, PhaseError> {
    let program = if xorriso { "xorriso" } else { "genisoimage" };
    run(
        ctx,
        program,
        &mkisofs_args(xorriso, volid, boot, iso, staging, dated),
        staging,
    )?;
    if boot.bios {
        // The MBR id is random unless given.
        let mut args = vec!["--id".to_owned(), (dated.epoch & 0xffff_ffff).to_string()];
        if boot.efi {
            args.push("--uefi".to_owned());
        }
        args.push(iso.to_owned());
        run(ctx, "isohybrid", &args, staging)?;
    }
    run(ctx, "implantisomd5", &[iso.to_owned()], staging)?;
    let out = run(
        ctx,
        "checkisomd5",
        &["--md5sumonly".to_owned(), iso.to_owned()],
        staging,
    )?;
    let text = String::from_utf8_lossy(&out);
    let md5 = text
        .lines()
        .next()
        .and_then(|l| l.rsplit(':').next())
        .map(|s| s.trim().to_owned())
        .filter(|s| s.len() == 32)
        .ok_or_else(|| {
            PhaseError::input(format!("checkisomd5 --md5sumonly {iso} printed {text:?}"))
        })?;
    let modified = std::time::UNIX_EPOCH + std::time::Duration::from_secs(dated.epoch);
    std::fs::File::options()
        .write(true)
        .open(iso)
        .and_then(|file| file.set_modified(modified))
        .map_err(|e| PhaseError::io(format!("dating {iso}"), e))?;
    Ok(md5)
}

//! A minimal ZIP writer: stored (uncompressed) entries, fixed timestamps.
//!
//! An `.apkg` is a ZIP archive of a SQLite file and a media index, and the Obsidian download is a
//! ZIP of a few notes. Both are small, so storing without compression costs little, and writing
//! the format directly (local headers, central directory, end record, CRC-32) takes a page of
//! code instead of a dependency. Timestamps are fixed at 1980-01-01 so the same input gives the
//! same bytes.

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as ZIP requires.
///
/// ```
/// assert_eq!(cards::zip::crc32(b"123456789"), 0xCBF43926);
/// ```
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// A ZIP archive holding `entries` (name, bytes), stored without compression.
///
/// Sizes and offsets are 32-bit fields, so an entry or the archive past 4 GiB is refused.
pub fn archive(entries: &[(&str, &[u8])]) -> errors::Result<Vec<u8>> {
    const DOS_DATE: u16 = (1 << 5) | 1; // 1980-01-01
    let too_big = |what: &str| {
        errors::bad(
            "zip entry",
            what.to_string(),
            "it must be smaller than 4 GiB",
        )
    };
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = u32::try_from(out.len()).map_err(|_| too_big(name))?;
        let size = u32::try_from(data.len()).map_err(|_| too_big(name))?;
        let name_len = u16::try_from(name.len()).map_err(|_| too_big(name))?;
        let crc = crc32(data);
        // Local file header.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed: 2.0
        out.extend_from_slice(&0x0800u16.to_le_bytes()); // flags: UTF-8 names
        out.extend_from_slice(&0u16.to_le_bytes()); // method: stored
        out.extend_from_slice(&0u16.to_le_bytes()); // time
        out.extend_from_slice(&DOS_DATE.to_le_bytes());
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes()); // compressed size
        out.extend_from_slice(&size.to_le_bytes()); // uncompressed size
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra field length
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        // Its central directory record.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&20u16.to_le_bytes()); // version needed
        central.extend_from_slice(&0x0800u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&DOS_DATE.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&[0; 8]); // extra, comment, disk start, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let count = u16::try_from(entries.len()).map_err(|_| too_big("entry count"))?;
    let central_offset = u32::try_from(out.len()).map_err(|_| too_big("archive"))?;
    let central_len = u32::try_from(central.len()).map_err(|_| too_big("archive"))?;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disk numbers
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_headers_date_the_entry_1980_01_01() {
        let zip = archive(&[("a.md", b"x")]).expect("a small archive");
        // DOS date: day 1 in bits 0-4, month 1 in bits 5-8, years since 1980 above.
        let date = |at: usize| u16::from_le_bytes([zip[at], zip[at + 1]]);
        assert_eq!(date(12), 0x0021, "local header");
        let central = 30 + "a.md".len() + 1;
        assert_eq!(&zip[central..central + 4], &0x0201_4b50u32.to_le_bytes());
        assert_eq!(date(central + 14), 0x0021, "central directory");
    }
}

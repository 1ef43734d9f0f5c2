//! The small picture an answer carries beside the saved file's path: the image downscaled to a
//! JPEG of at most [`MAX_BYTES`], so an agent can look without reading a 4K file into its
//! context.

use std::io::Cursor;
use std::path::Path;

use base64::Engine as _;
use image::codecs::jpeg::JpegEncoder;

/// The largest preview, in bytes (before base64).
pub const MAX_BYTES: usize = 256 * 1024;

/// The long edges tried, largest first, until the JPEG fits [`MAX_BYTES`].
const EDGES: [u32; 4] = [512, 384, 256, 128];

/// A preview of `path`: base64 JPEG data and its MIME type, or why there is none.
pub fn of(path: &Path) -> Result<(String, &'static str), String> {
    let picture = image::ImageReader::open(path)
        .and_then(|reader| reader.with_guessed_format())
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .decode()
        .map_err(|e| format!("cannot decode {}: {e}", path.display()))?;
    for edge in EDGES {
        let small = picture.thumbnail(edge, edge).to_rgb8();
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), 80)
            .encode_image(&small)
            .map_err(|e| format!("cannot encode a preview of {}: {e}", path.display()))?;
        if jpeg.len() <= MAX_BYTES {
            return Ok((
                base64::engine::general_purpose::STANDARD.encode(&jpeg),
                "image/jpeg",
            ));
        }
    }
    Err(format!(
        "no preview of {} fits {} KB",
        path.display(),
        MAX_BYTES / 1024
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_image_becomes_a_small_jpeg() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.png");
        // Noise compresses badly: the worst case for the size bound.
        let mut seed = 7u32;
        let big = image::RgbImage::from_fn(2048, 1024, |_, _| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            image::Rgb([(seed >> 16) as u8, (seed >> 8) as u8, seed as u8])
        });
        big.save(&path).unwrap();
        let (data, mime) = of(&path).unwrap();
        assert_eq!(mime, "image/jpeg");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        assert!(bytes.len() <= MAX_BYTES, "{} bytes", bytes.len());
        let small = image::load_from_memory(&bytes).unwrap();
        assert!(small.width() <= 512 && small.height() <= 512);
        assert_eq!(
            small.width(),
            2 * small.height(),
            "the aspect ratio is kept"
        );
    }

    #[test]
    fn a_file_that_is_no_image_has_no_preview() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("note.png");
        std::fs::write(&path, b"not an image").unwrap();
        assert!(of(&path).unwrap_err().contains("note.png"));
    }
}

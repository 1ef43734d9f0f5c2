//! What the workspace's tests share, written once: the key tests use, the first bytes of each
//! image type the file service takes, reading a PNG's size, and (feature `sandbox`) a sandbox
//! whose tasks take milliseconds with an SDK client that retries and polls just as fast.

use std::path::Path;

/// The key the tests send; no output, log or error may ever contain it.
pub const KEY: &str = "sk-test-kit-0123456789abcdef-never-print-me";

/// The shortest valid head of each image type the file service takes: file name, bytes, MIME
/// type.
pub const SAMPLES: [(&str, &[u8], &str); 4] = [
    ("a.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image/png"),
    ("b.jpg", b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01", "image/jpeg"),
    ("c.gif", b"GIF89a\x01\0\x01\0\x80\0\0", "image/gif"),
    ("d.webp", b"RIFF\x1a\0\0\0WEBPVP8 \x0e\0", "image/webp"),
];

/// The width and height of the PNG at `path`.
pub fn png_size(path: &Path) -> (u32, u32) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let info = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{} is not a PNG: {e}", path.display()));
    (info.info().width, info.info().height)
}

/// Writes a real 64×48 grey PNG to `path`.
pub fn write_png(path: &Path) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut encoder = png::Encoder::new(file, 64, 48);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&vec![120u8; 64 * 48 * 3]).unwrap();
}

#[cfg(feature = "sandbox")]
pub mod sandbox;

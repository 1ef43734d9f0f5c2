//! Result images: real PNGs whose size follows the request and whose pixels follow the
//! prompt, so the same prompt always gives the same bytes.

use std::io::Write as _;

use nanobanana_api::types::{ImageQuality, ImageSize};

/// Width and height for `size` (auto is 1:1) and `quality` (the long edge: 0.5K 512, 1K 1024,
/// 2K 2048, 4K 4096; 2K when unset, as the API documents).
pub fn dimensions(size: Option<&ImageSize>, quality: Option<&ImageQuality>) -> (u32, u32) {
    let long = match quality {
        Some(ImageQuality::Res0_5K) => 512,
        Some(ImageQuality::Res1K) => 1024,
        Some(ImageQuality::Res4K) => 4096,
        Some(ImageQuality::Res2K) | None => 2048,
    };
    let (a, b) = match size.map(|s| s.to_string()) {
        Some(ratio) if ratio != "auto" => {
            let (a, b) = ratio.split_once(':').expect("sizes are ratios a:b or auto");
            (
                a.parse::<u32>().expect("ratio"),
                b.parse::<u32>().expect("ratio"),
            )
        }
        _ => (1, 1),
    };
    if a >= b {
        (long, (long as f64 * b as f64 / a as f64).round() as u32)
    } else {
        ((long as f64 * a as f64 / b as f64).round() as u32, long)
    }
}

/// A 64-bit FNV-1a hash: a stable seed from the prompt (std's hashers are not stable across
/// releases).
pub fn seed(text: &str) -> u64 {
    seed_bytes(text.as_bytes())
}

/// [`seed`] of any bytes, such as an uploaded image's.
pub fn seed_bytes(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Encodes a `width × height` PNG for `seed`: a diagonal gradient between two colours taken from
/// the seed, with a few soft bands. Rows are streamed to the encoder, so memory stays at one row.
pub fn render_png(seed: u64, width: u32, height: u32) -> Vec<u8> {
    let colour = |shift: u32| {
        let v = seed.rotate_left(shift);
        [
            (v & 0xff) as u8,
            ((v >> 8) & 0xff) as u8,
            ((v >> 16) & 0xff) as u8,
        ]
    };
    let (from, to) = (colour(0), colour(24));
    let bands = 3 + (seed % 5) as u32;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().expect("a valid PNG header");
    {
        let mut stream = writer.stream_writer().expect("a PNG stream");
        let mut row = vec![0u8; width as usize * 3];
        let span = (width + height).max(1) as f32;
        for y in 0..height {
            for x in 0..width {
                let t = (x + y) as f32 / span;
                let band = if ((x * bands) / width.max(1)).is_multiple_of(2) {
                    1.0
                } else {
                    0.9
                };
                for c in 0..3 {
                    let v = from[c] as f32 + (to[c] as f32 - from[c] as f32) * t;
                    row[x as usize * 3 + c] = (v * band) as u8;
                }
            }
            stream.write_all(&row).expect("writing to memory");
        }
        stream.finish().expect("a complete PNG");
    }
    writer.finish().expect("a complete PNG");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use nanobanana_api::types::{ImageQuality as Q, ImageSize as S};

    #[test]
    fn sizes_follow_ratio_and_quality() {
        assert_eq!(dimensions(None, None), (2048, 2048));
        assert_eq!(dimensions(Some(&S::Auto), Some(&Q::Res1K)), (1024, 1024));
        assert_eq!(
            dimensions(Some(&S::Ratio16x9), Some(&Q::Res4K)),
            (4096, 2304)
        );
        assert_eq!(
            dimensions(Some(&S::Ratio9x16), Some(&Q::Res1K)),
            (576, 1024)
        );
        assert_eq!(
            dimensions(Some(&S::Ratio21x9), Some(&Q::Res2K)),
            (2048, 878)
        );
        assert_eq!(
            dimensions(Some(&S::Ratio4x5), Some(&Q::Res2K)),
            (1638, 2048)
        );
        // The lowest quality and the extreme ratios of Nano Banana 2.
        assert_eq!(dimensions(Some(&S::Ratio1x8), Some(&Q::Res0_5K)), (64, 512));
        assert_eq!(dimensions(Some(&S::Ratio4x1), Some(&Q::Res1K)), (1024, 256));
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes_and_a_valid_png() {
        let a = render_png(seed("a cat"), 64, 48);
        assert_eq!(a, render_png(seed("a cat"), 64, 48));
        assert_ne!(a, render_png(seed("a dog"), 64, 48));
        let decoder = png::Decoder::new(std::io::Cursor::new(&a));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (64, 48));
    }
}

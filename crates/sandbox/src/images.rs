//! Result images: real JPEGs (or PNGs) whose size follows the request, whose colours follow the
//! prompt and the input images, and whose caption says what produced them (prompt, model,
//! size × quality, the inputs), so the same request always gives the same bytes.

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
    continue_seed(0xcbf2_9ce4_8422_2325, bytes)
}

/// [`seed_bytes`] continued over more bytes: `continue_seed(seed_bytes(a), b)` is
/// `seed_bytes(a ++ b)`, so a file streamed in chunks gets the seed of its whole bytes.
pub fn continue_seed(seed: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(seed, |h, b| (h ^ *b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// The encoding the sandbox serves results in: JPEG at `.jpg` addresses by default, as the real
/// service does, or PNG on request (`--result-format png`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ResultFormat {
    /// `image/jpeg`, `.jpg`.
    #[default]
    Jpeg,
    /// `image/png`, `.png`.
    Png,
}

impl ResultFormat {
    /// The file extension of result addresses.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    /// The `Content-Type` of results.
    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }
}

impl std::str::FromStr for ResultFormat {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text.to_ascii_lowercase().as_str() {
            "jpeg" | "jpg" => Ok(Self::Jpeg),
            "png" => Ok(Self::Png),
            other => Err(format!("`{other}` is not a result format; use jpeg or png")),
        }
    }
}

/// What a placeholder says about itself, drawn in its top-left corner: the prompt's first line,
/// the model, size × quality (each wrapped to the width), and one swatch per input image (its
/// average colour), so a picture shows what produced it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Caption {
    /// Text lines, top to bottom.
    pub lines: Vec<String>,
    /// One colour per input image, drawn as swatches under the text.
    pub swatches: Vec<[u8; 3]>,
}

/// The pixels of one placeholder: a diagonal gradient between two colours taken from the seed,
/// with a few soft bands, and the caption. Computed a row at a time.
struct Placeholder<'a> {
    width: u32,
    height: u32,
    from: [u8; 3],
    to: [u8; 3],
    bands: u32,
    caption: &'a Caption,
    /// The caption's lines wrapped to the width, as many as fit in a third of the height.
    rows: Vec<Vec<char>>,
    /// The glyph scale: 8 × 8 glyphs drawn `scale` pixels per dot.
    scale: u32,
}

impl<'a> Placeholder<'a> {
    fn new(seed: u64, width: u32, height: u32, caption: &'a Caption) -> Self {
        let colour = |shift: u32| {
            let v = seed.rotate_left(shift);
            [
                (v & 0xff) as u8,
                ((v >> 8) & 0xff) as u8,
                ((v >> 16) & 0xff) as u8,
            ]
        };
        // Glyphs grow with the picture, but never so large that a line holds fewer than
        // 16 characters.
        let scale = (width.max(height) / 512).min(width / (16 * 8)).clamp(1, 6);
        let cell = 8 * scale;
        let columns = (width.saturating_sub(4 * scale) / cell) as usize;
        let max_rows = ((height / 3) / (cell + 2 * scale)).max(1) as usize;
        Self {
            width,
            height,
            from: colour(0),
            to: colour(24),
            bands: 3 + (seed % 5) as u32,
            caption,
            rows: wrap(&caption.lines, columns, max_rows),
            scale,
        }
    }

    /// Row `y` as RGB into `row`.
    fn row(&self, y: u32, row: &mut [u8]) {
        let span = (self.width + self.height).max(1) as f32;
        for x in 0..self.width {
            let t = (x + y) as f32 / span;
            let band = if ((x * self.bands) / self.width.max(1)).is_multiple_of(2) {
                1.0
            } else {
                0.9
            };
            for c in 0..3 {
                let v = self.from[c] as f32 + (self.to[c] as f32 - self.from[c] as f32) * t;
                row[x as usize * 3 + c] = (v * band) as u8;
            }
        }
        self.draw_caption(y, row);
    }

    /// The caption's pixels in row `y`: white text on a dark strip, then the swatches.
    fn draw_caption(&self, y: u32, row: &mut [u8]) {
        let cell = 8 * self.scale;
        let line_height = cell + 2 * self.scale;
        let margin = 2 * self.scale;
        let text_rows = self.rows.len() as u32;
        let text_bottom = margin + text_rows * line_height;
        if y < text_bottom && !self.rows.is_empty() {
            let line = ((y - y.min(margin)) / line_height) as usize;
            let within = (y.saturating_sub(margin)) % line_height;
            let text = &self.rows[line.min(self.rows.len() - 1)];
            let strip_end = (margin + text.len() as u32 * cell + margin).min(self.width);
            for x in 0..strip_end {
                let pixel = &mut row[x as usize * 3..x as usize * 3 + 3];
                for v in pixel.iter_mut() {
                    *v /= 3;
                }
            }
            if y >= margin && within < cell {
                let dot_row = (within / self.scale) as usize;
                for (i, ch) in text.iter().enumerate() {
                    let glyph = glyph(*ch);
                    let bits = glyph[dot_row];
                    for dot in 0..8u32 {
                        if bits & (1 << dot) == 0 {
                            continue;
                        }
                        let x0 = margin + i as u32 * cell + dot * self.scale;
                        for x in x0..(x0 + self.scale).min(self.width) {
                            row[x as usize * 3..x as usize * 3 + 3]
                                .copy_from_slice(&[240, 240, 240]);
                        }
                    }
                }
            }
        }
        // One swatch per input image, under the text.
        let swatch = 3 * cell;
        let top = text_bottom + margin;
        if !self.caption.swatches.is_empty() && y >= top && y < top + swatch {
            for (i, colour) in self.caption.swatches.iter().enumerate() {
                let x0 = margin + i as u32 * (swatch + margin);
                let colour = *colour;
                for x in x0..(x0 + swatch).min(self.width) {
                    let edge = x == x0 || x + 1 == x0 + swatch || y == top || y + 1 == top + swatch;
                    let c = if edge { [240, 240, 240] } else { colour };
                    row[x as usize * 3..x as usize * 3 + 3].copy_from_slice(&c);
                }
            }
        }
    }
}

/// `lines` broken at spaces (or mid-word when a word is longer) into rows of at most `columns`
/// characters; at most `max_rows` rows, the last ending in `…` (drawn `~`) when text is left.
fn wrap(lines: &[String], columns: usize, max_rows: usize) -> Vec<Vec<char>> {
    let mut rows: Vec<Vec<char>> = Vec::new();
    if columns == 0 {
        return rows;
    }
    for line in lines {
        let mut row: Vec<char> = Vec::new();
        for word in line.split_whitespace() {
            let word: Vec<char> = word.chars().collect();
            let needed = if row.is_empty() {
                word.len()
            } else {
                row.len() + 1 + word.len()
            };
            if needed <= columns {
                if !row.is_empty() {
                    row.push(' ');
                }
                row.extend(&word);
                continue;
            }
            if !row.is_empty() {
                rows.push(std::mem::take(&mut row));
            }
            for chunk in word.chunks(columns) {
                if chunk.len() == columns {
                    rows.push(chunk.to_vec());
                } else {
                    row = chunk.to_vec();
                }
            }
        }
        if !row.is_empty() || line.trim().is_empty() {
            rows.push(row);
        }
    }
    if rows.len() > max_rows {
        rows.truncate(max_rows);
        if let Some(last) = rows.last_mut() {
            last.truncate(columns.saturating_sub(1));
            last.push('~');
        }
    }
    rows
}

/// The 8 × 8 glyph of `ch` (ASCII; anything else is drawn as `?`).
fn glyph(ch: char) -> [u8; 8] {
    let index = if ch.is_ascii() {
        ch as usize
    } else {
        '?' as usize
    };
    font8x8::legacy::BASIC_LEGACY[index]
}

/// Encodes the `width × height` placeholder for `seed` with `caption` as `format`. PNG rows are
/// streamed to the encoder (memory stays at one row); JPEG needs the whole picture.
pub fn render(
    seed: u64,
    width: u32,
    height: u32,
    caption: &Caption,
    format: ResultFormat,
) -> Vec<u8> {
    let picture = Placeholder::new(seed, width, height, caption);
    let mut row = vec![0u8; width as usize * 3];
    let mut out = Vec::new();
    match format {
        ResultFormat::Png => {
            let mut encoder = png::Encoder::new(&mut out, width, height);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            encoder.set_compression(png::Compression::Fast);
            let mut writer = encoder.write_header().expect("a valid PNG header");
            {
                let mut stream = writer.stream_writer().expect("a PNG stream");
                for y in 0..height {
                    picture.row(y, &mut row);
                    stream.write_all(&row).expect("writing to memory");
                }
                stream.finish().expect("a complete PNG");
            }
            writer.finish().expect("a complete PNG");
        }
        ResultFormat::Jpeg => {
            let mut pixels = Vec::with_capacity(width as usize * height as usize * 3);
            for y in 0..height {
                picture.row(y, &mut row);
                pixels.extend_from_slice(&row);
            }
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
                .encode(&pixels, width, height, image::ExtendedColorType::Rgb8)
                .expect("encoding to memory");
        }
    }
    out
}

/// [`render`] as PNG without a caption: the bare gradient.
pub fn render_png(seed: u64, width: u32, height: u32) -> Vec<u8> {
    render(seed, width, height, &Caption::default(), ResultFormat::Png)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caption_is_drawn_deterministically_and_jpeg_is_the_default() {
        let caption = Caption {
            lines: vec!["a red fox".into(), "gemini-3.1-flash-image-preview".into()],
            swatches: vec![[0x00, 0x88, 0xff]],
        };
        let bare = render(1, 256, 256, &Caption::default(), ResultFormat::Png);
        let captioned = render(1, 256, 256, &caption, ResultFormat::Png);
        assert_ne!(bare, captioned, "the caption shows");
        assert_eq!(captioned, render(1, 256, 256, &caption, ResultFormat::Png));
        let other_model = Caption {
            lines: vec!["a red fox".into(), "nano-banana-2-lite".into()],
            ..caption.clone()
        };
        assert_ne!(
            captioned,
            render(1, 256, 256, &other_model, ResultFormat::Png)
        );
        assert_eq!(ResultFormat::default(), ResultFormat::Jpeg);
        let jpeg = render(1, 64, 512, &caption, ResultFormat::Jpeg);
        assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]));
    }
    use nanobanana_api::types::{ImageQuality as Q, ImageSize as S};

    fn fox_caption() -> Caption {
        Caption {
            lines: vec![
                "a red fox in the snow".into(),
                "gemini-3.1-flash-image-preview".into(),
                "1:8 x 0.5K".into(),
                "sandbox placeholder".into(),
            ],
            swatches: vec![[200, 0, 0]],
        }
    }

    /// Every character of every line, spaces aside, in order.
    fn letters(rows: &[Vec<char>]) -> String {
        rows.iter().flatten().filter(|c| **c != ' ').collect()
    }

    #[test]
    fn labels_wrap_to_fit_a_narrow_picture_and_nothing_is_cut() {
        let caption = fox_caption();
        let all: String = caption.lines.concat().replace(' ', "");
        // 64 × 512 (1:8 at 0.5K): 7 characters a row, every character drawn.
        let narrow = Placeholder::new(1, 64, 512, &caption);
        assert!(
            narrow.rows.iter().all(|r| r.len() <= 7),
            "{:?}",
            narrow.rows
        );
        assert_eq!(letters(&narrow.rows), all);
        assert!(!narrow.rows.iter().flatten().any(|c| *c == '~'));
        // 4096 px: large glyphs (scale 6), each line on one row.
        let large = Placeholder::new(1, 4096, 4096, &caption);
        assert_eq!(large.scale, 6);
        assert_eq!(large.rows.len(), 4);
        assert_eq!(letters(&large.rows), all);
        // 512 × 64: too short for everything: as many rows as fit, the last marked cut.
        let short = Placeholder::new(1, 512, 64, &caption);
        assert!(short.rows.len() < 4);
        assert_eq!(short.rows.last().unwrap().last(), Some(&'~'));
    }

    #[test]
    fn a_swatch_shows_its_inputs_colour() {
        let caption = fox_caption();
        let picture = Placeholder::new(1, 1024, 1024, &caption);
        let mut row = vec![0u8; 1024 * 3];
        let red = (0..1024)
            .map(|y| {
                picture.row(y, &mut row);
                row.chunks(3).filter(|p| *p == [200, 0, 0]).count()
            })
            .sum::<usize>();
        // A 3-cell square (48 px at this scale) less its white edge.
        assert_eq!(red, 46 * 46);
    }

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

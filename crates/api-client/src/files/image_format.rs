//! Image formats recognised by their first bytes (magic numbers), never by a file name or a
//! `Content-Type`: what result downloads are checked against and what uploads must be.

/// An image format recognised by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// `\x89PNG\r\n\x1a\n`
    Png,
    /// `FF D8 FF`
    Jpeg,
    /// `GIF87a` or `GIF89a`
    Gif,
    /// `RIFF....WEBP`
    WebP,
}

impl ImageFormat {
    /// Bytes needed to recognise any format.
    pub const SNIFF_LEN: usize = 12;

    /// Every format: those the file service accepts (JPEG, PNG, GIF, WebP), and a superset of
    /// those results come in (JPEG, PNG, WebP).
    pub const ALL: [Self; 4] = [Self::Png, Self::Jpeg, Self::Gif, Self::WebP];

    /// The format of a file starting with `head`, if it is one of [`ALL`](Self::ALL).
    pub fn sniff(head: &[u8]) -> Option<Self> {
        if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
            Some(Self::Gif)
        } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            Some(Self::WebP)
        } else {
            None
        }
    }

    /// The file extension for the format.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Gif => "gif",
            Self::WebP => "webp",
        }
    }

    /// The media type for the format (what an upload is sent as).
    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::WebP => "image/webp",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognised_by_their_magic_bytes_only() {
        let cases: [(&[u8], Option<ImageFormat>); 8] = [
            (b"\x89PNG\r\n\x1a\n\0\0\0\r", Some(ImageFormat::Png)),
            (&[0xFF, 0xD8, 0xFF, 0xE0], Some(ImageFormat::Jpeg)),
            (b"GIF89a\x01\0\x01\0", Some(ImageFormat::Gif)),
            (b"GIF87a\x01\0\x01\0", Some(ImageFormat::Gif)),
            (b"RIFF\x10\0\0\0WEBPVP8 ", Some(ImageFormat::WebP)),
            (b"RIFF\x10\0\0\0WAVEfmt ", None),
            (b"<html><body>", None),
            (b"", None),
        ];
        for (head, expected) in cases {
            assert_eq!(ImageFormat::sniff(head), expected, "{head:?}");
        }
    }

    #[test]
    fn each_format_maps_to_its_media_type_and_extension() {
        let table: Vec<_> = ImageFormat::ALL
            .iter()
            .map(|f| (f.mime_type(), f.extension()))
            .collect();
        assert_eq!(
            table,
            [
                ("image/png", "png"),
                ("image/jpeg", "jpg"),
                ("image/gif", "gif"),
                ("image/webp", "webp")
            ]
        );
    }
}

//! An input image for image-to-image and editing: a URL, or a local file to upload first.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// An input image: a URL the API downloads itself, or a local file to upload first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageInput {
    /// An `http(s)` URL, passed through unchanged.
    Url(String),
    /// A local file, uploaded to the file service before the request is sent.
    File(PathBuf),
}

impl ImageInput {
    /// `scheme://…` is a URL (only http and https pass the checks: `ftp://…` is refused as a
    /// URL with the wrong scheme, not looked for as a file); anything else is a local path
    /// (`./photo.png`, `C:\photo.png`, `photo.png`).
    pub fn parse(text: &str) -> Self {
        let is_url = text.split_once("://").is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
        if is_url {
            Self::Url(text.to_string())
        } else {
            Self::File(PathBuf::from(text))
        }
    }
}

impl FromStr for ImageInput {
    type Err = Infallible;

    fn from_str(text: &str) -> Result<Self, Infallible> {
        Ok(Self::parse(text))
    }
}

impl From<&str> for ImageInput {
    fn from(text: &str) -> Self {
        Self::parse(text)
    }
}

impl From<String> for ImageInput {
    fn from(text: String) -> Self {
        Self::parse(&text)
    }
}

impl From<&Path> for ImageInput {
    fn from(path: &Path) -> Self {
        Self::File(path.to_path_buf())
    }
}

impl From<PathBuf> for ImageInput {
    fn from(path: PathBuf) -> Self {
        Self::File(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_paths_are_told_apart_by_scheme() {
        assert_eq!(
            ImageInput::parse("https://e.com/a.png"),
            ImageInput::Url("https://e.com/a.png".into())
        );
        assert_eq!(
            ImageInput::parse("HTTP://e.com/a.png"),
            ImageInput::Url("HTTP://e.com/a.png".into())
        );
        assert_eq!(
            ImageInput::parse("ftp://x/a.png"),
            ImageInput::Url("ftp://x/a.png".into()),
            "another scheme is a URL, refused for its scheme rather than looked up as a file"
        );
        for path in [
            "./photo.png",
            "photo.png",
            "/tmp/a.jpg",
            "http.png",
            "C:\\a.png",
        ] {
            assert_eq!(
                ImageInput::parse(path),
                ImageInput::File(path.into()),
                "{path}"
            );
        }
    }
}

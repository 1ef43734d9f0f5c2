//! Evolink's file service: [`Files`] (from [`NanoBanana::files`](crate::NanoBanana::files):
//! upload, quota, list, delete), [`Upload`] (what [`Files::upload`] stores), the list's
//! [`ListFiles`] and [`FilePage`], and the image types and size it takes (upload progress is
//! an [`UploadEvent`](crate::UploadEvent)).

pub(crate) mod image_format;
pub(crate) mod local_image;
pub(crate) mod service;
pub(crate) mod upload;

pub use image_format::ImageFormat;
pub use local_image::MAX_IMAGE_BYTES;
pub use service::{FilePage, Files, ListFiles, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use upload::Upload;

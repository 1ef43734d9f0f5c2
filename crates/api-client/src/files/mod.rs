//! Evolink's file service: [`Upload`] (what [`NanoBanana::upload`](crate::NanoBanana::upload)
//! stores), the upload progress events, and the image types and size it takes.

pub(crate) mod image_format;
pub(crate) mod local_image;
pub(crate) mod upload;

pub use crate::observer::UploadEvent;
pub use image_format::ImageFormat;
pub use local_image::MAX_IMAGE_BYTES;
pub use upload::Upload;

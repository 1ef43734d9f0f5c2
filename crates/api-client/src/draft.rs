//! A generation request as a person or a file states it: a model name, a prompt, options, and
//! input images that may be local files. [`Draft::check`] holds it against that model's own
//! limits before anything is sent or uploaded (the request type alone knows only the widest
//! limits of all models); [`NanoBanana::complete`] then uploads the local files and gives the
//! request to create.
//!
//! ```no_run
//! # async fn run(client: nanobanana_api::NanoBanana) -> Result<(), nanobanana_api::Error> {
//! use nanobanana_api::draft::Draft;
//! let checked = Draft::new("gemini-3-pro-image-preview", "make it a watercolor")
//!     .with_images(["./photo.png".into()])
//!     .check()
//!     .await?;
//! let request = client.complete(checked, |_| {}).await?;
//! client.generate(request, "out").await?;
//! # Ok(()) }
//! ```

use crate::image_input::ImageInput;
use crate::lineup::{self, ModelLimits};
use crate::upload::{check_generation_image, UploadEvent};
use crate::validation::{Validate, ValidationError};
use crate::{types, Error, NanoBanana};

/// A generation request before it is checked: strings and options as given.
#[derive(Clone, Debug)]
pub struct Draft {
    model: types::ImageModel,
    prompt: String,
    size: Option<types::ImageSize>,
    quality: Option<types::ImageQuality>,
    model_params: Option<serde_json::Map<String, serde_json::Value>>,
    images: Vec<ImageInput>,
    callback_url: Option<String>,
}

impl Draft {
    /// A draft for `model` (any name; unknown ones are checked against the limits every model
    /// shares) with `prompt`.
    pub fn new(model: impl Into<types::ImageModel>, prompt: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            prompt: prompt.into(),
            size: None,
            quality: None,
            model_params: None,
            images: Vec::new(),
            callback_url: None,
        }
    }

    /// The aspect ratio (`None`: the service's default, `auto`).
    pub fn with_size(mut self, size: Option<types::ImageSize>) -> Self {
        self.size = size;
        self
    }

    /// The quality (`None`: the service's default, `2K`).
    pub fn with_quality(mut self, quality: Option<types::ImageQuality>) -> Self {
        self.quality = quality;
        self
    }

    /// The model's extension parameters, passed through as given.
    pub fn with_model_params(
        mut self,
        params: Option<serde_json::Map<String, serde_json::Value>>,
    ) -> Self {
        self.model_params = params;
        self
    }

    /// The input images, in order: URLs, or local files uploaded by
    /// [`NanoBanana::complete`].
    pub fn with_images(mut self, images: impl IntoIterator<Item = ImageInput>) -> Self {
        self.images = images.into_iter().collect();
        self
    }

    /// Where the service posts the task when it ends (HTTPS).
    pub fn with_callback_url(mut self, url: Option<String>) -> Self {
        self.callback_url = url;
        self
    }

    /// Checks everything that can be checked without the network: the prompt and the number
    /// of images against the model's own limits, every field against the spec's, and each
    /// local file (it exists, its size, its type). The first problem is the error, naming
    /// the field and the limit.
    pub async fn check(self) -> Result<CheckedDraft, Error> {
        let limits = lineup::checked_limits(&self.model);
        // The prompt first, against the model's own limit: the request type knows only the
        // widest, and would refuse a long prompt without naming the model.
        limits.check_prompt(&self.prompt)?;
        limits.check_image_count("image_urls", self.images.len())?;
        let mut request = types::ImageGenerationRequest::builder()
            .model(self.model)
            .prompt(self.prompt);
        if let Some(size) = self.size {
            request = request.size(size);
        }
        if let Some(quality) = self.quality {
            request = request.quality(quality);
        }
        if let Some(params) = self.model_params {
            request = request.model_params(params);
        }
        if let Some(url) = self.callback_url {
            let url = url
                .parse::<types::ImageGenerationRequestCallbackUrl>()
                .map_err(|e| {
                    ValidationError::new("callback_url", e.to_string(), "at most 2048 characters")
                })?;
            request = request.callback_url(Some(url));
        }
        // The URLs are checked now with the request; the files below, and uploaded later.
        let urls: Vec<String> = self
            .images
            .iter()
            .filter_map(|image| match image {
                ImageInput::Url(url) => Some(url.clone()),
                ImageInput::File(_) => None,
            })
            .collect();
        let request: types::ImageGenerationRequest =
            request
                .image_urls(urls)
                .try_into()
                .map_err(|e: types::error::ConversionError| {
                    ValidationError::new("request", e.to_string(), "the API's limits")
                })?;
        request.validate()?;
        for image in &self.images {
            if let ImageInput::File(path) = image {
                check_generation_image(path, limits.max_image_bytes(), limits.name()).await?;
            }
        }
        Ok(CheckedDraft {
            request,
            images: self.images,
            limits,
        })
    }
}

/// A [`Draft`] that passed every check made without the network.
#[derive(Clone, Debug)]
pub struct CheckedDraft {
    request: types::ImageGenerationRequest,
    images: Vec<ImageInput>,
    limits: &'static ModelLimits,
}

impl CheckedDraft {
    /// The request, with the URL inputs only in `image_urls` (local files are not uploaded
    /// yet).
    pub fn request(&self) -> &types::ImageGenerationRequest {
        &self.request
    }

    /// Every input image, in order.
    pub fn images(&self) -> &[ImageInput] {
        &self.images
    }

    /// How many inputs are local files, to upload before the request can be created.
    pub fn local_files(&self) -> usize {
        self.images
            .iter()
            .filter(|i| matches!(i, ImageInput::File(_)))
            .count()
    }

    /// The limits of the draft's model.
    pub fn limits(&self) -> &'static ModelLimits {
        self.limits
    }
}

impl NanoBanana {
    /// The request of a checked draft, ready to create: local files uploaded (each upload
    /// reported to `on_event`) and every input in `image_urls`, in order.
    pub async fn complete<F>(
        &self,
        draft: CheckedDraft,
        on_event: F,
    ) -> Result<types::ImageGenerationRequest, Error>
    where
        F: Fn(UploadEvent<'_>) + Send + Sync + 'static,
    {
        let CheckedDraft {
            mut request,
            images,
            limits,
        } = draft;
        if images.iter().any(|i| matches!(i, ImageInput::File(_))) {
            request.image_urls = self.image_urls_for(limits, images, on_event).await?;
            request.validate()?;
        }
        Ok(request)
    }
}

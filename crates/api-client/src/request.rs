//! [`ImageRequest`]: the one request a person builds, for [`generate`](crate::NanoBanana::generate),
//! [`create`](crate::NanoBanana::create) and [`generate_many`](crate::NanoBanana::generate_many):
//! a model, a prompt, options, input images as URLs or local files, a callback. It is checked
//! against its model's own limits before anything is sent or uploaded (the generated request
//! type alone knows only the widest limits of all models); local files are uploaded as part of
//! sending it.
//!
//! ```no_run
//! # async fn run(client: nanobanana_api::NanoBanana) -> Result<(), nanobanana_api::Error> {
//! use nanobanana_api::types::{ImageQuality, ImageSize};
//! use nanobanana_api::ImageRequest;
//!
//! let request = ImageRequest::new("gemini-3-pro-image-preview", "make it a watercolor")
//!     .size(ImageSize::Ratio16x9)
//!     .quality(ImageQuality::Res2K)
//!     .image("./photo.png")
//!     .image("https://example.com/style.png");
//! request.check().await?; // optional: what `generate` checks first, without the network
//! client.generate(request, "out").await?;
//! # Ok(()) }
//! ```

use crate::error::classify::conversion_error;
use crate::error::validation::ValidationError;
use crate::error::Error;
use crate::files::local_image::check_generation_image;
use crate::image_input::ImageInput;
use crate::lineup::{self, ModelLimits};
use crate::types;
use crate::types::validate::Validate;

/// A generation request as a person states it; see the module docs.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageRequest {
    model: types::ImageModel,
    prompt: String,
    size: Option<types::ImageSize>,
    quality: Option<types::ImageQuality>,
    model_params: types::ModelParams,
    images: Vec<ImageInput>,
    callback_url: Option<String>,
    idempotency_key: Option<String>,
    /// A generated builder that could not become a request: refused when checked.
    invalid: Option<String>,
}

impl ImageRequest {
    /// A request for `model` (a listed model, or any name: unknown ones are checked against
    /// the limits every model shares) with `prompt`.
    pub fn new(model: impl Into<types::ImageModel>, prompt: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            prompt: prompt.into(),
            size: None,
            quality: None,
            model_params: types::ModelParams::default(),
            images: Vec::new(),
            callback_url: None,
            idempotency_key: None,
            invalid: None,
        }
    }

    /// The aspect ratio (default: the service's, `auto`). `"16:9".parse()?` gives one from text.
    pub fn size(mut self, size: types::ImageSize) -> Self {
        self.size = Some(size);
        self
    }

    /// The quality (default: the model's own, [`ModelLimits::default_quality`]: `1K` for the
    /// Lite models, `2K` for the others).
    pub fn quality(mut self, quality: types::ImageQuality) -> Self {
        self.quality = Some(quality);
        self
    }

    /// How much the model reasons before drawing (`model_params.thinking_level`; the models
    /// that take it: [`ModelLimits::model_params`]). Checked before sending: a model that does
    /// not take it is refused, naming the fields it takes.
    pub fn thinking(mut self, level: types::ThinkingLevel) -> Self {
        self.model_params.thinking_level = Some(level);
        self
    }

    /// Lets the model search the web (`model_params.web_search`), where it takes it.
    pub fn web_search(mut self, enabled: bool) -> Self {
        self.model_params.web_search = Some(enabled);
        self
    }

    /// Lets the model search for images on the web (`model_params.image_search`), where it
    /// takes it.
    pub fn image_search(mut self, enabled: bool) -> Self {
        self.model_params.image_search = Some(enabled);
        self
    }

    /// Extension parameters as raw JSON, for fields this SDK does not type yet: added to those
    /// set by [`thinking`](Self::thinking), [`web_search`](Self::web_search) and
    /// [`image_search`](Self::image_search) (a listed field here is read as theirs). A listed
    /// field the model does not take is refused before sending; other fields are sent as given.
    pub fn model_params(mut self, params: serde_json::Map<String, serde_json::Value>) -> Self {
        let given = types::ModelParams::from(params);
        let current = &mut self.model_params;
        current.thinking_level = given.thinking_level.or(current.thinking_level.take());
        current.web_search = given.web_search.or(current.web_search);
        current.image_search = given.image_search.or(current.image_search);
        current.other.extend(given.other);
        self
    }

    /// Adds an input image: a URL, or a local file (`"./photo.png"`, a `Path`) uploaded to the
    /// file service as part of sending the request.
    pub fn image(mut self, image: impl Into<ImageInput>) -> Self {
        self.images.push(image.into());
        self
    }

    /// Adds input images, in order (see [`image`](Self::image)).
    pub fn images<I>(mut self, images: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<ImageInput>,
    {
        self.images.extend(images.into_iter().map(Into::into));
        self
    }

    /// Where the service POSTs the task when it ends (HTTPS, public host, at most 2048
    /// characters). Callbacks are not signed: see [`tasks::verify_callback`](crate::tasks::verify_callback).
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// The `Idempotency-Key` to create it with (1 to 255 visible ASCII characters). Without
    /// one, each [`create`](crate::NanoBanana::create) of this request makes a new random key
    /// ([`new_idempotency_key`](crate::tasks::new_idempotency_key)). Either way the key is kept
    /// across every retry of that create. Give one to send the same request again later (after a
    /// crash, from a script run twice) and get the task it created instead of paying for a second;
    /// give a new key for a new image (the service refuses a key reused for another request:
    /// [`Error::IdempotencyConflict`]).
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Checks everything that can be checked without the network: the prompt and the number
    /// of images against the model's own limits, every field against the spec's, and each
    /// local file (it exists, its size, its type). The error names the field and the limit.
    pub async fn check(&self) -> Result<(), Error> {
        self.clone().checked().await.map(drop)
    }

    /// The checked request, local files not uploaded yet.
    pub(crate) async fn checked(self) -> Result<CheckedRequest, Error> {
        if let Some(invalid) = self.invalid {
            return Err(conversion_error(invalid));
        }
        let limits = lineup::checked_limits(&self.model);
        // The prompt first, against the model's own limit: the request type knows only the
        // widest, and would refuse a long prompt without naming the model.
        limits.check_prompt(&self.prompt)?;
        if let Some(key) = &self.idempotency_key {
            crate::idempotency::check_key(key)?;
        }
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
        if !self.model_params.is_empty() {
            request = request.model_params(Some(self.model_params));
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
        Ok(CheckedRequest {
            request,
            images: self.images,
            limits,
            idempotency_key: self.idempotency_key,
        })
    }
}

/// A generated request, as it is: its `image_urls` become URL inputs.
impl From<types::ImageGenerationRequest> for ImageRequest {
    fn from(request: types::ImageGenerationRequest) -> Self {
        let mut this = Self::new(request.model, String::from(request.prompt));
        this.size = request.size;
        this.quality = request.quality;
        this.model_params = request.model_params.unwrap_or_default();
        this.images = request
            .image_urls
            .into_iter()
            .map(ImageInput::Url)
            .collect();
        this.callback_url = request.callback_url.map(String::from);
        this
    }
}

/// The generated builder: one missing a model or a prompt is refused when the request is
/// checked, naming the field.
impl From<types::builder::ImageGenerationRequest> for ImageRequest {
    fn from(builder: types::builder::ImageGenerationRequest) -> Self {
        match types::ImageGenerationRequest::try_from(builder) {
            Ok(request) => request.into(),
            Err(e) => Self {
                invalid: Some(e.to_string()),
                ..Self::new(types::ImageModel::Unknown(String::new()), String::new())
            },
        }
    }
}

/// An [`ImageRequest`] that passed every check made without the network.
#[derive(Clone, Debug)]
pub(crate) struct CheckedRequest {
    /// The request, with the URL inputs only in `image_urls`.
    pub(crate) request: types::ImageGenerationRequest,
    /// Every input image, in order.
    pub(crate) images: Vec<ImageInput>,
    /// The limits of the request's model.
    pub(crate) limits: &'static ModelLimits,
    /// The caller's `Idempotency-Key`, if any.
    pub(crate) idempotency_key: Option<String>,
}

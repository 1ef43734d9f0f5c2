//! Checks of a create before it is sent: its model's limits, its `model_params`, its image
//! URLs and its callback URL.

use std::fmt;

use crate::error::validation::ValidationError;
use crate::lineup;
use crate::types::validate::{check_uri, Validate};

/// The generated types and enums, from the files that define them (`crate::types` re-exports
/// them, so importing from it would go in a circle).
mod types {
    pub(super) use crate::generated::types::*;
    #[cfg(test)]
    pub(super) use crate::generated_lineup::*;
    pub(super) use crate::types::model_params::ModelParams;
}

impl Validate for types::ModelParams {
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// The longest callback URL, in characters.
pub(crate) const MAX_CALLBACK_URL_CHARS: usize = 2048;
/// The file extensions the API accepts for reference images.
pub(crate) const IMAGE_EXTENSIONS: [&str; 4] = ["jpeg", "jpg", "png", "webp"];

/// Checks made before a request is sent, so that no credits go to a request the API rejects:
/// the limits of the request's model ([`crate::lineup`]; for a model the spec does not list,
/// those every model shares), the image URLs and the callback URL.
impl Validate for types::ImageGenerationRequest {
    fn validate(&self) -> Result<(), ValidationError> {
        let limits = lineup::checked_limits(&self.model);
        let model = limits.name();
        limits.check_prompt(&self.prompt)?;
        if let Some(size) = self.size {
            if !limits.sizes.contains(&size) {
                return Err(ValidationError::new(
                    "size",
                    format!("is `{size}`, which {model} does not accept"),
                    format!("one of {}", joined(limits.sizes)),
                ));
            }
        }
        if let Some(quality) = self.quality {
            if limits.qualities.is_empty() {
                return Err(ValidationError::new(
                    "quality",
                    format!("is `{quality}`, but {model} takes no quality"),
                    "no `quality` at all for this model: leave it out",
                ));
            }
            if !limits.qualities.contains(&quality) {
                return Err(ValidationError::new(
                    "quality",
                    format!("is `{quality}`, which {model} does not accept"),
                    format!("one of {}", joined(limits.qualities)),
                ));
            }
        }
        limits.check_image_count("image_urls", self.image_urls.len())?;
        for (i, url) in self.image_urls.iter().enumerate() {
            check_image_url(&format!("image_urls[{i}]"), url)?;
        }
        if let Some(params) = &self.model_params {
            limits.check_model_params(params)?;
        }
        if let Some(callback) = &self.callback_url {
            check_callback_url(callback)?;
        }
        Ok(())
    }
}

/// `a, b, c` of the wire values.
fn joined<T: fmt::Display>(values: &[T]) -> String {
    values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// An absolute http(s) URL whose path, if it has an extension, names a supported image type.
pub(crate) fn check_image_url(field: &str, value: &str) -> Result<(), ValidationError> {
    check_uri(field, value)?;
    let url = reqwest::Url::parse(value).expect("checked by check_uri");
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ValidationError::new(
            field,
            format!("uses the scheme `{}`", url.scheme()),
            "an absolute http(s) URL the API can download",
        ));
    }
    let last = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or("");
    if let Some((_, ext)) = last.rsplit_once('.') {
        let ext = ext.to_ascii_lowercase();
        if !IMAGE_EXTENSIONS.contains(&ext.as_str()) {
            return Err(ValidationError::new(
                field,
                format!("ends in `.{ext}`"),
                "an image of type .jpeg, .jpg, .png or .webp",
            ));
        }
    }
    Ok(())
}

/// HTTPS, at most 2048 characters, and not aimed at this machine or a private network.
fn check_callback_url(value: &str) -> Result<(), ValidationError> {
    const FIELD: &str = "callback_url";
    let chars = value.chars().count();
    if chars > MAX_CALLBACK_URL_CHARS {
        return Err(ValidationError::new(
            FIELD,
            format!("has {chars} characters"),
            format!("at most {MAX_CALLBACK_URL_CHARS} characters"),
        ));
    }
    check_uri(FIELD, value)?;
    let url = reqwest::Url::parse(value).expect("checked by check_uri");
    if url.scheme() != "https" {
        return Err(ValidationError::new(
            FIELD,
            format!("uses `{}`", url.scheme()),
            "https only (the API refuses other schemes)",
        ));
    }
    let internal = "a public host: not localhost, loopback, private (10/8, 172.16/12, 192.168/16), link-local, unspecified or unique-local";
    match url.host() {
        Some(url::Host::Domain(domain)) => {
            let domain = domain.trim_end_matches('.').to_ascii_lowercase();
            if domain == "localhost" || domain.ends_with(".localhost") {
                return Err(ValidationError::new(
                    FIELD,
                    format!("points at `{domain}`"),
                    internal,
                ));
            }
        }
        Some(url::Host::Ipv4(ip)) => {
            if is_internal_v4(ip) {
                return Err(ValidationError::new(
                    FIELD,
                    format!("points at {ip}"),
                    internal,
                ));
            }
        }
        Some(url::Host::Ipv6(ip)) => {
            if is_internal_v6(ip) {
                return Err(ValidationError::new(
                    FIELD,
                    format!("points at [{ip}]"),
                    internal,
                ));
            }
        }
        None => return Err(ValidationError::new(FIELD, "has no host", internal)),
    }
    Ok(())
}

fn is_internal_v4(ip: std::net::Ipv4Addr) -> bool {
    ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
}

fn is_internal_v6(ip: std::net::Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_internal_v4(v4);
    }
    let first = ip.segments()[0];
    let unique_local = first & 0xfe00 == 0xfc00; // fc00::/7
    let link_local = first & 0xffc0 == 0xfe80; // fe80::/10
    ip.is_loopback() || ip.is_unspecified() || unique_local || link_local
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(prompt: &str) -> types::ImageGenerationRequest {
        types::ImageGenerationRequest {
            callback_url: None,
            image_urls: vec![],
            model: types::ImageModel::NanoBanana2Lite,
            model_params: Default::default(),
            prompt: prompt.parse().unwrap(),
            quality: None,
            size: None,
        }
    }

    fn with_images(urls: &[&str]) -> types::ImageGenerationRequest {
        let mut r = request("edit it");
        r.image_urls = urls.iter().map(|u| u.to_string()).collect();
        r
    }

    fn with_callback(url: &str) -> Result<(), ValidationError> {
        let mut r = request("a cat");
        r.callback_url = Some(url.parse().unwrap());
        r.validate()
    }

    #[test]
    fn a_blank_prompt_is_rejected() {
        let err = request("   ").validate().unwrap_err();
        assert_eq!(err.field, "prompt");
        assert!(err.limit.contains("2000"), "{err}");
    }

    #[test]
    fn ten_images_pass_and_eleven_do_not() {
        assert!(with_images(&["https://e.com/a.png"; 10]).validate().is_ok());
        let err = with_images(&["https://e.com/a.png"; 11])
            .validate()
            .unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.problem.as_str()),
            ("image_urls", "has 11 items")
        );
    }

    fn for_model(model: &str) -> types::ImageGenerationRequest {
        let mut r = request("a banner");
        r.model = model.into();
        r
    }

    #[test]
    fn sizes_are_checked_against_the_model() {
        let mut pro = for_model("gemini-3-pro-image-preview");
        pro.size = Some(types::ImageSize::Ratio1x8);
        let err = pro.validate().unwrap_err();
        assert_eq!(err.field, "size");
        assert!(
            err.problem.contains("`1:8`") && err.problem.contains("gemini-3-pro-image-preview"),
            "{err}"
        );
        assert!(
            err.limit.contains("21:9") && !err.limit.contains("1:8"),
            "{err}"
        );
        let mut flash = for_model("gemini-3.1-flash-image-preview");
        flash.size = Some(types::ImageSize::Ratio1x8);
        flash.quality = Some(types::ImageQuality::Res0_5K);
        assert!(flash.validate().is_ok());
    }

    #[test]
    fn image_counts_follow_the_model() {
        let urls = |n| vec!["https://e.com/a.png".to_string(); n];
        let mut flash = for_model("gemini-3.1-flash-image-preview");
        flash.image_urls = urls(14);
        assert!(flash.validate().is_ok());
        flash.image_urls = urls(15);
        assert_eq!(flash.validate().unwrap_err().field, "image_urls");
        let mut pro = for_model("gemini-3-pro-image-preview");
        pro.image_urls = urls(14);
        assert!(pro.validate().is_ok());
        let mut beta = for_model("nano-banana-pro-beta");
        beta.image_urls = urls(11);
        let err = beta.validate().unwrap_err();
        assert!(err.limit.contains("at most 10"), "{err}");
    }

    #[test]
    fn a_model_without_quality_refuses_one_and_has_a_shorter_prompt() {
        let mut old = for_model("gemini-2.5-flash-image");
        old.quality = Some(types::ImageQuality::Res2K);
        let err = old.validate().unwrap_err();
        assert_eq!(err.field, "quality");
        assert!(err.problem.contains("takes no quality"), "{err}");
        let mut long = for_model("gemini-2.5-flash-image");
        long.prompt = "a".repeat(1001).parse().unwrap();
        let err = long.validate().unwrap_err();
        assert_eq!(err.problem, "has 1001 characters");
        assert!(err.limit.contains("1000"), "{err}");
    }

    #[test]
    fn an_unlisted_model_gets_only_the_shared_limits() {
        let mut next = for_model("nano-banana-3-preview");
        next.size = Some(types::ImageSize::Ratio8x1);
        next.quality = Some(types::ImageQuality::Res0_5K);
        next.image_urls = vec!["https://e.com/a.png".to_string(); 14];
        let mut params = types::ModelParams::default();
        params.other.insert("anything".into(), 1.into());
        params.thinking_level = Some(types::ThinkingLevel::Unknown("deeper".into()));
        next.model_params = Some(params);
        assert!(next.validate().is_ok());
        next.image_urls.push("https://e.com/a.png".into());
        assert_eq!(next.validate().unwrap_err().field, "image_urls");
    }

    #[test]
    fn model_params_only_where_each_model_takes_them() {
        let thinking = |level: types::ThinkingLevel| {
            Some(types::ModelParams {
                thinking_level: Some(level),
                ..Default::default()
            })
        };
        let mut pro = for_model("gemini-3-pro-image-preview");
        pro.model_params = thinking(types::ThinkingLevel::High);
        let err = pro.validate().unwrap_err();
        assert_eq!(err.field, "model_params.thinking_level");
        assert_eq!(
            err.to_string(),
            "`model_params.thinking_level` is set, but gemini-3-pro-image-preview does not take \
             it; the limit is only web_search with gemini-3-pro-image-preview"
        );
        pro.model_params = Some(types::ModelParams {
            web_search: Some(true),
            ..Default::default()
        });
        assert!(pro.validate().is_ok());

        let mut flash = for_model("gemini-3.1-flash-image-preview");
        flash.model_params = thinking(types::ThinkingLevel::High);
        assert!(flash.validate().is_ok());
        flash.model_params = thinking("minimal".parse().unwrap());
        let err = flash.validate().unwrap_err();
        assert_eq!(err.field, "model_params.thinking_level");
        assert!(err.to_string().contains("auto | min | high"), "{err}");

        // A model that takes none refuses even a field the spec does not list.
        let mut beta = for_model("nano-banana-pro-beta");
        let mut other = types::ModelParams::default();
        other.other.insert("seed".into(), 3.into());
        beta.model_params = Some(other);
        assert!(beta
            .validate()
            .unwrap_err()
            .to_string()
            .contains("no model_params at all"));
    }

    #[test]
    fn image_urls_must_be_absolute_http_with_an_image_extension() {
        for ok in [
            "https://e.com/a.PNG",
            "http://e.com/a.jpeg",
            "https://e.com/img?id=3",
            "https://e.com/a.webp",
        ] {
            assert!(with_images(&[ok]).validate().is_ok(), "{ok}");
        }
        for (bad, problem) in [
            ("/local/a.png", "not an absolute URI"),
            ("ftp://e.com/a.png", "scheme `ftp`"),
            ("https://e.com/a.gif", "`.gif`"),
            ("https://e.com/a.tiff", "`.tiff`"),
        ] {
            let err = with_images(&["https://e.com/ok.png", bad])
                .validate()
                .unwrap_err();
            assert_eq!(err.field, "image_urls[1]");
            assert!(err.problem.contains(problem), "{bad}: {err}");
        }
    }

    #[test]
    fn callback_urls_must_be_public_https() {
        assert!(with_callback("https://hooks.example.com/nb/123").is_ok());
        assert!(with_callback("https://8.8.8.8/hook").is_ok());
        for bad in [
            "http://hooks.example.com/x",
            "https://localhost/x",
            "https://api.localhost./x",
            "https://127.0.0.1/x",
            "https://10.1.2.3/x",
            "https://172.16.0.1/x",
            "https://172.31.255.255/x",
            "https://192.168.1.1/x",
            "https://169.254.169.254/latest",
            "https://0.0.0.0/x",
            "https://[::1]/x",
            "https://[::]/x",
            "https://[fd12:3456::1]/x",
            "https://[fe80::1]/x",
            "https://[::ffff:10.0.0.1]/x",
        ] {
            let err = with_callback(bad).unwrap_err();
            assert_eq!(err.field, "callback_url", "{bad}");
        }
        assert!(
            with_callback("https://172.32.0.1/x").is_ok(),
            "172.32/16 is public"
        );
    }

    #[test]
    fn callback_url_length_is_limited() {
        let at_limit = format!("https://e.com/{}", "a".repeat(MAX_CALLBACK_URL_CHARS - 14));
        assert!(check_callback_url(&at_limit).is_ok());
        let err = check_callback_url(&format!("{at_limit}a")).unwrap_err();
        assert_eq!(err.problem, "has 2049 characters");
    }

    #[test]
    fn error_names_field_problem_and_limit() {
        let request = types::ImageGenerationRequest {
            callback_url: None,
            image_urls: vec!["https://e.com/a.png".into(); 11],
            model: types::ImageModel::NanoBanana2Lite,
            model_params: Default::default(),
            prompt: "x".parse().unwrap(),
            quality: None,
            size: None,
        };
        let err = request.validate().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`image_urls` has 11 items; the limit is at most 10 images per request for nano-banana-2-lite"
        );
    }

    #[test]
    fn a_public_ipv6_callback_is_taken_and_internal_ones_are_not() {
        assert_eq!(with_callback("https://[2001:db8::1]/hook"), Ok(()));
        for internal in [
            "https://[::1]/h",
            "https://[fd00::1]/h",
            "https://[fe80::1]/h",
            "https://[::ffff:10.0.0.1]/h",
        ] {
            assert!(with_callback(internal).is_err(), "{internal}");
        }
    }
}

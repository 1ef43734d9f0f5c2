//! Edit images the API can download: pass their URLs as `image_urls` (at most 10, each a
//! .jpeg/.jpg/.png/.webp under 10 MB).
//!
//! ```sh
//! EVOLINK_API_KEY=sk-... cargo run -p nanobanana-api --example image_edit -- \
//!     "make it a watercolor" https://example.com/photo.png
//! ```

use nanobanana_api::{types, NanoBanana};

#[tokio::main]
async fn main() -> Result<(), nanobanana_api::Error> {
    let mut args = std::env::args().skip(1);
    let prompt = args.next().unwrap_or_else(|| "make it a watercolor".into());
    let image_urls: Vec<String> = args.collect();
    let client = NanoBanana::from_env()?;
    let request = types::ImageGenerationRequest::builder()
        .model(types::ImageModel::Gemini3ProImagePreview)
        .prompt(prompt)
        .image_urls(image_urls);
    // Every URL is checked before sending: a bad one costs no credits.
    let generated = client.generate(request, "edited").await?;
    println!("{:?}", generated.files);
    Ok(())
}

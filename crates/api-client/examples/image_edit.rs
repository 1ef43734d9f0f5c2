//! Edit images: each argument after the prompt is an http(s) URL the API downloads itself, or a
//! local JPEG, PNG or WebP file (at most 10 MB) that is uploaded to Evolink's file service first.
//! Local files are checked before anything is sent and uploaded concurrently; at most 10 images.
//!
//! ```sh
//! EVOLINK_API_KEY=sk-... cargo run -p nanobanana-api --example image_edit -- \
//!     "make it a watercolor" ./photo.png https://example.com/style.png
//! ```

use nanobanana_api::{types, ImageInput, NanoBanana};

#[tokio::main]
async fn main() -> Result<(), nanobanana_api::Error> {
    let mut args = std::env::args().skip(1);
    let prompt = args.next().unwrap_or_else(|| "make it a watercolor".into());
    let images: Vec<ImageInput> = args.map(ImageInput::from).collect();
    let client = NanoBanana::from_env()?;
    let request = types::ImageGenerationRequest::builder()
        .model(types::ImageModel::Gemini3ProImagePreview)
        .prompt(prompt);
    // Local files become file-service URLs; a bad file or URL fails here, before any upload.
    let request = client.with_images(request, images).await?;
    let generated = client.generate(request, "edited").await?;
    println!("{:?}", generated.files);
    Ok(())
}

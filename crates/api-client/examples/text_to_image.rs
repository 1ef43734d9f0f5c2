//! Generate one image from a prompt and save it: the three-line version.
//!
//! ```sh
//! EVOLINK_API_KEY=sk-... cargo run -p nanobanana-api --example text_to_image -- "a cat on the grass"
//! ```

use nanobanana_api::{types, NanoBanana};

#[tokio::main]
async fn main() -> Result<(), nanobanana_api::Error> {
    let prompt = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "A cat playing on the grass".into());
    let client = NanoBanana::from_env()?;
    let request = types::ImageGenerationRequest::builder()
        .model(types::ImageModel::NanoBanana2Lite)
        .prompt(prompt)
        .size(types::ImageSize::Ratio16x9)
        .quality(types::ImageQuality::Res2K);
    let generated = client.generate(request, "images").await?;
    for file in &generated.files {
        println!("saved {}", file.display());
    }
    Ok(())
}

//! Generate one image from a prompt and save it: the three-line version.
//!
//! ```sh
//! EVOLINK_API_KEY=sk-... cargo run -p nanobanana-api --example text_to_image -- "a cat on the grass"
//! ```

use nanobanana_api::types::{ImageQuality, ImageSize};
use nanobanana_api::{ImageRequest, NanoBanana};

#[tokio::main]
async fn main() -> Result<(), nanobanana_api::Error> {
    let prompt = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "A cat playing on the grass".into());
    let client = NanoBanana::from_env()?;
    let request = ImageRequest::new("gemini-3.1-flash-image-preview", prompt)
        .size(ImageSize::Ratio16x9)
        .quality(ImageQuality::Res2K);
    let generated = client.generate(request, "target/images").await?;
    for file in &generated.files {
        println!("saved {}", file.display());
    }
    Ok(())
}

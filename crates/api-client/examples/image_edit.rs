//! Edit images: each argument after the prompt is an http(s) URL the API downloads itself, or a
//! local JPEG, PNG or WebP file (at most 10 MB for this model) that is uploaded to Evolink's file
//! service as part of sending the request. Every input is checked before anything is sent;
//! local files are uploaded concurrently, with their progress shown; at most 10 images.
//!
//! ```sh
//! EVOLINK_API_KEY=sk-... cargo run -p nanobanana-api --example image_edit -- \
//!     "make it a watercolor" ./photo.png https://example.com/style.png
//! ```

use nanobanana_api::UploadEvent;
use nanobanana_api::{Event, ImageInput, ImageRequest, NanoBanana, Observer};

#[tokio::main]
async fn main() -> Result<(), nanobanana_api::Error> {
    let mut args = std::env::args().skip(1);
    let prompt = args.next().unwrap_or_else(|| "make it a watercolor".into());
    let images: Vec<ImageInput> = args.map(ImageInput::from).collect();
    let client = NanoBanana::from_env()?.observe(Observer::new(|event| {
        if let Event::Upload(UploadEvent::Stored { path, file, .. }) = event {
            eprintln!("uploaded {} -> {}", path.display(), file.file_url);
        }
    }));
    let request = ImageRequest::new("gemini-3-pro-image-preview", prompt).images(images);
    let generated = client.generate(request, "target/edited").await?;
    println!("{:?}", generated.files);
    Ok(())
}

//! Generate an image through an HTTP client of your own: your connection pool, proxy and TLS
//! settings. The SDK adds the key to its requests to the API and the file service only.
//!
//! ```sh
//! EVOLINK_API_KEY=sk-... cargo run -p nanobanana-api --example own_http_client -- "a cat"
//! ```

use std::time::Duration;

use nanobanana_api::{config::ClientConfig, ImageRequest, NanoBanana};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let prompt = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "A cat playing on the grass".to_string());
    // The client you already use elsewhere. Its timeouts apply: a connect timeout, and no
    // overall timeout, since result images can take a while to download.
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(4)
        .build()?;
    let config = ClientConfig::from_env()?.with_http_client(http);
    let client = NanoBanana::new(&config)?;

    let request = ImageRequest::new("gemini-3.1-flash-image-preview", prompt);
    let saved = client.generate(request, "target/images").await?;
    for file in &saved.files {
        println!("saved {}", file.display());
    }
    Ok(())
}

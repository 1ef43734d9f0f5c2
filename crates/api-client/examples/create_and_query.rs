//! Create an image generation task and query it once.
//!
//! ```sh
//! EVOLINK_API_KEY=sk-... cargo run -p nanobanana-api --example create_and_query -- "a cat on the grass"
//! ```

use nanobanana_api::{raw::Client, types};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let prompt = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "A cat playing on the grass".to_string());
    let client = Client::from_env()?;

    let task = client
        .create_image_generation()
        .body(
            types::ImageGenerationRequest::builder()
                .model(types::ImageModel::NanoBanana2Lite)
                .prompt(prompt),
        )
        .send()
        .await?
        .into_inner();
    let estimate = task.task_info.as_ref().and_then(|i| i.estimated_time);
    println!(
        "created {} ({}), estimated {estimate:?} s",
        task.id, task.status
    );

    let detail = client
        .get_task_detail()
        .task_id(task.id.as_str())
        .send()
        .await?
        .into_inner();
    println!(
        "{}: {} at {}%, {} result(s)",
        detail.id,
        detail.status,
        detail.progress.unwrap_or(0),
        detail.results.len()
    );
    Ok(())
}

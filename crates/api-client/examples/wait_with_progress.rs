//! Create a task, then follow it as a stream of progress events. Polls are scheduled from the
//! task's own estimate, so a 45 s task is usually queried once or twice.
//!
//! ```sh
//! EVOLINK_API_KEY=sk-... cargo run -p nanobanana-api --example wait_with_progress
//! ```

use futures_util::StreamExt;
use nanobanana_api::{types, waiting::TaskHandle, NanoBanana};

#[tokio::main]
async fn main() -> Result<(), nanobanana_api::Error> {
    let client = NanoBanana::from_env()?;
    let request = types::ImageGenerationRequest::builder()
        .model(types::ImageModel::NanoBanana2Lite)
        .prompt("a lighthouse in a storm, oil painting");
    let created = client.create(request).await?;
    println!(
        "created {}; estimated {:?} s",
        created.id,
        created.task_info.as_ref().and_then(|i| i.estimated_time)
    );

    let events = client.watch(TaskHandle::from(&created));
    futures_util::pin_mut!(events);
    let mut last = None;
    while let Some(event) = events.next().await {
        let event = event?;
        println!(
            "poll {}: {} {}% after {:?}",
            event.poll,
            event.status,
            event.progress.unwrap_or(0),
            event.elapsed
        );
        last = Some(event.task);
    }
    if let Some(task) = last.filter(|t| t.status == types::TaskStatus::Completed) {
        let files = client.download(&task, "images").await?;
        println!("saved {files:?}");
    }
    Ok(())
}

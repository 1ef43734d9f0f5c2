//! Create a task, then wait for it while an observer prints each query. Polls are scheduled
//! from the task's own estimate, so a 45 s task is usually queried once or twice.
//!
//! ```sh
//! EVOLINK_API_KEY=sk-... cargo run -p nanobanana-api --example wait_with_progress
//! ```

use nanobanana_api::{Event, ImageRequest, NanoBanana, Observer};

#[tokio::main]
async fn main() -> Result<(), nanobanana_api::Error> {
    let client = NanoBanana::from_env()?;
    let request = ImageRequest::new(
        "gemini-3.1-flash-image-preview",
        "a lighthouse in a storm, oil painting",
    );
    let created = client.create(request).await?;
    println!(
        "created {}; estimated {:?} s",
        created.id,
        created.task_info.as_ref().and_then(|i| i.estimated_time)
    );

    let observed = client.observe(Observer::new(|event| {
        if let Event::Wait(poll) = event {
            println!(
                "poll {}: {} {}% after {:?}",
                poll.poll,
                poll.status,
                poll.progress.unwrap_or(0),
                poll.elapsed
            );
        }
    }));
    let task = observed.wait(&created).await?;
    let files = client.download(&task, "target/images").await?;
    println!("saved {files:?}");
    Ok(())
}

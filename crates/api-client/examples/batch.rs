//! Generate many images with a bounded number in flight. With a ledger, rerunning after an
//! interruption resumes the tasks already submitted instead of paying for them again.
//!
//! ```sh
//! EVOLINK_API_KEY=sk-... cargo run -p nanobanana-api --example batch
//! ```

use nanobanana_api::{tasks::BatchOptions, ImageRequest, NanoBanana};

#[tokio::main]
async fn main() -> Result<(), nanobanana_api::Error> {
    let client = NanoBanana::from_env()?;
    let prompts = [
        "a red fox",
        "a blue whale",
        "a green parrot",
        "a golden eagle",
    ];
    let requests = prompts
        .iter()
        .map(|p| ImageRequest::new("gemini-3.1-flash-lite-image", *p));
    let options =
        BatchOptions::new(2, "target/batch-images").with_ledger("target/batch-images/ledger.jsonl");
    for (prompt, result) in prompts
        .iter()
        .zip(client.generate_many(requests, options).await?)
    {
        match result {
            Ok(generated) => println!("{prompt}: {:?}", generated.files),
            Err(e) => println!("{prompt}: {e}"),
        }
    }
    Ok(())
}

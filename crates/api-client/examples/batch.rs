//! Generate many images with a bounded number in flight. With a ledger, rerunning after an
//! interruption resumes the tasks already submitted instead of paying for them again.
//!
//! ```sh
//! EVOLINK_API_KEY=sk-... cargo run -p nanobanana-api --example batch
//! ```

use nanobanana_api::{batch::BatchOptions, types, NanoBanana};

#[tokio::main]
async fn main() -> Result<(), nanobanana_api::Error> {
    let client = NanoBanana::from_env()?;
    let prompts = [
        "a red fox",
        "a blue whale",
        "a green parrot",
        "a golden eagle",
    ];
    let requests = prompts.iter().map(|p| {
        types::ImageGenerationRequest::builder()
            .model(types::ImageModel::NanoBanana2Lite)
            .prompt(*p)
    });
    let options = BatchOptions::new(2, "batch-images").with_ledger("batch-images/ledger.jsonl");
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

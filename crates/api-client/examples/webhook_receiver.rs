//! A callback receiver. The API does not sign callbacks, so:
//! 1. the callback URL carries a secret token in its path (`https://you.example/hooks/<token>`),
//!    compared in constant time, which stops blind forgeries;
//! 2. the handler answers 202 at once (the API waits 10 s, then retries) and queues the task id;
//! 3. a worker re-fetches the task from the API before trusting anything in the body.
//!
//! ```sh
//! CALLBACK_TOKEN=$(openssl rand -hex 16) EVOLINK_API_KEY=sk-... \
//!     cargo run -p nanobanana-api --example webhook_receiver
//! ```

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use nanobanana_api::{tasks, NanoBanana};
use subtle::ConstantTimeEq;
use tokio::sync::mpsc;

struct Receiver {
    token: String,
    queue: mpsc::Sender<Bytes>,
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    Path(token): Path<String>,
    body: Bytes,
) -> StatusCode {
    if !bool::from(token.as_bytes().ct_eq(receiver.token.as_bytes())) {
        return StatusCode::NOT_FOUND;
    }
    if tasks::parse_callback(&body).is_err() {
        return StatusCode::BAD_REQUEST;
    }
    match receiver.queue.try_send(body) {
        Ok(()) => StatusCode::ACCEPTED,
        // Full: let the API retry later rather than block its 10 s window.
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("CALLBACK_TOKEN")
        .map_err(|_| "set CALLBACK_TOKEN to a long random string")?;
    let client = NanoBanana::from_env()?;
    let (queue, mut jobs) = mpsc::channel::<Bytes>(1024);

    tokio::spawn(async move {
        while let Some(body) = jobs.recv().await {
            // The body is only a hint: ask the API what the task really is.
            match tasks::verify_callback(&client, &body).await {
                Ok(task) if task.status == nanobanana_api::types::TaskStatus::Completed => {
                    match client.download(&task, "target/callbacks").await {
                        Ok(files) => println!("{}: saved {files:?}", task.id),
                        Err(e) => eprintln!("{}: {e}", task.id),
                    }
                }
                Ok(task) => println!("{}: {}", task.id, task.status),
                Err(e) => eprintln!("callback ignored: {e}"),
            }
        }
    });

    let app = Router::new()
        .route("/hooks/{token}", post(receive))
        .with_state(Arc::new(Receiver { token, queue }));
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
    println!("listening on :8080, callback URL https://<your-host>/hooks/<CALLBACK_TOKEN>");
    axum::serve(listener, app).await?;
    Ok(())
}

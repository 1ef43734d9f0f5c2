//! What the server tells an agent when it connects, and the line every answer carries about
//! where its images come from: an agent must never take a sandbox placeholder for a picture
//! Nano Banana made.

use std::path::Path;

use nanobanana_api::config::API_KEY_VAR;

/// Where the server's requests go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The sandbox started in this process (no key): placeholder images, no credits.
    Sandbox {
        /// Its API address.
        base_url: String,
    },
    /// Evolink's API, or a server named by EVOLINK_BASE_URL, with the key of the environment.
    Api {
        /// Where requests go.
        base_url: String,
    },
}

impl Mode {
    /// Whether answers come from the embedded sandbox.
    pub fn is_sandbox(&self) -> bool {
        matches!(self, Mode::Sandbox { .. })
    }

    /// A few words for the server's own log line.
    pub fn describe(&self) -> String {
        match self {
            Mode::Sandbox { base_url } => format!("local sandbox at {base_url}, no key"),
            Mode::Api { base_url } => format!("API at {base_url}"),
        }
    }

    /// The sentence every tool answer starts with.
    pub fn notice(&self) -> String {
        match self {
            Mode::Sandbox { .. } => format!(
                "SANDBOX: {API_KEY_VAR} is not set, so this server runs on a local sandbox: images are \
                 placeholders drawn on this machine (flat colours and a caption naming the prompt), NOT pictures made by \
                 Nano Banana; nothing is sent to Evolink and no credits are spent. Tell the user so. \
                 For real images, set {API_KEY_VAR} in this MCP server's environment and restart it."
            ),
            Mode::Api { base_url } => format!(
                "API: requests go to {base_url} with the key of {API_KEY_VAR}; each generated image \
                 is billed in credits."
            ),
        }
    }
}

/// The server's instructions, sent once at `initialize`.
pub fn text(mode: &Mode, output_dir: &Path) -> String {
    format!(
        "{notice}\n\n\
         This server makes images with Evolink's Nano Banana models and saves them as files.\n\
         - generate_image checks the request against the model's own limits before anything is \
           sent or paid (a refused request costs nothing), creates the task, waits for it \
           (progress notifications), saves the images and answers their paths, the task id and \
           a small preview. Images are saved in {dir} unless the call gives output_dir.\n\
         - Call list_models first when unsure: each model's sizes, qualities, image count and \
           size, prompt length and extra parameters. Models differ (e.g. \
           gemini-3.1-flash-lite-image takes 1K only).\n\
         - A task runs on the service once created, whatever happens to the call: if the call \
           is cancelled or times out, its task id was already sent in a progress notification; \
           call wait_task with it to save the images instead of generating again (that would \
           pay twice). Give the same idempotency_key when repeating a generate_image call to get \
           the original task back.\n\
         - Errors are tool results with isError: read the message, fix what it names, and call \
           again; an error before sending means nothing was paid.\n\
         - credits shows the account's balance, files_quota the uploads left (local input \
           images are uploaded to Evolink's file service, kept 72 h).",
        notice = mode.notice(),
        dir = output_dir.display(),
    )
}

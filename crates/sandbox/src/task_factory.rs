//! Making a task from a checked request: its id, its price, whether it will fail, and the
//! fingerprints of its input images.

use std::time::{SystemTime, UNIX_EPOCH};

use nanobanana_api::types;
use tokio::time::Instant;

use crate::contract::{ApiFailure, SpecOperation};
use crate::file_service::{own_file, OwnFile};
use crate::simulation::SimulatedTask;
use crate::state::{AppState, Counters};

/// One input image as the sandbox sees it.
pub(crate) struct Input {
    /// What seeds the result ([`SimulatedTask::inputs`]).
    pub fingerprint: u64,
    /// Its average colour, when the sandbox has its bytes and can decode them.
    pub average: Option<[u8; 3]>,
}

/// The input images ([`SimulatedTask::inputs`]). The sandbox's own uploads
/// must still be stored (uploads expire after 72 h); images on other hosts are taken as they
/// are (the sandbox does not fetch them).
pub(crate) fn input_fingerprints(
    state: &AppState,
    request: &types::ImageGenerationRequest,
) -> Result<Vec<Input>, ApiFailure> {
    let fingerprint = |(i, url): (usize, &String)| match own_file(state, url) {
        OwnFile::Kept(upload) => Ok(Input {
            fingerprint: upload.fingerprint,
            average: upload.average,
        }),
        OwnFile::Gone => Err(ApiFailure::documented(SpecOperation::CreateTask, 400)
            .message(format!(
                "image_urls[{i}] is not a stored upload of this file service, or it expired \
                 (uploads are kept 72 h)"
            ))
            .param(format!("image_urls[{i}]"))),
        OwnFile::Elsewhere => Ok(Input {
            fingerprint: crate::images::seed(url),
            average: None,
        }),
    };
    request
        .image_urls
        .iter()
        .enumerate()
        .map(fingerprint)
        .collect()
}

/// A new task for `request`. It fails when a `fail-task` fault was injected (`service_error`)
/// or the prompt asks for it with `[sandbox:fail]` (`content_policy_violation`).
pub(crate) fn new_task(
    state: &AppState,
    request: &types::ImageGenerationRequest,
    inputs: Vec<Input>,
    fails: bool,
) -> SimulatedTask {
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let n = Counters::bump(&state.counters.next_id);
    let suffix: String = format!("{:08x}", crate::images::seed(&format!("{unix}-{n}")))
        .chars()
        .take(8)
        .collect();
    let fails_with = if fails {
        Some("service_error".to_string())
    } else if request.prompt.contains("[sandbox:fail]") {
        Some("content_policy_violation".to_string())
    } else if request.prompt.contains("[sandbox:cancel]") {
        Some(crate::simulation::CANCELLED.to_string())
    } else {
        None
    };
    SimulatedTask {
        id: format!("task-unified-{unix}-{n}{suffix}"),
        model: request.model.to_string(),
        prompt: request.prompt.to_string(),
        swatches: inputs
            .iter()
            .map(|input| {
                input
                    .average
                    .unwrap_or_else(|| fingerprint_colour(input.fingerprint))
            })
            .collect(),
        inputs: inputs.iter().map(|input| input.fingerprint).collect(),
        size: request.size,
        // What the API gives when no quality is sent: the model's own default (1K for the
        // Lite models, 2K for the others).
        quality: nanobanana_api::lineup::checked_limits(&request.model)
            .effective_quality(request.quality),
        callback_url: request.callback_url.as_ref().map(|u| u.to_string()),
        created_at: Instant::now(),
        created_unix: unix as i64,
        duration: state.config.task_duration(),
        fails_with,
        credits: price(
            nanobanana_api::lineup::checked_limits(&request.model)
                .effective_quality(request.quality),
        ),
    }
}

/// The sandbox's price list: each quality its own price, 4K extra, as documented.
fn price(quality: Option<types::ImageQuality>) -> f64 {
    match quality {
        Some(types::ImageQuality::Res4K) => 3.2,
        Some(types::ImageQuality::Res0_5K) => 0.8,
        _ => 1.6,
    }
}

/// A colour of its own for an input the sandbox cannot see (an image on another host).
fn fingerprint_colour(fingerprint: u64) -> [u8; 3] {
    [
        (fingerprint & 0xff) as u8,
        ((fingerprint >> 8) & 0xff) as u8,
        ((fingerprint >> 16) & 0xff) as u8,
    ]
}

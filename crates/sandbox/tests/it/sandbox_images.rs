//! The sandbox through the SDK: real images sized by `size` and `quality`, the same bytes for
//! the same prompt, and a task's phases from pending to completed.

use std::time::Duration;

use nanobanana_api::{config::PollSchedule, types, Event, NanoBanana, Observer};
use nanobanana_sandbox::{Sandbox, SandboxConfig};
use nanobanana_test_kit::sandbox::{fast_client, fast_config, lite_request, start};
use nanobanana_test_kit::{png_size, KEY};

/// A fast sandbox whose results are PNGs (lossless: pixels can be compared).
async fn png_sandbox() -> nanobanana_sandbox::SandboxHandle {
    Sandbox::start(SandboxConfig {
        result_format: nanobanana_sandbox::ResultFormat::Png,
        ..fast_config()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn generate_leaves_real_pngs_sized_by_size_and_quality() {
    let sandbox = png_sandbox().await;
    let client = fast_client(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (None, None, (2048, 2048)),
        (
            Some(types::ImageSize::Auto),
            Some(types::ImageQuality::Res1K),
            (1024, 1024),
        ),
        (
            Some(types::ImageSize::Ratio16x9),
            Some(types::ImageQuality::Res1K),
            (1024, 576),
        ),
        (
            Some(types::ImageSize::Ratio3x4),
            Some(types::ImageQuality::Res2K),
            (1536, 2048),
        ),
        (
            Some(types::ImageSize::Ratio21x9),
            Some(types::ImageQuality::Res4K),
            (4096, 1755),
        ),
    ];
    for (i, (size, quality, expected)) in cases.into_iter().enumerate() {
        let mut req = lite_request(&format!("a cat number {i}"));
        if let Some(size) = size {
            req = req.size(size);
        }
        if let Some(quality) = quality {
            req = req.quality(quality);
        }
        let generated = client.generate(req, dir.path()).await.unwrap();
        assert_eq!(generated.files.len(), 1);
        assert_eq!(png_size(&generated.files[0]), expected, "case {i}");
    }
    assert_eq!(sandbox.stats().creates, 5);
}

#[tokio::test]
async fn the_same_prompt_gives_the_same_bytes() {
    let sandbox = start().await;
    let client = fast_client(&sandbox);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = client
        .generate(
            lite_request("a red fox").quality(types::ImageQuality::Res1K),
            a.path(),
        )
        .await
        .unwrap();
    let second = client
        .generate(
            lite_request("a red fox").quality(types::ImageQuality::Res1K),
            b.path(),
        )
        .await
        .unwrap();
    let third = client
        .generate(
            lite_request("a blue fox").quality(types::ImageQuality::Res1K),
            b.path(),
        )
        .await
        .unwrap();
    let read = |p: &std::path::PathBuf| std::fs::read(p).unwrap();
    assert_ne!(first.task.id, second.task.id);
    assert_eq!(read(&first.files[0]), read(&second.files[0]));
    assert_ne!(read(&first.files[0]), read(&third.files[0]));
}

#[tokio::test]
async fn tasks_move_from_pending_through_processing_to_completed() {
    // 10 simulated seconds at a 0.2 time scale: 2 real seconds, wide enough that a loaded
    // machine's first poll still finds the task running.
    let sandbox = Sandbox::start(SandboxConfig {
        time_scale: 0.2,
        estimated_time_secs: 10,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client = fast_client(&sandbox);
    let created = client.create(lite_request("a cat")).await.unwrap();
    assert_eq!(created.status, types::TaskStatus::Pending);
    // The estimate is reported in real seconds.
    assert_eq!(created.task_info.as_ref().unwrap().estimated_time, Some(2));
    assert_eq!(created.usage.as_ref().unwrap().credits_reserved, Some(1.6));
    let config = sandbox
        .client_config(KEY)
        .unwrap()
        .with_poll_schedule(PollSchedule::fixed(Duration::from_millis(60)));
    let polling = NanoBanana::new(&config).unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = std::sync::Arc::clone(&seen);
    polling
        .observe(Observer::new(move |event| {
            if let Event::Wait(e) = event {
                record
                    .lock()
                    .unwrap()
                    .push((e.status.clone(), e.progress.unwrap_or(-1)));
            }
        }))
        .wait(created.id.as_str())
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|(s, _)| *s == types::TaskStatus::Processing),
        "{seen:?}"
    );
    let progress: Vec<i64> = seen.iter().map(|(_, p)| *p).collect();
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "rising: {progress:?}"
    );
    assert_eq!(seen.last().unwrap(), &(types::TaskStatus::Completed, 100));
}

#[tokio::test]
async fn an_uploaded_inputs_swatch_shows_its_average_colour() {
    let sandbox = png_sandbox().await;
    let client = fast_client(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    // A solid grey (120, 120, 120) input.
    let input = dir.path().join("grey.png");
    nanobanana_test_kit::write_png(&input);
    let request = nanobanana_api::ImageRequest::new("nano-banana-2-lite", "a cat like this one")
        .quality(types::ImageQuality::Res1K)
        .images([nanobanana_api::ImageInput::File(input)]);
    let generated = client.generate(request, dir.path()).await.unwrap();
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&generated.files[0]).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut pixels).unwrap();
    let grey = pixels.chunks(3).filter(|p| *p == [120, 120, 120]).count();
    // The swatch's inside at 1K: 46 × 46 pixels of the input's colour.
    assert!(grey >= 46 * 46, "{grey} pixels of the input's colour");
}

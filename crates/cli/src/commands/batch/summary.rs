//! The end of a batch run: what it did, said once (a summary on stdout, with `--json` as one
//! object), and the outcome it ends with (done, stopped at the budget, interrupted, failed).

use std::path::Path;

use nanobanana_api::tasks::{BatchStop, Saved};
use nanobanana_api::{types, Error, NanoBanana};

use super::ledger::Earlier;
use crate::contact_sheet::SheetUpdates;
use crate::error::CliError;
use crate::output::{self, note};
use crate::progress::BatchProgress;

/// What a batch run leaves to summarize.
pub struct Run<'a> {
    /// The client, to ask the balance after.
    pub client: &'a NanoBanana,
    /// The balance before the run, if it was asked.
    pub credits_before: Option<types::CreditsResponse>,
    /// Each request's outcome, in the file's order.
    pub results: Vec<Result<Saved, Error>>,
    /// Each request's line number.
    pub numbers: &'a [usize],
    /// What earlier runs left in the ledger.
    pub earlier: &'a Earlier,
    /// The signal that stopped the run, if one did.
    pub interrupted: Option<&'static str>,
    /// The images' folder.
    pub out_dir: &'a Path,
    /// The ledger.
    pub ledger_path: &'a Path,
    /// `--json`.
    pub json: bool,
    /// `--max-credits`.
    pub max_credits: Option<f64>,
    /// `--timeout`, for the SDK's words.
    pub timeout_secs: u64,
}

/// Prints what the run did and returns how it ends.
pub async fn summarize(run: Run<'_>) -> Result<(), CliError> {
    let Run {
        client,
        credits_before,
        results,
        numbers,
        earlier,
        interrupted,
        out_dir,
        ledger_path,
        json,
        max_credits,
        timeout_secs,
    } = run;
    let credits_after = client.credits().await.ok();
    let used = match (credits_before, credits_after) {
        (Some(before), Some(after)) => {
            let used =
                |c: &types::CreditsResponse| c.data.user.as_ref().and_then(|u| u.used_credits);
            used(&after).zip(used(&before)).map(|(a, b)| a - b)
        }
        _ => None,
    };
    let done = results.iter().filter(|r| r.is_ok()).count();
    // Lines whose images an earlier run saved (the ledger answered them, nothing was sent).
    let from_earlier = results
        .iter()
        .enumerate()
        .filter(|(index, r)| r.is_ok() && earlier.saved.contains(index))
        .count();
    let this_run = done - from_earlier;
    let stopped = |e: &Error| matches!(e, Error::Stopped { .. } | Error::OverBudget { .. });
    // Lines the budget left uncreated (a rerun with a larger --max-credits creates them).
    let over_budget = results
        .iter()
        .filter(|r| matches!(r, Err(Error::OverBudget { .. })))
        .count();
    let failed: Vec<(usize, &Error)> = results
        .iter()
        .zip(numbers)
        .filter_map(|(r, n)| r.as_ref().err().map(|e| (*n, e)))
        .filter(|(_, e)| !stopped(e))
        .collect();
    // Lines the stop ended whose task runs on (recorded in the ledger), and lines not sent.
    let running = results
        .iter()
        .filter(|r| matches!(r, Err(Error::Stopped { task_id: Some(_) })))
        .count();
    let not_sent = results
        .iter()
        .filter(|r| matches!(r, Err(Error::Stopped { task_id: None })))
        .count();
    if json {
        let items: Vec<serde_json::Value> = results
            .iter()
            .zip(numbers)
            .map(|(r, n)| match r {
                Ok(g) => serde_json::json!({"line": n, "status": "done", "task_id": g.task.id, "files": g.files}),
                Err(Error::Stopped { task_id }) => serde_json::json!({"line": n, "status": "interrupted", "task_id": task_id}),
                Err(Error::OverBudget { .. }) => serde_json::json!({"line": n, "status": "not_created", "reason": "max_credits"}),
                Err(e) => serde_json::json!({"line": n, "status": "failed", "error": crate::exit::in_cli_words(e, timeout_secs)}),
            })
            .collect();
        let mut summary = serde_json::json!({
            "done": done,
            "done_earlier": from_earlier,
            "done_this_run": this_run,
            "failed": failed.len(),
            "not_created_over_budget": over_budget,
            "credits_used": used,
            "out_dir": out_dir,
            "items": items,
        });
        if interrupted.is_some() {
            summary["interrupted"] = serde_json::json!({
                "running": running,
                "not_sent": not_sent,
                "ledger": ledger_path,
            });
        }
        output::print_json(&summary)?;
    } else {
        let mut text = format!("{done} of {} done", results.len());
        if from_earlier > 0 {
            text.push_str(&format!(
                " ({this_run} by this run, {from_earlier} by earlier runs)"
            ));
        }
        text.push_str(&format!(", {} failed", failed.len()));
        match used {
            Some(used) if this_run > 0 || used > 0.0 => {
                text.push_str(&format!(", {used:.1} credits used by this run"))
            }
            _ => {}
        }
        text.push_str(&format!(
            "; images in {} (contact sheet: {})\n",
            out_dir.display(),
            out_dir.join(crate::contact_sheet::SHEET_FILE).display()
        ));
        for (number, error) in &failed {
            text.push_str(&format!(
                "line {number}: {}\n",
                crate::exit::in_cli_words(error, timeout_secs)
            ));
        }
        output::print(&text)?;
    }
    let over_budget = (over_budget > 0).then(|| CliError::OverBudget {
        lines: over_budget,
        max_credits: max_credits.unwrap_or_default(),
    });
    let first_failure = failed.first().map(|(number, _)| *number);
    let failures = failed.len();
    if let Some(signal) = interrupted {
        if let Some(words) = over_budget.as_ref().and_then(CliError::last_words) {
            note!("{words}");
        }
        return Err(CliError::Interrupted {
            message: format!(
                "{signal}: stopped; {running} task(s) already created keep running and are recorded in {}, {not_sent} line(s) were not sent. Run the same command again to finish the batch without paying twice.",
                ledger_path.display()
            ),
            json: None,
        });
    }
    match first_failure {
        None => over_budget.map_or(Ok(()), Err),
        Some(number) => {
            if let Some(words) = over_budget.as_ref().and_then(CliError::last_words) {
                note!("{words}");
            }
            // The first failure decides the exit code; every one is listed above.
            let first = results
                .into_iter()
                .zip(numbers)
                .find_map(|(r, n)| r.err().filter(|_| *n == number))
                .expect("the first failure is among the results");
            Err(CliError::LinesFailed {
                count: failures,
                first: Box::new(first),
            })
        }
    }
}

/// Gives up on the creates still on their way (a second signal, or no answer in time): names
/// their lines, whose tasks may exist without being in the ledger: the outcome to end with.
pub fn abandon(
    stop: &BatchStop,
    numbers: &[usize],
    progress: &BatchProgress,
    sheet: &std::sync::Mutex<SheetUpdates>,
    why: &str,
) -> CliError {
    progress.finish();
    let _ = sheet.lock().unwrap_or_else(|p| p.into_inner()).finish();
    let lines: Vec<String> = stop
        .creates_in_flight()
        .iter()
        .map(|index| numbers[*index].to_string())
        .collect();
    let message = if lines.is_empty() {
        format!("{why}: stopped; every task created is recorded in the ledger. Run the same command again to finish the batch without paying twice.")
    } else {
        format!(
            "{why}: abandoned the create requests of line(s) {}: their tasks may exist and be billed without being in the ledger (a rerun creates them again). Every other task created is recorded; run the same command again to finish the batch.",
            lines.join(", ")
        )
    };
    CliError::Interrupted {
        message,
        json: None,
    }
}

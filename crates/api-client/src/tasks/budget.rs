//! A batch's budget: what each create will reserve, learned per model and quality from the
//! answers, and a stop before the create that would pass the budget.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use tokio::sync::Notify;

use crate::error::Error;
use crate::types;

/// The credits a batch may reserve, and what it has reserved.
pub(crate) struct Budget {
    max: f64,
    state: Mutex<State>,
    learned: Notify,
}

#[derive(Default)]
struct State {
    /// Reserved by answered creates, plus the price of those on the wire.
    reserved: f64,
    /// What a create of each kind reserves, from an answer.
    prices: HashMap<String, f64>,
    /// Kinds whose first create is on the wire, price unknown.
    probing: HashSet<String>,
    /// Set once a create was turned away: none after it.
    over: bool,
}

/// A create allowed by the budget: settle it with its answer (or its failure).
pub(crate) struct Allowance {
    kind: String,
    counted: f64,
    probe: bool,
}

impl Budget {
    pub(crate) fn new(max: f64) -> Self {
        Self {
            max,
            state: Mutex::new(State::default()),
            learned: Notify::new(),
        }
    }

    /// Waits until this request's price is known (one create of a kind at a time until then),
    /// then allows its create, or refuses it when it would pass the budget.
    pub(crate) async fn allow(
        &self,
        request: &types::ImageGenerationRequest,
    ) -> Result<Allowance, Error> {
        let kind = serde_json::to_string(&(&request.model, &request.quality)).unwrap_or_default();
        loop {
            let learned = self.learned.notified();
            {
                let mut state = self.state.lock().expect("budget");
                let over = |state: &State| Error::OverBudget {
                    max_credits: self.max,
                    reserved: state.reserved,
                };
                if state.over {
                    return Err(over(&state));
                }
                match state.prices.get(&kind).copied() {
                    Some(price) if state.reserved + price > self.max + 1e-9 => {
                        state.over = true;
                        return Err(over(&state));
                    }
                    Some(price) => {
                        state.reserved += price;
                        return Ok(Allowance {
                            kind,
                            counted: price,
                            probe: false,
                        });
                    }
                    None if !state.probing.contains(&kind) => {
                        if state.reserved >= self.max {
                            state.over = true;
                            return Err(over(&state));
                        }
                        state.probing.insert(kind.clone());
                        return Ok(Allowance {
                            kind,
                            counted: 0.0,
                            probe: true,
                        });
                    }
                    None => {}
                }
            }
            learned.await;
        }
    }

    /// Counts what the create reserved (`None`: it failed, or its answer said nothing; a
    /// replayed answer teaches the price but reserved nothing new).
    pub(crate) fn settle(&self, allowance: Allowance, reserved: Option<f64>, replayed: bool) {
        let mut state = self.state.lock().expect("budget");
        state.reserved -= allowance.counted;
        if let Some(reserved) = reserved {
            if !replayed {
                state.reserved += reserved;
            }
            state.prices.insert(allowance.kind.clone(), reserved);
        }
        if allowance.probe {
            state.probing.remove(&allowance.kind);
        }
        drop(state);
        self.learned.notify_waiters();
    }
}

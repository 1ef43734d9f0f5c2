//! The contact sheet's own tests: round trips, links, escaping, when it is written.

use super::render::{DATA_END, DATA_START};
use super::*;

#[test]
fn the_cards_survive_a_round_trip_through_the_page_even_with_markup_in_a_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let card = Card::waiting(
        "line-1".into(),
        "a </script> <b>fox</b>",
        "nano-banana-2-lite",
        Some("16:9".into()),
        None,
    )
    .ended(
        dir.path(),
        Ok(("task-unified-1", &[dir.path().join("fox.png")][..])),
    );
    ContactSheet::new(dir.path(), "banners".into(), vec![card])
        .write()
        .unwrap();
    let html = std::fs::read_to_string(dir.path().join(SHEET_FILE)).unwrap();
    assert!(
        html.contains("&lt;b&gt;fox&lt;&#x2f;b&gt;") || html.contains("&lt;b&gt;fox&lt;/b&gt;"),
        "{html}"
    );
    assert!(html.contains("src=\"./fox.png\""), "{html}");
    let read = ContactSheet::existing(dir.path()).unwrap();
    assert_eq!(read.title, "banners");
    let card = read.card("line-1").unwrap();
    assert_eq!(card.prompt, "a </script> <b>fox</b>");
    assert_eq!(card.images, ["fox.png"]);
}

#[test]
fn no_name_becomes_a_scheme_or_a_fragment_and_no_text_ends_the_script() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["javascript:alert(3).png", "a b#c?d%e.png", "\"><img>.png"];
    let cards: Vec<Card> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            Card::waiting(
                format!("line-{i}"),
                "<!-- </script> <script>",
                "m",
                None,
                None,
            )
            .ended(dir.path(), Ok(("task-1", &[dir.path().join(name)][..])))
        })
        .collect();
    ContactSheet::new(dir.path(), "t".into(), cards)
        .write()
        .unwrap();
    let html = std::fs::read_to_string(dir.path().join(SHEET_FILE)).unwrap();
    let links: Vec<&str> = [" href=\"", " src=\""]
        .iter()
        .flat_map(|attribute| html.split(attribute).skip(1))
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    assert!(links.len() >= 6, "{html}");
    for link in &links {
        assert!(link.starts_with("./"), "{link}");
        assert!(
            !link[2..].contains([':', '#', '?', ' ', '<', '>', '"']),
            "{link}"
        );
    }
    assert!(
        links.contains(&"./javascript%3Aalert%283%29.png"),
        "{links:?}"
    );
    assert!(links.contains(&"./a%20b%23c%3Fd%25e.png"), "{links:?}");
    // The JSON block: one `</script>` (its own end), no `<!--`, and the text intact.
    let data = html.split(DATA_START).nth(1).unwrap();
    let data = data.split(DATA_END).next().unwrap();
    assert!(!data.contains('<'), "{data}");
    let read = ContactSheet::existing(dir.path()).unwrap();
    assert_eq!(
        read.card("line-0").unwrap().prompt,
        "<!-- </script> <script>"
    );
    assert_eq!(read.card("line-1").unwrap().images, ["a b#c?d%e.png"]);
}

#[test]
fn a_batch_writes_the_sheet_once_a_fifth_of_it_changed_and_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let cards: Vec<Card> = (0..100)
        .map(|i| Card::waiting(format!("line-{i}"), "p", "m", None, None))
        .collect();
    let mut updates = SheetUpdates::new(ContactSheet::new(dir.path(), "t".into(), cards));
    // As if the last write were long ago: the time rule allows a write, the count decides.
    updates.last_write -= MIN_INTERVAL;
    let path = dir.path().join(SHEET_FILE);
    for i in 0..19 {
        let card = updates.sheet().card(&format!("line-{i}")).unwrap().clone();
        updates
            .set(card.ended(dir.path(), Err("no".into())))
            .unwrap();
    }
    assert!(!path.exists(), "19 of 100 changed: not yet written");
    let card = updates.sheet().card("line-19").unwrap().clone();
    updates
        .set(card.ended(dir.path(), Err("no".into())))
        .unwrap();
    assert!(path.exists(), "20 of 100 changed: written");
    std::fs::remove_file(&path).unwrap();
    // Within the second after a write, no other write, however many changed.
    for i in 20..50 {
        let card = updates.sheet().card(&format!("line-{i}")).unwrap().clone();
        updates
            .set(card.ended(dir.path(), Err("no".into())))
            .unwrap();
    }
    assert!(!path.exists());
    updates.finish().unwrap();
    let read = ContactSheet::existing(dir.path()).unwrap();
    assert_eq!(read.card("line-49").unwrap().state, "failed");
}

#[test]
fn each_card_shows_the_credits_its_task_reserved_per_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let entry = |index: usize, task_id: &str, credits: Option<f64>| {
        let mut line = serde_json::json!({
            "index": index,
            "request": {"model": "nano-banana-2-lite", "prompt": "p"},
            "task_id": task_id,
            "created_at": 1,
        });
        if let Some(credits) = credits {
            line["credits_reserved"] = serde_json::json!(credits);
        }
        line.to_string()
    };
    let ledger = [
        entry(0, "task-unified-a", Some(1.6)),
        "{\"not\": \"an entry\"".to_string(),
        entry(1, "task-unified-<b>", Some(2.0)),
        entry(2, "task-unified-c", None),
    ]
    .join("\n");
    std::fs::write(dir.path().join(LEDGER_FILE), ledger).unwrap();
    let cards: Vec<Card> = ["task-unified-a", "task-unified-<b>", "task-unified-c"]
        .iter()
        .enumerate()
        .map(|(i, id)| {
            Card::waiting(format!("line-{i}"), "p", "m", None, None).ended(
                dir.path(),
                Ok((id, &[dir.path().join(format!("{i}.png"))][..])),
            )
        })
        .collect();
    ContactSheet::new(dir.path(), "t".into(), cards)
        .write()
        .unwrap();
    let html = std::fs::read_to_string(dir.path().join(SHEET_FILE)).unwrap();
    assert!(html.contains(">1.6 credits reserved<"), "{html}");
    assert!(html.contains(">2 credits reserved<"), "{html}");
    assert_eq!(html.matches("credits reserved").count(), 2, "{html}");
    // The untrusted id is escaped, in the page and in its JSON.
    assert!(!html.contains("task-unified-<b>"), "{html}");
    let read = ContactSheet::existing(dir.path()).unwrap();
    assert_eq!(read.card("line-0").unwrap().credits_reserved, Some(1.6));
}

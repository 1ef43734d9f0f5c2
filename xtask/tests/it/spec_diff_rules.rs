//! spec-diff's rule table: one spec change per rule, applied to the real spec, with the
//! classification and the line it must produce.

use std::path::Path;

use xtask::spec_diff::{diff, render_json, Class};

fn spec() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/openapi.yaml"))
        .unwrap()
}

fn parse(text: &str) -> serde_json::Value {
    serde_yaml_ng::from_str(text).unwrap()
}

fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "one {from:?} in the spec");
    text.replacen(from, to, 1)
}

struct Rule {
    name: &'static str,
    mutate: fn(&str) -> String,
    class: Class,
    line: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        name: "operation removed",
        mutate: |s| edit(s, "  /v1/tasks/{task_id}:\n    get:", "  /v1/tasks/{task_id}:\n    x-removed:"),
        class: Class::Breaking,
        line: "GET /v1/tasks/{task_id} operation removed (or its path or method changed)",
    },
    Rule {
        name: "path changed",
        mutate: |s| edit(s, "  /v1/tasks/{task_id}:", "  /v2/tasks/{task_id}:"),
        class: Class::Breaking,
        line: "GET /v1/tasks/{task_id} operation removed (or its path or method changed)",
    },
    Rule {
        name: "method changed",
        mutate: |s| edit(s, "  /v1/tasks/{task_id}:\n    get:", "  /v1/tasks/{task_id}:\n    post:"),
        class: Class::Breaking,
        line: "GET /v1/tasks/{task_id} operation removed (or its path or method changed)",
    },
    Rule {
        name: "request property added as required",
        mutate: |s| edit(
            edit(s, "      required: [model, prompt]", "      required: [model, prompt, seed]").as_str(),
            "        callback_url:\n          type: string\n",
            "        seed:\n          type: integer\n        callback_url:\n          type: string\n",
        ),
        class: Class::Breaking,
        line: "POST /v1/images/generations request property .seed added as required",
    },
    Rule {
        name: "request enum value removed",
        mutate: |s| edit(s, "        - '21:9'\n", ""),
        class: Class::Breaking,
        line: "POST /v1/images/generations request .size enum: removed '21:9'",
    },
    Rule {
        name: "maxLength lowered",
        mutate: |s| edit(s, "          maxLength: 2000", "          maxLength: 1000"),
        class: Class::Breaking,
        line: "POST /v1/images/generations request .prompt maxLength tightened: 2000 → 1000",
    },
    Rule {
        name: "maxItems lowered",
        mutate: |s| edit(s, "          maxItems: 14", "          maxItems: 5"),
        class: Class::Breaking,
        line: "POST /v1/images/generations request .image_urls maxItems tightened: 14 → 5",
    },
    Rule {
        name: "response maximum lowered: the server promises less, callers still accept it",
        mutate: |s| edit(s, "          maximum: 100\n          example: 0", "          maximum: 50\n          example: 0"),
        class: Class::NonBreaking,
        line: "POST /v1/images/generations response 200 .progress maximum tightened: 100 → 50",
    },
    Rule {
        name: "response maximum raised: callers' checks refuse what the server may send",
        mutate: |s| edit(s, "          maximum: 100\n          example: 0", "          maximum: 1000\n          example: 0"),
        class: Class::Breaking,
        line: "POST /v1/images/generations response 200 .progress maximum loosened: 100 → 1000",
    },
    Rule {
        name: "minimum raised",
        mutate: |s| edit(s, "          example: A cat playing in the grass\n          minLength: 1\n", "          example: A cat playing in the grass\n          minLength: 5\n"),
        class: Class::Breaking,
        line: "POST /v1/images/generations request .prompt minLength tightened: 1 → 5",
    },
    Rule {
        name: "response property removed",
        mutate: |s| edit(s, "        param:\n          type: string\n          description: Related parameter name\n", ""),
        class: Class::Breaking,
        line: "GET /v1/tasks/{task_id} response 400 .error property .param removed",
    },
    Rule {
        name: "response property type changed",
        mutate: |s| edit(s, "        can_cancel:\n          type: boolean", "        can_cancel:\n          type: string"),
        class: Class::Breaking,
        line: "GET /v1/tasks/{task_id} response 200 .task_info .can_cancel type changed from boolean to string",
    },
    Rule {
        name: "request enum value added",
        mutate: |s| edit(s, "        - '21:9'\n", "        - '21:9'\n        - '2:1'\n"),
        class: Class::NonBreaking,
        line: "POST /v1/images/generations request .size enum: added '2:1'",
    },
    Rule {
        name: "response enum value added to a strict response enum",
        mutate: |s| edit(s, "      x-nanobanana-open-enum: true\n      description: Specific task type. Open (`x-nanobanana-open-enum`).\n      anyOf:\n        - type: string\n          enum:\n            - image.generation.task\n            - video.generation.task\n            - audio.generation.task\n        - type: string\n          description: A value not listed yet, kept as sent\n", "      type: string\n      description: Specific task type.\n      enum:\n        - image.generation.task\n        - video.generation.task\n        - audio.generation.task\n        - text.generation.task\n"),
        class: Class::Breaking,
        line: "GET /v1/tasks/{task_id} response 200 .object enum: added 'text.generation.task' (strict enums fail on unknown values)",
    },
    Rule {
        name: "response enum value added to an open enum",
        mutate: |s| edit(s, "            - processing\n            - completed\n", "            - processing\n            - expired\n            - completed\n"),
        class: Class::NonBreaking,
        line: "GET /v1/tasks/{task_id} response 200 .status enum: added 'expired' (open enum: unknown values are kept)",
    },
    Rule {
        name: "operation added",
        mutate: |s| edit(s, "components:\n  responses:", "  /v1/models:\n    get:\n      operationId: list_models\n      responses:\n        '200':\n          description: ok\ncomponents:\n  responses:"),
        class: Class::NonBreaking,
        line: "GET /v1/models operation added",
    },
    Rule {
        name: "optional request property added",
        mutate: |s| edit(s, "        callback_url:\n          type: string\n", "        seed:\n          type: integer\n        callback_url:\n          type: string\n"),
        class: Class::NonBreaking,
        line: "POST /v1/images/generations request property .seed added as optional",
    },
    Rule {
        name: "response property added",
        mutate: |s| edit(s, "    TaskInfo:\n      type: object\n      description: Asynchronous task information\n      properties:\n", "    TaskInfo:\n      type: object\n      description: Asynchronous task information\n      properties:\n        queue_position:\n          type: integer\n"),
        class: Class::NonBreaking,
        line: "GET /v1/tasks/{task_id} response 200 .task_info property .queue_position added",
    },
    Rule {
        name: "error status added",
        mutate: |s| edit(s, "        '500':\n          description: Internal server error\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/ErrorResponse'\n              examples:\n                example:\n                  value:\n                    error:\n                      code: internal_error", "        '504':\n          description: Gateway timeout\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/ErrorResponse'\n        '500':\n          description: Internal server error\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/ErrorResponse'\n              examples:\n                example:\n                  value:\n                    error:\n                      code: internal_error"),
        class: Class::NonBreaking,
        line: "GET /v1/tasks/{task_id} error status 504 added",
    },
    Rule {
        name: "limit loosened",
        mutate: |s| edit(s, "          maxItems: 14", "          maxItems: 20"),
        class: Class::NonBreaking,
        line: "POST /v1/images/generations request .image_urls maxItems loosened: 14 → 20",
    },
    Rule {
        name: "a model's limit tightened",
        mutate: |s| edit(s, "          max_images: 14\n          max_image_mb: 20\n          max_real_persons: 4\n", "          max_images: 10\n          max_image_mb: 20\n          max_real_persons: 4\n"),
        class: Class::Breaking,
        line: "POST /v1/images/generations request .model model 'gemini-3.1-flash-image-preview' max_images tightened: 14 → 10",
    },
    Rule {
        name: "a model's limit loosened",
        mutate: |s| edit(s, "          max_image_mb: 20\n          max_real_persons: 4\n", "          max_image_mb: 30\n          max_real_persons: 4\n"),
        class: Class::NonBreaking,
        line: "POST /v1/images/generations request .model model 'gemini-3.1-flash-image-preview' max_image_mb loosened: 20 → 30",
    },
    Rule {
        name: "a model's size removed",
        mutate: |s| edit(s, "nanobanana-2-image-generate\n          source: index\n          prompt_max_chars: 2000\n          sizes: [auto, '1:1', '1:4', '4:1', '1:8', '8:1',", "nanobanana-2-image-generate\n          source: index\n          prompt_max_chars: 2000\n          sizes: [auto, '1:1', '1:4', '4:1', '8:1',"),
        class: Class::Breaking,
        line: "POST /v1/images/generations request .model model 'gemini-3.1-flash-image-preview' sizes: removed '1:8'",
    },
    Rule {
        name: "a model removed",
        mutate: |s| edit(s, "        - model: gemini-2.5-flash-image\n", "        - model: gemini-2.5-flash-image-v2\n"),
        class: Class::Breaking,
        line: "POST /v1/images/generations request .model model 'gemini-2.5-flash-image' removed",
    },
    Rule {
        name: "a model added (an open enum value added)",
        mutate: |s| edit(
            edit(s, "            - gemini-2.5-flash-image\n", "            - gemini-2.5-flash-image\n            - nano-banana-3\n").as_str(),
            "    ModelParams:\n",
            "        - model: nano-banana-3\n          summary: next\n          page: p\n          source: assumed\n          prompt_max_chars: 100\n          sizes: [auto]\n          qualities: []\n          max_images: 1\n          max_image_mb: 10\n          model_params: []\n    ModelParams:\n",
        ),
        class: Class::NonBreaking,
        line: "POST /v1/images/generations request .model model 'nano-banana-3' added",
    },
    Rule {
        name: "a model's model_params field removed",
        mutate: |s| edit(s, "model_params: [thinking_level, web_search, image_search]", "model_params: [thinking_level, web_search]"),
        class: Class::Breaking,
        line: "POST /v1/images/generations request .model model 'gemini-3.1-flash-image-preview' model_params: removed 'image_search'",
    },
    Rule {
        name: "a model's model_params field added",
        mutate: |s| edit(s, "model_params: [web_search]", "model_params: [web_search, thinking_level]"),
        class: Class::NonBreaking,
        line: "POST /v1/images/generations request .model model 'gemini-3-pro-image-preview' model_params: added 'thinking_level'",
    },
    Rule {
        name: "description changed",
        mutate: |s| edit(s, "      summary: Query the status and results of a task", "      summary: Query a task"),
        class: Class::NonBreaking,
        line: "GET /v1/tasks/{task_id} summary changed",
    },
    Rule {
        name: "example changed",
        mutate: |s| edit(s, "                  prompt: A cat playing on the grass", "                  prompt: A dog playing on the grass"),
        class: Class::NonBreaking,
        line: "POST /v1/images/generations request examples changed",
    },
];

#[test]
fn each_rule_classifies_its_change() {
    let base = spec();
    let mut failures = Vec::new();
    for rule in RULES {
        let changes = diff(&parse(&base), &parse(&(rule.mutate)(&base)));
        let found = changes.iter().find(|c| c.to_string() == rule.line);
        match found {
            Some(change) if change.class == rule.class => {}
            Some(change) => failures.push(format!(
                "{}: `{}` classified {:?}, want {:?}",
                rule.name, rule.line, change.class, rule.class
            )),
            None => failures.push(format!(
                "{}: no line `{}`; got:\n    {}",
                rule.name,
                rule.line,
                changes
                    .iter()
                    .map(|c| format!("{:?} {c}", c.class))
                    .collect::<Vec<_>>()
                    .join("\n    ")
            )),
        }
        if rule.class == Class::NonBreaking && changes.iter().any(|c| c.class == Class::Breaking) {
            failures.push(format!(
                "{}: a non-breaking change produced breaking lines: {changes:?}",
                rule.name
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} rule(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn an_unchanged_spec_has_no_differences() {
    let base = parse(&spec());
    assert!(diff(&base, &base).is_empty());
}

#[test]
fn model_params_written_as_a_bool_before_their_fields_were_listed_are_not_taken_as_removed() {
    // Before the lineup listed each model's `model_params` fields, the spec said `true` (takes
    // model_params, fields unnamed) or `false`. From that form to the lists nothing is removed:
    // a model with fields has them named, a model with `[]` still takes none.
    let base = spec();
    let mut models_with_fields = 0;
    let old: String = base
        .lines()
        .map(
            |line| match line.trim_start().strip_prefix("model_params: [") {
                Some(fields) => {
                    let indent = &line[..line.len() - line.trim_start().len()];
                    let takes = fields != "]";
                    models_with_fields += usize::from(takes);
                    format!("{indent}model_params: {takes}\n")
                }
                None => format!("{line}\n"),
            },
        )
        .collect();
    assert!(
        models_with_fields > 0,
        "the spec lists some model_params fields"
    );
    let changes = diff(&parse(&old), &parse(&base));
    let breaking: Vec<String> = changes
        .iter()
        .filter(|c| c.class == Class::Breaking)
        .map(ToString::to_string)
        .collect();
    assert!(breaking.is_empty(), "breaking lines: {breaking:#?}");
    let named = changes
        .iter()
        .filter(|c| c.change.contains("model_params: its fields named"))
        .count();
    assert_eq!(named, models_with_fields, "{changes:#?}");
}

#[test]
fn json_output_groups_by_class() {
    let base = spec();
    let changed = edit(&base, "        - '21:9'\n", "");
    let json: serde_json::Value =
        serde_json::from_str(&render_json(&diff(&parse(&base), &parse(&changed)))).unwrap();
    assert_eq!(json["breaking"][0]["change"], "enum: removed '21:9'");
    assert_eq!(
        json["breaking"][0]["place"],
        "POST /v1/images/generations request .size"
    );
    assert!(json["non_breaking"].as_array().is_some());
}

#[test]
fn the_command_exits_1_on_breaking_changes_and_0_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let base = spec();
    let old = dir.path().join("old.yaml");
    std::fs::write(
        &old,
        edit(
            &base,
            "        - '21:9'\n",
            "        - '21:9'\n        - '2:1'\n",
        ),
    )
    .unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .current_dir(root)
            .output()
            .unwrap()
    };
    let breaking = run(&["spec-diff", old.to_str().unwrap()]);
    assert_eq!(breaking.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&breaking.stdout).contains("enum: removed '2:1'"));
    let same = run(&["spec-diff", "spec/openapi.yaml", "spec/openapi.yaml"]);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    let head = run(&["spec-diff", "--git", "HEAD", "--format", "json"]);
    assert!(
        head.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&head.stderr)
    );
}

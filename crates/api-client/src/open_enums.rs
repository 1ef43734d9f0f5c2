//! Response enums that keep values this SDK does not know.
//!
//! The spec marks these with `x-nanobanana-open-enum: true`; `cargo xtask codegen` then makes
//! the generated types use these instead of typify's strict enums, which fail a whole response
//! on one new value (the task query can report a status such as `cancelled` that no document
//! lists). A value that is not known arrives as `Unknown(value)` and is sent back unchanged.
//! The conformance suite checks that the known values equal the spec's `enum`.

/// Defines an open enum: one variant per known wire value, plus `Unknown(String)`.
macro_rules! open_enum {
    (
        $(#[$doc:meta])*
        $name:ident { $( $(#[$variant_doc:meta])* $variant:ident => $wire:literal ),+ $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$variant_doc])* $variant, )+
            /// A value the spec did not list when this SDK was built, kept as the API sent it.
            Unknown(String),
        }

        impl $name {
            /// The wire values the spec lists, in its order.
            pub const KNOWN: &'static [&'static str] = &[$($wire),+];

            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Unknown(other) => other,
                }
            }

            /// `false` for a value the spec does not list.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )+
                    other => Self::Unknown(other.to_string()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> String {
                stringify!($name).to_string()
            }

            fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
                schemars::schema::SchemaObject {
                    instance_type: Some(schemars::schema::InstanceType::String.into()),
                    enum_values: Some(Self::KNOWN.iter().map(|v| (*v).into()).collect()),
                    ..Default::default()
                }
                .into()
            }
        }
    };
}

open_enum! {
    /// The state of a task. Poll until it is terminal ([`TaskStatus::is_terminal`]).
    TaskStatus {
        /// Queued, not started.
        Pending => "pending",
        /// Being generated.
        Processing => "processing",
        /// Done: `results` holds the image URLs.
        Completed => "completed",
        /// Ended without images: `error` says why.
        Failed => "failed",
    }
}

impl TaskStatus {
    /// Whether the task has ended. An unknown status (e.g. `cancelled`) counts as ended: the
    /// documented progression only moves through the known non-terminal states.
    pub fn is_terminal(&self) -> bool {
        !matches!(self, Self::Pending | Self::Processing)
    }
}

open_enum! {
    /// The kind of task object.
    TaskObject {
        /// An image generation task.
        ImageGenerationTask => "image.generation.task",
        /// A video generation task.
        VideoGenerationTask => "video.generation.task",
        /// An audio generation task.
        AudioGenerationTask => "audio.generation.task",
    }
}

open_enum! {
    /// The kind of output a task produces.
    TaskType {
        /// Text output.
        Text => "text",
        /// Image output.
        Image => "image",
        /// Audio output.
        Audio => "audio",
        /// Video output.
        Video => "video",
    }
}

open_enum! {
    /// How a task is billed.
    BillingRule {
        /// A fixed price per call.
        PerCall => "per_call",
        /// Priced per token.
        PerToken => "per_token",
        /// Priced per second.
        PerSecond => "per_second",
    }
}

open_enum! {
    /// The account's user group.
    UserGroup {
        /// The default group.
        Default => "default",
        /// The VIP group.
        Vip => "vip",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_round_trip_as_variants() {
        let status: TaskStatus = serde_json::from_str("\"completed\"").unwrap();
        assert_eq!(status, TaskStatus::Completed);
        assert_eq!(serde_json::to_string(&status).unwrap(), "\"completed\"");
    }

    #[test]
    fn unknown_values_are_kept_and_sent_back_unchanged() {
        let status: TaskStatus = serde_json::from_str("\"cancelled\"").unwrap();
        assert_eq!(status, TaskStatus::Unknown("cancelled".into()));
        assert!(!status.is_known());
        assert!(status.is_terminal());
        assert_eq!(serde_json::to_string(&status).unwrap(), "\"cancelled\"");
    }

    #[test]
    fn non_strings_are_still_rejected() {
        assert!(serde_json::from_str::<TaskStatus>("3").is_err());
    }
}

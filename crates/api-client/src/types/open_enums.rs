//! The two shapes of the spec's string enums, as macros that `generated_lineup.rs` invokes
//! once per enum (`cargo xtask codegen` writes the invocations from the spec).
//!
//! - `open_enum!`: a value list that may grow (`x-nanobanana-open-enum`): a task status such
//!   as `cancelled` that no document lists, a model Evolink adds. A value that is not known
//!   arrives as `Unknown(value)` and is sent back unchanged, where typify's strict enums would
//!   fail a whole response.
//! - `closed_enum!`: a fixed list (`size`, `quality`); parsing anything else is an
//!   [`UnknownValue`] error that lists the accepted values.
//!
//! The conformance suite checks that the known values equal the spec's `enum`.

use std::fmt;

/// A string that is not one of an enum's documented values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownValue {
    /// What the value is, as the API names the field (`size`, `quality`).
    pub type_name: &'static str,
    /// The value given.
    pub value: String,
    /// The values accepted, in the spec's order.
    pub accepted: &'static [&'static str],
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a valid {}; use one of: {}",
            self.value,
            self.type_name,
            self.accepted.join(", ")
        )
    }
}

impl std::error::Error for UnknownValue {}

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

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> String {
                stringify!($name).to_string()
            }

            /// As the spec writes it: a listed value, or any other string.
            fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
                use schemars::schema::{InstanceType, Schema, SchemaObject, SubschemaValidation};
                let listed = SchemaObject {
                    instance_type: Some(InstanceType::String.into()),
                    enum_values: Some(Self::KNOWN.iter().map(|v| (*v).into()).collect()),
                    ..Default::default()
                };
                let any = SchemaObject {
                    instance_type: Some(InstanceType::String.into()),
                    ..Default::default()
                };
                SchemaObject {
                    subschemas: Some(Box::new(SubschemaValidation {
                        any_of: Some(vec![Schema::from(listed), Schema::from(any)]),
                        ..Default::default()
                    })),
                    ..Default::default()
                }
                .into()
            }
        }
    };
}

pub(crate) use open_enum;

/// Defines a closed enum: one variant per wire value; other strings are an [`UnknownValue`]
/// naming the value as `label` (the API's field name).
macro_rules! closed_enum {
    (
        $(#[$doc:meta])*
        label: $label:literal,
        $name:ident { $( $(#[$variant_doc:meta])* $variant:ident => $wire:literal ),+ $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$variant_doc])* $variant, )+
        }

        impl $name {
            /// The wire values the spec lists, in its order.
            pub const KNOWN: &'static [&'static str] = &[$($wire),+];
            /// Every value, in the spec's order.
            pub const ALL: &'static [$name] = &[$(Self::$variant),+];

            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $( Self::$variant => $wire, )+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::types::open_enums::UnknownValue;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    $( $wire => Ok(Self::$variant), )+
                    other => Err($crate::types::open_enums::UnknownValue {
                        type_name: $label,
                        value: other.to_string(),
                        accepted: Self::KNOWN,
                    }),
                }
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $crate::types::open_enums::UnknownValue;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::types::open_enums::UnknownValue;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
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
                value.parse().map_err(serde::de::Error::custom)
            }
        }

        #[cfg(feature = "schemars")]
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

pub(crate) use closed_enum;

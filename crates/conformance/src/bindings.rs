//! Spec names bound to the generated client: component schemas to `types::*`, operationIds to
//! client methods. The tables are generated from the spec by `build.rs`.

use std::fmt::Debug;

use nanobanana_api::raw::FilePart;
#[allow(unused_imports)] // used by the drivers of hand-written operations
use nanobanana_api::{error::ValidationError, raw::ResponseValue, types::Validate};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

include!(concat!(env!("OUT_DIR"), "/spec_bindings.rs"));

/// A value deserialized into a generated type.
#[derive(Debug)]
pub struct Typed {
    /// The Rust type it was deserialized into.
    pub rust_type: &'static str,
    /// The typed value serialized back to JSON.
    pub json: Value,
    /// The typed value's `Debug` output.
    pub debug: String,
    /// The verdict of api-client's checks for limits the type does not enforce.
    pub limits: Result<(), ValidationError>,
}

impl Typed {
    /// Deserializes `value` as `T`; `Err` holds serde's message.
    pub fn parse<T: DeserializeOwned + Serialize + Validate + Debug>(
        value: &Value,
    ) -> Result<Self, String> {
        let typed: T = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
        Ok(Self {
            rust_type: public_type_name::<T>(),
            json: serde_json::to_value(&typed).map_err(|e| e.to_string())?,
            debug: format!("{typed:?}"),
            limits: typed.validate(),
        })
    }
}

/// `T`'s path as a user writes it: `nanobanana_api::types::TaskDetail`, not the private
/// `nanobanana_api::generated::types::TaskDetail`.
pub fn public_type_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    for private in [
        "nanobanana_api::generated::types::",
        "nanobanana_api::generated_lineup::",
    ] {
        if let Some(rest) = name.strip_prefix(private) {
            return Box::leak(format!("nanobanana_api::types::{rest}").into_boxed_str());
        }
    }
    name
}

/// Deserializes `value` as the Rust primitive an inline schema maps to (`String`, `i64`, …).
pub fn typed_primitive(rust_type: &str, value: &Value) -> Result<Typed, String> {
    fn parse<T: DeserializeOwned + Serialize + Debug>(value: &Value) -> Result<Typed, String> {
        let typed: T = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
        Ok(Typed {
            rust_type: std::any::type_name::<T>(),
            json: serde_json::to_value(&typed).map_err(|e| e.to_string())?,
            debug: format!("{typed:?}"),
            limits: Ok(()),
        })
    }
    match rust_type {
        "String" => parse::<String>(value),
        "i64" => parse::<i64>(value),
        "NonZeroU64" => parse::<std::num::NonZeroU64>(value),
        "f64" => parse::<f64>(value),
        "bool" => parse::<bool>(value),
        other => Err(format!("no primitive binding for {other}")),
    }
}

/// The inputs of one call: parameter values by name and the JSON body.
#[derive(Clone, Debug, Default)]
pub struct OperationRequest {
    /// Parameter values by their names in the spec.
    pub params: Map<String, Value>,
    /// The request body, for operations that take one.
    pub body: Option<Value>,
}

impl OperationRequest {
    /// The parameter `name` as `T`.
    pub fn param<T: DeserializeOwned>(&self, name: &str) -> Result<T, String> {
        let value = self
            .params
            .get(name)
            .ok_or_else(|| format!("no value for parameter `{name}`"))?;
        serde_json::from_value(value.clone()).map_err(|e| format!("parameter `{name}`: {e}"))
    }

    /// The text field `name` of a form body, when the body has it.
    pub fn form_text(&self, name: &str) -> Option<String> {
        let value = self.body.as_ref()?.get(name)?;
        Some(match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
    }

    /// The file field `name` of a form body: the bytes of its (string) value, sent as
    /// `application/octet-stream`.
    pub fn file_part(&self, name: &str) -> Result<FilePart, String> {
        let text = self
            .form_text(name)
            .ok_or_else(|| format!("no value for form field `{name}`"))?;
        Ok(FilePart::from_bytes(
            text.into_bytes(),
            name,
            "application/octet-stream",
        ))
    }

    /// The body as `T`.
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, String> {
        let body = self.body.clone().ok_or("no request body")?;
        serde_json::from_value(body).map_err(|e| format!("request body: {e}"))
    }
}

/// What the generated client returned for one call.
#[derive(Debug)]
pub enum CallOutcome {
    /// A documented success response.
    Success {
        /// HTTP status.
        status: u16,
        /// The typed body's Rust type.
        rust_type: &'static str,
        /// The typed body serialized back to JSON.
        body: Value,
    },
    /// `Error::ErrorResponse`: a documented error status with its typed body.
    DocumentedError {
        /// HTTP status.
        status: u16,
        /// The typed body's Rust type.
        rust_type: &'static str,
        /// The typed body serialized back to JSON.
        body: Value,
    },
    /// Any other error variant.
    OtherError {
        /// The variant's Debug output.
        detail: String,
    },
}

impl CallOutcome {
    /// Classifies a generated builder's `send()` result.
    pub fn from_result<T: Serialize, E: Serialize + Debug>(
        result: Result<ResponseValue<T>, nanobanana_api::raw::Error<E>>,
    ) -> Self {
        fn typed_json<X: Serialize>(value: &X) -> Value {
            serde_json::to_value(value).expect("generated types serialize")
        }
        match result {
            Ok(response) => Self::Success {
                status: response.status().as_u16(),
                rust_type: public_type_name::<T>(),
                body: typed_json(&*response),
            },
            Err(nanobanana_api::raw::Error::ErrorResponse(response)) => Self::DocumentedError {
                status: response.status().as_u16(),
                rust_type: public_type_name::<E>(),
                body: typed_json(&*response),
            },
            Err(other) => Self::OtherError {
                detail: format!("{other:?}"),
            },
        }
    }
}

/// Deserializes a placed value into the generated type of its owner.
pub fn typed_owner(owner: &crate::owner::Owner, value: &Value) -> Result<Typed, String> {
    match owner {
        crate::owner::Owner::Component(name) => typed_component(name, value)
            .unwrap_or_else(|| Err(format!("no generated type is bound to component {name}"))),
        crate::owner::Owner::Parameter { operation, name } => {
            typed_parameter(operation, name, value).unwrap_or_else(|| {
                Err(format!(
                    "no generated type is bound to parameter {name} of {operation}"
                ))
            })
        }
        crate::owner::Owner::Primitive(rust_type) => typed_primitive(rust_type, value),
    }
}

//! In-process tests: rmcp's client drives the server over an in-memory pipe.

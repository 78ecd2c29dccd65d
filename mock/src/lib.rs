//! Embedded mock of both platforms.

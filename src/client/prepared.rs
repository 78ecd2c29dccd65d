//! A request validated and serialized ahead of sending: the body bytes every attempt sends, and the
//! credentials the body carries, which the client scrubs from what it reports.

use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;

use super::secret::Secret;
use crate::error::Error;
use crate::runtime::{Operation, Validate};

/// A request of endpoint `O`, ready to send with a client's `send_prepared`.
///
/// `call` prepares and sends in one step. Preparing apart lets a caller do the CPU work (validation and
/// serialization) before a send slot is free, so that sending is not delayed by it; `salesync push` does
/// this. The body may hold a credential (Shopline's `app_key`): `Debug` prints only its length.
pub struct Prepared<O: Operation> {
    body: Bytes,
    credentials: Vec<Secret>,
    operation: PhantomData<fn() -> O>,
}

/// Room reserved for a body's envelope and separators, beyond its items' own size.
const BODY_ROOM: usize = 512;
/// The most reserved for items before serializing (the platforms' bodies stay well under it).
const MOST_RESERVED: usize = 8 << 20;

impl<O: Operation> Prepared<O> {
    /// Validates `request` (every violation, each with its JSON pointer) and serializes it.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] with every violation; [`Error::Config`] if the request cannot be serialized (a
    /// map key that is not a string, which generated types never have).
    pub fn new(request: &O::Request) -> Result<Self, Error> {
        request.validate().map_err(Error::Validation)?;
        Self::unchecked(request)
    }

    /// Serializes `request` without validating it: for a request whose parts were validated already, or that
    /// is meant to reach the platform as it is.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] if the request cannot be serialized.
    pub fn unchecked(request: &O::Request) -> Result<Self, Error> {
        Self::serialize(request, 0)
    }

    /// As [`unchecked`](Self::unchecked), with room for `size` bytes of items reserved up front: a body of
    /// 50 rows grows past 16 KB, and growing it by doubling copies it again and again.
    pub(crate) fn serialize(request: &O::Request, size: usize) -> Result<Self, Error> {
        // A caller's row sizes are a hint, not a promise: never reserve more than a large body takes.
        let mut body = Vec::with_capacity(size.min(MOST_RESERVED) + BODY_ROOM);
        serde_json::to_writer(&mut body, request)
            .map_err(|err| Error::Config(format!("the request cannot be serialized: {err}")))?;
        Ok(Prepared {
            body: Bytes::from(body),
            credentials: O::credentials(request)
                .into_iter()
                .map(Secret::new)
                .collect(),
            operation: PhantomData,
        })
    }

    /// Validates `request` only when `validate` is set (the clients' `validate_requests`).
    pub(crate) fn build(request: &O::Request, validate: bool) -> Result<Self, Error> {
        if validate {
            Self::new(request)
        } else {
            Self::unchecked(request)
        }
    }

    /// The JSON body, as sent.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body, shared with every attempt without a copy.
    pub(crate) fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The values of the request's credential members.
    pub(crate) fn credentials(&self) -> impl Iterator<Item = &str> {
        self.credentials.iter().map(Secret::expose)
    }
}

impl<O: Operation> Clone for Prepared<O> {
    fn clone(&self) -> Self {
        Prepared {
            body: self.body.clone(),
            credentials: self.credentials.clone(),
            operation: PhantomData,
        }
    }
}

impl<O: Operation> fmt::Debug for Prepared<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prepared")
            .field("operation", &O::META.name())
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shopline::batch_sync_flow_data::{
        BatchSyncFlowData, BatchSyncFlowDataRequest, FlowData, TimestampMillis,
    };

    fn request(app_key: &str, flows: usize) -> BatchSyncFlowDataRequest {
        let flow = FlowData::builder()
            .flow_id("5598349859474639045")
            .occurred_on(TimestampMillis::new(1_672_365_600_000).unwrap())
            .order_amount(0)
            .order_num(0)
            .send_count(1)
            .trigger_num(4)
            .build();
        BatchSyncFlowDataRequest::builder()
            .app_key(app_key)
            .store_id("42")
            .source_type("crm")
            .flow_data_list(vec![flow; flows])
            .build()
    }

    #[test]
    fn preparing_validates_serializes_and_keeps_the_credentials_out_of_debug() {
        // 101 flows break the documented `maxItems` 100: `new` refuses them, `unchecked` does not look.
        let err =
            Prepared::<BatchSyncFlowData>::new(&request("app-key-secret-1", 101)).unwrap_err();
        let found: Vec<(String, &str)> = err
            .violations()
            .unwrap()
            .iter()
            .map(|v| (v.pointer.clone(), v.rule))
            .collect();
        assert_eq!(found, [("/flow_data_list".to_owned(), "maxItems")]);
        assert!(Prepared::<BatchSyncFlowData>::new(&request("app-key-secret-1", 100)).is_ok());

        let prepared =
            Prepared::<BatchSyncFlowData>::unchecked(&request("app-key-secret-1", 101)).unwrap();
        let body: serde_json::Value = serde_json::from_slice(prepared.body()).unwrap();
        assert_eq!(body["app_key"], "app-key-secret-1");
        assert_eq!(body["flow_data_list"].as_array().map(Vec::len), Some(101));
        assert_eq!(
            prepared.credentials().collect::<Vec<_>>(),
            ["app-key-secret-1"]
        );
        let printed = format!("{prepared:?}");
        assert!(!printed.contains("app-key-secret-1"), "{printed}");
        assert!(
            printed.contains("shopline.batch_sync_flow_data"),
            "{printed}"
        );
    }
}

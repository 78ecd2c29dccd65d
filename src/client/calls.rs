//! `call` and `sync_all`, the same for both clients: each prepares requests and hands them to the client's own
//! `send_prepared`, which knows the platform's auth and errors.

/// Emits `call` and `sync_all` inside a client's `impl`; the client has `inner.common` and `send_prepared`.
macro_rules! common_call_methods {
    () => {
        /// Calls endpoint `O` with `request`: validates it (unless turned off), then sends it with the method,
        /// path, version and auth of `O::META`, retrying what is worth retrying. An error the platform answers
        /// (a Shopline error status, a Tencent `code != 0`) is an `Err`.
        ///
        /// # Errors
        ///
        /// [`Error::Validation`]($crate::Error::Validation) when the request breaks its schema (nothing is
        /// sent); otherwise the error of the last attempt, once no retry is left or worth making: its
        /// [`class()`]($crate::Error::class) says what to do next (the README's retry table).
        pub async fn call<O: $crate::runtime::Operation>(
            &self,
            request: &O::Request,
        ) -> Result<$crate::client::Response<O::Response>, $crate::Error> {
            let prepared =
                $crate::client::Prepared::<O>::build(request, self.inner.common.validate)?;
            self.send_prepared(&prepared).await
        }

        /// Sends any number of batch items in requests of at most the schema's batch size (`envelope` gives
        /// the other members; its own items are ignored), with bounded concurrency. Every item is accounted
        /// for in the report by its input index: delivered, rejected by validation, or failed after retries.
        pub async fn sync_all<O: $crate::runtime::Batched>(
            &self,
            envelope: &O::Request,
            items: impl IntoIterator<Item = O::Item>,
        ) -> $crate::client::BatchReport {
            let common = &self.inner.common;
            $crate::client::batch::sync_all::<O, _, _>(
                envelope,
                items.into_iter().collect(),
                common.validate,
                common.batch_concurrency,
                move |request| async move {
                    let prepared = $crate::client::Prepared::<O>::unchecked(&request)?;
                    self.send_prepared(&prepared).await
                },
            )
            .await
        }
    };
}

pub(crate) use common_call_methods;

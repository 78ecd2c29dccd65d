//! The HTTP server: our own accept loop with hyper's `serve_connection` per connection, rather than
//! `axum::serve`, so that a handler can close its TCP connection without sending any response.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{service_fn, Service};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::{JoinHandle, JoinSet};

use crate::app::{router, App};
use crate::config::MockConfig;
use crate::reply::DropConnection;

/// Both platforms on one loopback port. Dropping it (or [`MockServer::shutdown`]) stops the server.
///
/// Inspection and fault methods are in `inspect.rs`.
pub struct MockServer {
    pub(crate) addr: SocketAddr,
    pub(crate) app: Arc<App>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// A mock with the default [`MockConfig`] on a random loopback port.
    ///
    /// # Panics
    /// If no loopback port can be bound: a test cannot go on without its server.
    pub async fn start() -> MockServer {
        Self::start_with(MockConfig::default()).await
    }

    /// A mock with `config` on a random loopback port.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start_with(config: MockConfig) -> MockServer {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        match Self::start_on(addr, config).await {
            Ok(server) => server,
            Err(err) => panic!("salesync-mock: cannot bind 127.0.0.1: {err}"),
        }
    }

    /// A mock with `config` on `addr` (port 0 picks a free one), e.g. for `salesync mock`.
    pub async fn start_on(addr: SocketAddr, config: MockConfig) -> io::Result<MockServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let app = Arc::new(App::new(&config));
        let (stop, stopped) = watch::channel(false);
        let routes = router(app.clone());
        let task = tokio::spawn(accept_loop(
            listener,
            routes,
            stopped,
            config.shutdown_grace,
        ));
        tracing::info!(%addr, "salesync mock listening");
        Ok(MockServer {
            addr,
            app,
            stop,
            task: Some(task),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Base URL of both platforms, e.g. `http://127.0.0.1:41234`: use it as the Shopline store URL and as
    /// the Tencent API base.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish (up to the configured grace), then returns.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serves until `signal` completes, then shuts down gracefully.
    pub async fn run_until(self, signal: impl Future<Output = ()>) {
        signal.await;
        self.shutdown().await;
    }

    /// Serves until Ctrl-C (for `salesync mock`), then shuts down gracefully.
    pub async fn run_until_ctrl_c(self) -> io::Result<()> {
        let result = tokio::signal::ctrl_c().await;
        self.shutdown().await;
        result
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn accept_loop(
    listener: TcpListener,
    routes: Router,
    mut stopped: watch::Receiver<bool>,
    grace: Duration,
) {
    let mut connections = JoinSet::new();
    let for_connections = stopped.clone();
    loop {
        tokio::select! {
            _ = until_stopped(&mut stopped) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, routes.clone(), for_connections.clone()));
                }
                Err(err) => {
                    // E.g. too many open files: back off instead of spinning.
                    tracing::warn!(%err, "salesync mock: accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
        }
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(grace, drain).await;
    connections.abort_all();
}

/// Completes when the server is told to stop, or when the `MockServer` is gone.
async fn until_stopped(stopped: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is not `Send`: drop it here rather than hold it across an await.
    let _ = stopped.wait_for(|stop| *stop).await.is_ok();
}

async fn serve_connection(stream: TcpStream, routes: Router, mut stopped: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let drop_now = Arc::new(Notify::new());
    let signal = drop_now.clone();
    let service = service_fn(move |req| dispatch(routes.clone(), signal.clone(), req));
    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    // Returning drops `conn`, and with it the socket: the client sees the connection close with no response.
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = drop_now.notified() => return,
        _ = until_stopped(&mut stopped) => {}
    }
    conn.as_mut().graceful_shutdown();
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = drop_now.notified() => {}
    }
}

/// Runs the router in its own task, so a client that hangs up cannot cancel a request half-stored; a
/// response marked [`DropConnection`] closes the connection instead of being sent.
async fn dispatch(
    routes: Router,
    drop_now: Arc<Notify>,
    req: Request<Incoming>,
) -> Result<Response, Infallible> {
    let handled = tokio::spawn(async move { TowerToHyperService::new(routes).call(req).await });
    let response = match handled.await {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    if response.extensions().get::<DropConnection>().is_some() {
        drop_now.notify_one();
        std::future::pending::<()>().await;
    }
    Ok(response)
}
